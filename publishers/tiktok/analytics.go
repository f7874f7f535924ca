package tiktok

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/heraldhq/herald/publishers"
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
	s, err := publishers.NewSession("tiktok", req.Token, req.ForceRefresh)
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
		var u rawUser
		_ = json.Unmarshal(user.User, &u) // a user that is not an object has no counts
		out.Account = u.metrics()
		out.RawAccount = publishers.NumericFields(user.User)
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
			var v rawVideo
			if json.Unmarshal(raw, &v) != nil {
				continue
			}
			if id := postID(v.ID); id != "" && seen[id] {
				out.Posts[id] = v.metrics()
				out.RawPosts[id] = publishers.NumericFields(raw)
			}
		}
	}
	return out, nil
}

// rawUser is /v2/user/info/'s user, counts as raw JSON numbers.
type rawUser struct {
	Followers json.RawMessage `json:"follower_count"`
	Following json.RawMessage `json:"following_count"`
	Likes     json.RawMessage `json:"likes_count"`
	Videos    json.RawMessage `json:"video_count"`
}

func (u rawUser) metrics() publishers.Metrics {
	m := publishers.Metrics{}
	for name, raw := range map[string]json.RawMessage{
		publishers.MetricFollowers: u.Followers, MetricFollowing: u.Following,
		publishers.MetricLikes: u.Likes, MetricVideos: u.Videos,
	} {
		if len(raw) > 0 {
			m[name] = count(raw)
		}
	}
	return m
}

// rawVideo is one video of /v2/video/query/.
type rawVideo struct {
	ID       json.RawMessage `json:"id"`
	Views    json.RawMessage `json:"view_count"`
	Likes    json.RawMessage `json:"like_count"`
	Comments json.RawMessage `json:"comment_count"`
	Shares   json.RawMessage `json:"share_count"`
}

func (v rawVideo) metrics() publishers.Metrics {
	m := publishers.Metrics{}
	for name, raw := range map[string]json.RawMessage{
		publishers.MetricViews: v.Views, publishers.MetricLikes: v.Likes,
		publishers.MetricComments: v.Comments, publishers.MetricShares: v.Shares,
	} {
		if len(raw) > 0 {
			m[name] = count(raw)
		}
	}
	return m
}
