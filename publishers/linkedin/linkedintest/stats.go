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

// SocialActions are a post's likes and comments, as the socialActions
// summary reports them.
type SocialActions struct {
	// Likes is likesSummary.totalLikes.
	Likes int64
	// Comments is commentsSummary.aggregatedTotalComments (replies
	// included); FirstLevelComments is totalFirstLevelComments.
	Comments, FirstLevelComments int64
}

// SetSocialActions sets the likes and comments of a post URN. Posts
// created on the server, and posts given social actions, are known to
// socialActions; others are answered 404.
func (s *Server) SetSocialActions(urn string, sa SocialActions) {
	s.mu.Lock()
	s.social[urn] = sa
	s.mu.Unlock()
}

// socialSummary is the summary of urn, or false if the server does not
// know the post; callers hold mu.
func (s *Server) socialSummary(urn string) (map[string]any, bool) {
	sa, known := s.social[urn]
	for _, p := range s.posts {
		known = known || p.URN == urn
	}
	if !known {
		return nil, false
	}
	return map[string]any{
		"$URN":   "urn:li:activity:" + strings.TrimPrefix(strings.TrimPrefix(urn, "urn:li:share:"), "urn:li:ugcPost:"),
		"target": urn,
		"likesSummary": map[string]any{
			"likedByCurrentUser": false, "totalLikes": sa.Likes,
		},
		"commentsSummary": map[string]any{
			"totalFirstLevelComments": sa.FirstLevelComments, "aggregatedTotalComments": sa.Comments,
		},
	}, true
}

// socialActionsBatch answers the BATCH_GET form,
// GET /rest/socialActions?ids=List(urn,urn): results by URN, and a 404
// in errors (and statuses) for each post the server does not know.
func (s *Server) socialActionsBatch(r *http.Request, _ []byte) reply {
	ids, ok := parseList(r.URL.Query().Get("ids"))
	if !ok || len(ids) == 0 {
		return badRequest("ids: a non-empty List(...) of post URNs required")
	}
	if strings.Contains(rawIDs(r.URL.RawQuery), ":") {
		// Rest.li 2.0 reserves ':' (and "(),'"): URNs in a List are
		// URL-encoded.
		return badRequest("ids: the URNs in List(...) must be URL-encoded")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	results, statuses, errs := map[string]any{}, map[string]any{}, map[string]any{}
	for _, id := range ids {
		if !postURN.MatchString(id) {
			return badRequest("ids: %q is not a share or ugcPost URN", id)
		}
		if sum, ok := s.socialSummary(id); ok {
			results[id] = sum
			statuses[id] = http.StatusOK
			continue
		}
		statuses[id] = http.StatusNotFound
		errs[id] = map[string]any{"status": http.StatusNotFound, "message": "Not Found"}
	}
	return answer(http.StatusOK, map[string]any{"results": results, "statuses": statuses, "errors": errs})
}

// socialActions answers GET /rest/socialActions/{urn}.
func (s *Server) socialActions(r *http.Request, _ []byte) reply {
	urn := r.PathValue("urn")
	if !postURN.MatchString(urn) {
		return badRequest("%q is not a share or ugcPost URN", urn)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sum, ok := s.socialSummary(urn)
	if !ok {
		return fail(http.StatusNotFound, 0, "", "Not Found")
	}
	return answer(http.StatusOK, sum)
}

// rawIDs is the ids parameter of a raw query, as sent.
func rawIDs(rawQuery string) string {
	for _, kv := range strings.Split(rawQuery, "&") {
		if v, ok := strings.CutPrefix(kv, "ids="); ok {
			return v
		}
	}
	return ""
}
