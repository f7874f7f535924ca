package tiktoktest

import (
	"net/http"
	"strings"
)

// Stats are a post's counts, as /v2/video/query/ reports them.
type Stats struct {
	Views, Likes, Comments, Shares int64
}

// UserStats are the account's counts, as /v2/user/info/ reports them.
type UserStats struct {
	Followers, Following, Likes, Videos int64
}

// SetStats sets the counts of post id.
func (s *Server) SetStats(id string, st Stats) {
	s.mu.Lock()
	s.stats[id] = st
	s.mu.Unlock()
}

// SetUserStats sets the account's counts.
func (s *Server) SetUserStats(u UserStats) {
	s.mu.Lock()
	s.user = u
	s.mu.Unlock()
}

// videoQuery answers the ids it knows (published posts and ids given
// stats), at most 20 a call.
func (s *Server) videoQuery(r *http.Request, c *Call) reply {
	var b struct {
		Filters struct {
			VideoIDs []string `json:"video_ids"`
		} `json:"filters"`
	}
	if err := decode(r, &b); err != nil {
		return fail(http.StatusBadRequest, CodeInvalidParams, "request body is not JSON")
	}
	fields := strings.Split(r.URL.Query().Get("fields"), ",")
	if len(b.Filters.VideoIDs) == 0 || len(b.Filters.VideoIDs) > 20 {
		return fail(http.StatusBadRequest, CodeInvalidParams, "video_ids must hold 1 to 20 ids")
	}
	c.IDs = append([]string(nil), b.Filters.VideoIDs...)
	s.mu.Lock()
	defer s.mu.Unlock()
	videos := []map[string]any{}
	for _, id := range b.Filters.VideoIDs {
		st, known := s.stats[id]
		for _, p := range s.posts {
			known = known || (p.ID != "" && p.ID == id)
		}
		if !known {
			continue
		}
		all := map[string]any{"id": id, "view_count": st.Views, "like_count": st.Likes, "comment_count": st.Comments, "share_count": st.Shares}
		v := map[string]any{}
		for _, f := range fields {
			if val, ok := all[f]; ok {
				v[f] = val
			}
		}
		videos = append(videos, v)
	}
	return ok(map[string]any{"videos": videos, "cursor": 0, "has_more": false})
}

func (s *Server) userInfo(r *http.Request, _ *Call) reply {
	s.mu.Lock()
	defer s.mu.Unlock()
	all := map[string]any{"follower_count": s.user.Followers, "following_count": s.user.Following,
		"likes_count": s.user.Likes, "video_count": s.user.Videos, "open_id": "fake-open-id", "display_name": "Herald Test"}
	u := map[string]any{}
	for _, f := range strings.Split(r.URL.Query().Get("fields"), ",") {
		if v, ok := all[f]; ok {
			u[f] = v
		}
	}
	return ok(map[string]any{"user": u})
}
