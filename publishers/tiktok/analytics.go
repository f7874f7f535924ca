package tiktok

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/wire"
)

// maxQueryIDs is how many video ids one /v2/video/query/ call takes.
const maxQueryIDs = 20

// Metric names TikTok has beyond the common ones.
const (
	MetricFollowing = "following"
	MetricVideos    = "videos"
)

const (
	userInfoPath   = "/v2/user/info/?fields=follower_count,following_count,likes_count,video_count"
	videoQueryPath = "/v2/video/query/?fields=id,view_count,like_count,comment_count,share_count"
)

// Analytics reads the account's follower, following, like and video
// counts (/v2/user/info/, scope user.info.stats) and each post's views,
// likes, comments and shares (/v2/video/query/, scope video.list, 20 ids
// a call). A token without user.info.stats leaves Account empty rather
// than failing; posts TikTok does not return (deleted, private, not the
// account's) are left out. RawAccount and RawPosts keep TikTok's own
// fields (follower_count, following_count, likes_count, video_count;
// view_count, like_count, comment_count, share_count) as numbers exactly
// as answered.
func (p *Publisher) Analytics(ctx context.Context, req publishers.AnalyticsRequest) (publishers.Analytics, error) {
	s, err := wire.NewSession("tiktok", req.Token, req.ForceRefresh)
	if err != nil {
		return publishers.Analytics{}, err
	}
	out := publishers.Analytics{
		Account: publishers.Metrics{}, Posts: map[string]publishers.Metrics{},
		RawAccount: publishers.Metrics{}, RawPosts: map[string]publishers.Metrics{},
	}
	var user struct {
		User json.RawMessage `json:"user"`
	}
	err = p.call(ctx, s, "read user info", http.MethodGet, userInfoPath, nil, &user)
	if e := apiError(err); e != nil && (e.Code == codeScopeNotAuthorized || e.Code == codeScopeMissed) {
		err = nil
	} else if err == nil {
		out.RawAccount = wire.NumericFields(user.User)
		out.Account = wire.Renamed(out.RawAccount, userMetrics)
	}
	if err != nil {
		return publishers.Analytics{}, err
	}
	var ids []string
	seen := map[string]bool{}
	for _, id := range req.RemoteIDs {
		if isPostID(id) && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	for len(ids) > 0 {
		n := min(len(ids), maxQueryIDs)
		batch := ids[:n]
		ids = ids[n:]
		var answer struct {
			Videos []json.RawMessage `json:"videos"`
		}
		body := map[string]any{"filters": map[string][]string{"video_ids": batch}}
		if err := p.call(ctx, s, "query videos", http.MethodPost, videoQueryPath, body, &answer); err != nil {
			return publishers.Analytics{}, err
		}
		for _, raw := range answer.Videos {
			var v struct {
				ID json.RawMessage `json:"id"`
			}
			if json.Unmarshal(raw, &v) != nil {
				continue
			}
			if id := postID(v.ID); id != "" && seen[id] {
				out.RawPosts[id] = wire.NumericFields(raw)
				out.Posts[id] = wire.Renamed(out.RawPosts[id], videoMetrics)
			}
		}
	}
	return out, nil
}

// userMetrics and videoMetrics give the common name of each of TikTok's
// counts: the common metrics are read from the raw ones, so they agree.
var (
	userMetrics = map[string]string{
		"follower_count": publishers.MetricFollowers, "following_count": MetricFollowing,
		"likes_count": publishers.MetricLikes, "video_count": MetricVideos,
	}
	videoMetrics = map[string]string{
		"view_count": publishers.MetricViews, "like_count": publishers.MetricLikes,
		"comment_count": publishers.MetricComments, "share_count": publishers.MetricShares,
	}
)
