package youtube

import (
	"context"
	"fmt"
	"math"
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
//
// RawAccount and RawPosts keep YouTube's statistics names: the channel's
// viewCount, subscriberCount and videoCount; each video's viewCount,
// likeCount, commentCount and favoriteCount, and dislikeCount when
// YouTube reports one (it is private to the owner). The official client
// reads a count YouTube leaves out (likes hidden, comments off) as 0, so
// such a count is 0 here too.
func (p *Publisher) Analytics(ctx context.Context, req publishers.AnalyticsRequest) (publishers.Analytics, error) {
	a, err := newAuth(req.Token, req.ForceRefresh)
	if err != nil {
		return publishers.Analytics{}, err
	}
	out := publishers.Analytics{
		Account: publishers.Metrics{}, Posts: map[string]publishers.Metrics{},
		RawAccount: publishers.Metrics{}, RawPosts: map[string]publishers.Metrics{},
	}
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
				raw := channelRaw(st)
				out.Account[publishers.MetricFollowers] = raw["subscriberCount"]
				out.Account[publishers.MetricViews] = raw["viewCount"]
				out.RawAccount = raw
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
					raw := videoRaw(st)
					out.Posts[v.Id] = publishers.Metrics{
						publishers.MetricViews:    raw["viewCount"],
						publishers.MetricLikes:    raw["likeCount"],
						publishers.MetricComments: raw["commentCount"],
					}
					out.RawPosts[v.Id] = raw
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

// channelRaw is a channel's statistics under YouTube's names.
func channelRaw(st *youtube.ChannelStatistics) publishers.Metrics {
	return publishers.Metrics{
		"viewCount":       clamp(st.ViewCount),
		"subscriberCount": clamp(st.SubscriberCount),
		"videoCount":      clamp(st.VideoCount),
	}
}

// videoRaw is a video's statistics under YouTube's names.
func videoRaw(st *youtube.VideoStatistics) publishers.Metrics {
	m := publishers.Metrics{
		"viewCount":     clamp(st.ViewCount),
		"likeCount":     clamp(st.LikeCount),
		"commentCount":  clamp(st.CommentCount),
		"favoriteCount": clamp(st.FavoriteCount),
	}
	if st.DislikeCount > 0 {
		m["dislikeCount"] = clamp(st.DislikeCount)
	}
	return m
}

// clamp converts a count to an int64, saturating rather than wrapping.
func clamp(n uint64) int64 { return int64(min(n, math.MaxInt64)) }
