package instagramtest

import (
	"fmt"
	"hash/fnv"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// fieldsOf is the fields parameter as a set; empty means defaults.
func fieldsOf(r *http.Request) []string {
	var out []string
	for _, f := range strings.Split(r.Form.Get("fields"), ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func pick(all map[string]any, fields []string) map[string]any {
	out := map[string]any{"id": all["id"]}
	for _, f := range fields {
		if v, ok := all[f]; ok {
			out[f] = v
		}
	}
	return out
}

// read answers GET /{id}: a container's status, a media's fields or an
// account's.
func (s *Server) read(r *http.Request, _ string) reply {
	id := r.PathValue("id")
	fields := fieldsOf(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.containers[id]; ok {
		s.settle(c)
		if c.Status == StatusInProgress {
			c.reads++
		}
		if len(fields) == 0 {
			fields = []string{"status_code"}
		}
		return answer(pick(map[string]any{"id": c.ID, "status_code": c.Status, "status": c.StatusText}, fields))
	}
	if m, ok := s.media[id]; ok {
		return answer(pick(s.mediaFields(m), fields))
	}
	if isAccount(id) {
		return answer(pick(s.accountFields(id), fields))
	}
	return notFound(id)
}

// readBatch answers GET /?ids=a,b&fields=...: every id must exist.
func (s *Server) readBatch(r *http.Request, _ string) reply {
	ids := strings.Split(r.Form.Get("ids"), ",")
	fields := fieldsOf(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]any{}
	var missing []string
	for _, id := range ids {
		if m, ok := s.media[id]; ok {
			out[id] = pick(s.mediaFields(m), fields)
		} else {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 || len(ids) > 50 {
		return fail(http.StatusBadRequest, 100, 0, "(#100) Some of the aliases you requested do not exist: "+strings.Join(missing, ","))
	}
	return answer(out)
}

// MediaStats are a media's counts: like_count and comments_count among
// its fields, and its insights (total_interactions is the sum of likes,
// comments, shares and saved; a story's replies are its comments).
type MediaStats struct {
	Views, Reach, Likes, Comments, Shares, Saved int64
}

// SetMediaStats makes the server report st for media id instead of
// made-up numbers that grow with the media's age.
func (s *Server) SetMediaStats(id string, st MediaStats) {
	s.mu.Lock()
	s.stats[id] = st
	s.mu.Unlock()
}

// AccountStats are an account's followers_count field and its reach and
// views insights.
type AccountStats struct {
	Followers, Reach, Views int64
}

// SetAccountStats makes the server report st for account user instead
// of made-up numbers.
func (s *Server) SetAccountStats(user string, st AccountStats) {
	s.mu.Lock()
	s.accounts[user] = st
	s.mu.Unlock()
}

// statsLocked is what the server reports for m; callers hold mu.
func (s *Server) statsLocked(m *Media) stats {
	if st, ok := s.stats[m.ID]; ok {
		return stats{views: st.Views, reach: st.Reach, likes: st.Likes, comments: st.Comments, shares: st.Shares, saved: st.Saved}
	}
	return statsOf(m.ID, s.now().Sub(m.PublishedAt))
}

func (s *Server) mediaFields(m *Media) map[string]any {
	st := s.statsLocked(m)
	return map[string]any{
		"id": m.ID, "caption": m.Caption, "media_type": m.MediaType,
		"media_product_type": m.ProductType, "permalink": m.Permalink,
		"timestamp": graphTime(m.PublishedAt), "like_count": st.likes,
		"comments_count": st.comments, "username": "user_" + m.UserID,
	}
}

func (s *Server) accountFields(user string) map[string]any {
	n := 0
	for _, m := range s.media {
		if m.UserID == user {
			n++
		}
	}
	followers := 1000 + int64(hash(user)%9000) + 25*int64(n)
	if st, ok := s.accounts[user]; ok {
		followers = st.Followers
	}
	return map[string]any{
		"id": user, "username": "user_" + user, "media_count": n,
		"followers_count": followers, "follows_count": 150,
	}
}

// list answers GET /{ig-user-id}/media (feed and reels) or /stories
// (stories of the last 24 hours), newest first.
func (s *Server) list(stories bool) func(*http.Request, string) reply {
	return func(r *http.Request, _ string) reply {
		user := r.PathValue("user")
		if !isAccount(user) {
			return notFound(user)
		}
		limit := 25
		if n, err := strconv.Atoi(r.Form.Get("limit")); err == nil && n > 0 {
			limit = min(n, 100)
		}
		fields := fieldsOf(r)
		s.mu.Lock()
		defer s.mu.Unlock()
		data := []any{}
		for _, id := range slices.Backward(s.order) {
			m := s.media[id]
			if m.UserID != user || (m.ProductType == "STORY") != stories {
				continue
			}
			if stories && s.now().Sub(m.PublishedAt) > Window {
				continue
			}
			if len(data) == limit {
				break
			}
			data = append(data, pick(s.mediaFields(m), fields))
		}
		return answer(map[string]any{"data": data})
	}
}

var mediaMetrics = map[string][]string{
	"FEED":  {"views", "reach", "likes", "comments", "shares", "saved", "total_interactions", "profile_visits", "follows"},
	"REELS": {"views", "reach", "likes", "comments", "shares", "saved", "total_interactions", "ig_reels_avg_watch_time", "ig_reels_video_view_total_time"},
	"STORY": {"views", "reach", "shares", "replies", "total_interactions", "navigation", "follows", "profile_visits"},
}

// insights answers GET /{media-id}/insights?metric=... and GET
// /{ig-user-id}/insights?metric=...&metric_type=total_value.
func (s *Server) insights(r *http.Request, _ string) reply {
	id := r.PathValue("id")
	metrics := strings.Split(r.Form.Get("metric"), ",")
	s.mu.Lock()
	defer s.mu.Unlock()
	if isAccount(id) {
		data := []any{}
		for _, name := range metrics {
			if name != "reach" && name != "views" && name != "accounts_engaged" && name != "total_interactions" {
				return fail(http.StatusBadRequest, 100, 0, fmt.Sprintf("(#100) metric[0] must be one of the following values: reach, views, accounts_engaged, total_interactions (got %q)", name))
			}
			value := int64(hash(id+name)%5000) + 100
			if st, ok := s.accounts[id]; ok && name == "reach" {
				value = st.Reach
			} else if ok && name == "views" {
				value = st.Views
			}
			data = append(data, map[string]any{
				"name": name, "period": "day", "id": id + "/insights/" + name + "/day",
				"total_value": map[string]any{"value": value},
			})
		}
		return answer(map[string]any{"data": data})
	}
	m, found := s.media[id]
	if !found {
		return notFound(id)
	}
	allowed := mediaMetrics[m.ProductType]
	st := s.statsLocked(m)
	values := map[string]int64{
		"views": st.views, "reach": st.reach, "likes": st.likes, "comments": st.comments,
		"shares": st.shares, "saved": st.saved, "total_interactions": st.likes + st.comments + st.shares + st.saved,
		"replies": st.comments,
	}
	data := []any{}
	for _, name := range metrics {
		if !slices.Contains(allowed, name) {
			return fail(http.StatusBadRequest, 100, 0, fmt.Sprintf("(#100) The Media Insights API does not support the %s metric for this media product type.", name))
		}
		data = append(data, map[string]any{
			"name": name, "period": "lifetime", "id": id + "/insights/" + name + "/lifetime",
			"values": []any{map[string]any{"value": values[name]}},
		})
	}
	return answer(map[string]any{"data": data})
}

type stats struct{ views, reach, likes, comments, shares, saved int64 }

// statsOf makes up plausible, deterministic statistics that grow with
// age.
func statsOf(id string, age time.Duration) stats {
	h := int64(hash(id))
	minutes := max(int64(age/time.Minute), 0)
	views := 10 + h%90 + minutes*(3+h%7)
	likes := views / (8 + h%5)
	return stats{views: views, reach: views * 4 / 5, likes: likes, comments: likes / 5, shares: likes / 10, saved: likes / 7}
}

func hash(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}

const tokenLife = 60 * 24 * time.Hour

// refreshIG answers GET /refresh_access_token?grant_type=ig_refresh_token.
//
// Instagram API with Instagram Login, "Refresh a long-lived token"
// (developers.facebook.com/docs/instagram-platform/reference/refresh_access_token):
// GET /refresh_access_token?grant_type=ig_refresh_token&access_token=<token>.
// The token is a query parameter there and nowhere else: one sent only in
// an Authorization header is not seen, and Graph answers a call without a
// token with code 190 and no subcode ("An active access token must be
// used"), which is not a dead token.
func (s *Server) refreshIG(r *http.Request, token string) reply {
	if !r.URL.Query().Has("access_token") {
		return fail(http.StatusBadRequest, 190, 0, "An active access token must be used to query information about the current user.")
	}
	if r.Form.Get("grant_type") != "ig_refresh_token" {
		return fail(http.StatusBadRequest, 100, 0, "Unsupported grant_type")
	}
	return s.carry(token, s.newToken("IGAA"))
}

// exchangeFB answers POST /oauth/access_token?grant_type=fb_exchange_token.
func (s *Server) exchangeFB(r *http.Request, _ string) reply {
	f := r.PostForm
	s.mu.Lock()
	secret := s.appSecret
	s.mu.Unlock()
	switch {
	case f.Get("grant_type") != "fb_exchange_token" || f.Get("fb_exchange_token") == "":
		return fail(http.StatusBadRequest, 100, 0, "Missing or unsupported grant_type or fb_exchange_token")
	case f.Get("client_id") == "" || (secret != "" && f.Get("client_secret") != secret):
		return fail(http.StatusBadRequest, 101, 0, "Error validating client secret.")
	case f.Get("fb_exchange_token") == TokenRevoked || f.Get("fb_exchange_token") == TokenExpired:
		return fail(http.StatusBadRequest, 190, 460, "Error validating access token.")
	}
	return s.newToken("EAA")
}

// newToken mints a long-lived token in the form of its login's: "IGAA"
// for Instagram User tokens, "EAA" for Facebook User tokens.
func (s *Server) newToken(prefix string) reply {
	s.mu.Lock()
	s.refreshes++
	n := s.refreshes
	s.mu.Unlock()
	return answer(map[string]any{
		"access_token": fmt.Sprintf("%srefreshed%04d", prefix, n), "token_type": "bearer",
		"expires_in": int64(tokenLife / time.Second),
	})
}
