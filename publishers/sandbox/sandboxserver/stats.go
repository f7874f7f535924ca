package sandboxserver

import (
	"fmt"
	"hash/fnv"
	"net/http"
	"time"
)

// Statistics are made up but plausible and deterministic: a function of
// the ids, the posts published and the posts' age, so they grow while a
// demo runs.

type accountStats struct {
	Followers int64 `json:"followers"`
}

type postStats struct {
	Views    int64 `json:"views"`
	Likes    int64 `json:"likes"`
	Comments int64 `json:"comments"`
	Shares   int64 `json:"shares"`
}

// Stats are a post's statistics, as GET /v1/posts/{id}/stats reports
// them.
type Stats struct {
	Views, Likes, Comments, Shares int64
}

// SetStats makes the platform report st for post id (a post's remote
// id, "p_..."), instead of made-up numbers, while the post exists.
func (s *Server) SetStats(id string, st Stats) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats[id] = postStats{Views: st.Views, Likes: st.Likes, Comments: st.Comments, Shares: st.Shares}
}

// SetFollowers makes the platform report n followers for account,
// instead of a made-up number.
func (s *Server) SetFollowers(account string, n int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.followers[account] = n
}

func (s *Server) postRef(r *http.Request, _ []byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.posts[r.PathValue("id")]; ok {
		return p.Ref
	}
	return ""
}

func (s *Server) accountStats(r *http.Request, _ []byte) reply {
	account := r.PathValue("account")
	s.mu.Lock()
	defer s.mu.Unlock()
	return reply{status: http.StatusOK, body: s.accountStatsLocked(account)}
}

func (s *Server) accountStatsLocked(account string) accountStats {
	if n, ok := s.followers[account]; ok {
		return accountStats{Followers: n}
	}
	n := int64(0)
	for _, p := range s.posts {
		if p.AccountID == account {
			n++
		}
	}
	return accountStats{Followers: 1000 + int64(hash(account)%9000) + 25*n}
}

func (s *Server) postStats(r *http.Request, _ []byte) reply {
	id := r.PathValue("id")
	s.mu.Lock()
	p, ok := s.posts[id]
	st, set := s.stats[id]
	s.mu.Unlock()
	if !ok {
		return fail(http.StatusNotFound, "not_found", fmt.Sprintf("no post %q", id))
	}
	if set {
		return reply{status: http.StatusOK, body: st}
	}
	return reply{status: http.StatusOK, body: statsOf(p.ID, time.Since(p.CreatedAt))}
}

func statsOf(id string, age time.Duration) postStats {
	h := int64(hash(id))
	minutes := max(int64(age/time.Minute), 0)
	views := 10 + h%90 + minutes*(3+h%7)
	likes := views / (8 + h%5)
	return postStats{Views: views, Likes: likes, Comments: likes / 5, Shares: likes / 10}
}

func hash(s string) uint32 {
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32()
}
