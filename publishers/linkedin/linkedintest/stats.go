package linkedintest

import (
	"net/http"
	"strings"
)

// Stats are share statistics of a post, or an organization's totals.
type Stats struct {
	Impressions, UniqueImpressions, Clicks, Likes, Comments, Shares int64
}

func (st Stats) json() map[string]any {
	return map[string]any{
		"impressionCount": st.Impressions, "uniqueImpressionsCount": st.UniqueImpressions,
		"clickCount": st.Clicks, "likeCount": st.Likes, "commentCount": st.Comments,
		"shareCount": st.Shares, "engagement": 0.05,
	}
}

// SetShareStatistics sets the statistics of a post URN, or an
// organization URN's totals.
func (s *Server) SetShareStatistics(urn string, st Stats) {
	s.mu.Lock()
	s.stats[urn] = st
	s.mu.Unlock()
}

// SetFollowers sets an organization's follower count (networkSizes).
func (s *Server) SetFollowers(org string, n int64) {
	s.mu.Lock()
	s.followers[org] = n
	s.mu.Unlock()
}

// SetMemberAnalytics sets memberCreatorPostAnalytics totals by query type
// (IMPRESSION, MEMBERS_REACHED, RESHARE, REACTION, COMMENT) for a post
// URN, or for "me", the member's aggregate.
func (s *Server) SetMemberAnalytics(entity string, counts map[string]int64) {
	s.mu.Lock()
	s.member[entity] = counts
	s.mu.Unlock()
}

func (s *Server) shareStats(r *http.Request, _ []byte) reply {
	q := r.URL.Query()
	org := q.Get("organizationalEntity")
	if q.Get("q") != "organizationalEntity" || !strings.HasPrefix(org, "urn:li:organization:") {
		return badRequest("q=organizationalEntity&organizationalEntity=<organization URN> required")
	}
	var shares, ugc []string
	var ok bool
	if v := q.Get("shares"); v != "" {
		if shares, ok = parseList(v); !ok {
			return badRequest("shares: not a List(...)")
		}
	}
	if v := q.Get("ugcPosts"); v != "" {
		if ugc, ok = parseList(v); !ok {
			return badRequest("ugcPosts: not a List(...)")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var elements []any
	if len(shares)+len(ugc) == 0 {
		elements = append(elements, map[string]any{"organizationalEntity": org, "totalShareStatistics": s.stats[org].json()})
	}
	for _, id := range shares {
		elements = append(elements, map[string]any{"organizationalEntity": org, "share": id, "totalShareStatistics": s.stats[id].json()})
	}
	for _, id := range ugc {
		elements = append(elements, map[string]any{"organizationalEntity": org, "ugcPost": id, "totalShareStatistics": s.stats[id].json()})
	}
	return answer(http.StatusOK, map[string]any{"elements": elements, "paging": map[string]any{"start": 0, "count": 10, "links": []any{}}})
}

func (s *Server) networkSize(r *http.Request, _ []byte) reply {
	if r.URL.Query().Get("edgeType") != "COMPANY_FOLLOWED_BY_MEMBER" {
		return badRequest("edgeType: COMPANY_FOLLOWED_BY_MEMBER required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return answer(http.StatusOK, map[string]any{"firstDegreeSize": s.followers[r.PathValue("urn")]})
}

var queryTypes = map[string]bool{"IMPRESSION": true, "MEMBERS_REACHED": true, "RESHARE": true, "REACTION": true, "COMMENT": true}

func (s *Server) memberAnalytics(r *http.Request, _ []byte) reply {
	q := r.URL.Query()
	qt := q.Get("queryType")
	if !queryTypes[qt] || q.Get("aggregation") != "TOTAL" {
		return badRequest("queryType and aggregation=TOTAL required")
	}
	entity := ""
	switch q.Get("q") {
	case "me":
		entity = "me"
	case "entity":
		e := q.Get("entity")
		inner, ok := strings.CutPrefix(e, "(share:")
		if !ok {
			inner, ok = strings.CutPrefix(e, "(ugcPost:")
		}
		if !ok || !strings.HasSuffix(inner, ")") {
			return badRequest("entity: (share:<urn>) or (ugcPost:<urn>) required")
		}
		entity = strings.TrimSuffix(inner, ")")
	default:
		return badRequest("q: me or entity")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.member[entity][qt]
	return answer(http.StatusOK, map[string]any{"elements": []any{map[string]any{
		"count":      n,
		"metricType": map[string]any{"com.linkedin.adsexternalapi.memberanalytics.v1.CreatorPostAnalyticsMetricTypeV1": qt},
	}}})
}
