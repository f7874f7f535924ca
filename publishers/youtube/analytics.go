package youtube

import (
	"context"
	"fmt"
	"regexp"

	"google.golang.org/api/youtube/v3"

	"github.com/heraldhq/herald/publishers"
)

// videoID is the shape of YouTube video ids; other ids are left out of
// the report rather than sent.
var videoID = regexp.MustCompile(`^[A-Za-z0-9_-]{11}$`)

// batch is how many ids videos.list takes in one call.
const batch = 50

// Analytics reads the channel's statistics (channels.list, mine=true) and
// those of the given videos (videos.list, 50 ids a call): followers and
// views of the channel; views, likes and comments of each video. A video
// YouTube no longer knows is left out. Each call costs a unit of the
// project's quota, from what the reserve for uploads leaves.
func (p *Publisher) Analytics(ctx context.Context, req publishers.AnalyticsRequest) (publishers.Analytics, error) {
	a, err := newAuth(req.Token, req.ForceRefresh)
	if err != nil {
		return publishers.Analytics{}, err
	}
	out := publishers.Analytics{Account: publishers.Metrics{}, Posts: map[string]publishers.Metrics{}}
	if err := p.quota.spendAnalytics(ctx, p.now(), costList); err != nil {
		return publishers.Analytics{}, err
	}
	err = p.call(ctx, a, "read channel statistics", func(ctx context.Context, svc *youtube.Service) error {
		res, err := svc.Channels.List([]string{"statistics"}).Mine(true).Context(ctx).Do()
		p.spentOnQuotaError(ctx, err)
		if err != nil {
			return err
		}
		for _, c := range res.Items {
			if st := c.Statistics; st != nil {
				out.Account[publishers.MetricFollowers] = int64(st.SubscriberCount)
				out.Account[publishers.MetricViews] = int64(st.ViewCount)
			}
		}
		return nil
	})
	if err != nil {
		return publishers.Analytics{}, err
	}
	var ids []string
	for _, id := range req.RemoteIDs {
		if videoID.MatchString(id) {
			ids = append(ids, id)
		}
	}
	for b := 1; len(ids) > 0; b++ {
		n := min(len(ids), batch)
		part := ids[:n]
		ids = ids[n:]
		if err := p.quota.spendAnalytics(ctx, p.now(), costList); err != nil {
			return publishers.Analytics{}, err
		}
		err := p.call(ctx, a, fmt.Sprintf("read statistics of videos (batch %d)", b), func(ctx context.Context, svc *youtube.Service) error {
			res, err := svc.Videos.List([]string{"statistics"}).Id(part...).Context(ctx).Do()
			p.spentOnQuotaError(ctx, err)
			if err != nil {
				return err
			}
			for _, v := range res.Items {
				if st := v.Statistics; st != nil {
					out.Posts[v.Id] = publishers.Metrics{
						publishers.MetricViews:    int64(st.ViewCount),
						publishers.MetricLikes:    int64(st.LikeCount),
						publishers.MetricComments: int64(st.CommentCount),
					}
				}
			}
			return nil
		})
		if err != nil {
			return publishers.Analytics{}, err
		}
	}
	return out, nil
}
