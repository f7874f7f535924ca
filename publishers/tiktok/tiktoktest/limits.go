package tiktoktest

import (
	"net/http"
	"strings"
	"time"
)

// PerMinute are the per-user rate limits the API reference gives each
// endpoint ("Each user access_token is limited to N requests per
// minute"): creator_info 20 (Query Creator Info), the inits 6 (Direct
// Post, Upload, photo Content init), the status fetch 30 (Get Post
// Status). Past one, the endpoint answers 429 rate_limit_exceeded.
var PerMinute = map[Endpoint]int{
	EndpointCreatorInfo: 20,
	EndpointVideoInit:   6,
	EndpointContentInit: 6,
	EndpointInboxInit:   6,
	EndpointStatus:      30,
}

// SetRateLimit sets ep's per-user limit a minute; n <= 0 lifts it.
func (s *Server) SetRateLimit(ep Endpoint, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits[ep] = n
}

// overLimit counts a call of ep with r's token in a sliding minute and
// says whether it is one too many. A refused call counts too.
func (s *Server) overLimit(ep Endpoint, r *http.Request) bool {
	_, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.limits[ep]
	if n <= 0 {
		return false
	}
	key := string(ep) + " " + tok
	now := s.now()
	recent := s.hits[key][:0]
	for _, at := range s.hits[key] {
		if now.Sub(at) < time.Minute {
			recent = append(recent, at)
		}
	}
	s.hits[key] = append(recent, now)
	return len(recent) >= n
}
