package linkedin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strings"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/wire"
)

// memberMetrics maps memberCreatorPostAnalytics query types to Herald's
// metric names.
var memberMetrics = []struct{ queryType, metric string }{
	{"IMPRESSION", publishers.MetricImpressions},
	{"MEMBERS_REACHED", publishers.MetricReach},
	{"RESHARE", publishers.MetricShares},
	{"REACTION", publishers.MetricLikes},
	{"COMMENT", publishers.MetricComments},
}

// MetricClicks is the clicks on an organization's posts, a metric only
// LinkedIn reports.
const MetricClicks = "clicks"

// statsBatch is how many posts one organizationalEntityShareStatistics
// or socialActions call asks about.
const statsBatch = 20

// Analytics reads the account's statistics and those of req.RemoteIDs
// (post URNs; others are left out). Organizations: lifetime share
// statistics of the organization and of each post
// (organizationalEntityShareStatistics, scope rw_organization_admin) and
// its follower count (networkSizes). Members: memberCreatorPostAnalytics
// totals for the member and each post (scope r_member_postAnalytics),
// five calls each, one per metric. Both: each post's likes and comments
// from its social actions summary (socialActions, 20 posts a BATCH_GET,
// scope r_member_social or r_organization_social), which are what the
// post shows under it and so take the place of the statistics' likes and
// comments. LinkedIn grants those read scopes to few apps: a token
// without one gets the statistics' numbers alone rather than an error.
//
// RawAccount and RawPosts keep LinkedIn's names and numbers: the
// totalShareStatistics counts (impressionCount, uniqueImpressionsCount,
// clickCount, likeCount, commentCount, shareCount) and networkSizes'
// firstDegreeSize; memberCreatorPostAnalytics counts under their query
// types (IMPRESSION, MEMBERS_REACHED, RESHARE, REACTION, COMMENT); and
// the social actions' likesSummary and commentsSummary counts (totalLikes,
// totalFirstLevelComments, aggregatedTotalComments, ...).
func (p *Publisher) Analytics(ctx context.Context, req publishers.AnalyticsRequest) (publishers.Analytics, error) {
	s, err := newSession(req.Token, req.ForceRefresh)
	if err != nil {
		return publishers.Analytics{}, err
	}
	a, err := parseAuthor(req.PlatformUserID)
	if err != nil {
		return publishers.Analytics{}, err
	}
	var ids []string
	for _, id := range req.RemoteIDs {
		if postURN.MatchString(id) {
			ids = append(ids, id)
		}
	}
	out := publishers.Analytics{
		Account: publishers.Metrics{}, Posts: map[string]publishers.Metrics{},
		RawAccount: publishers.Metrics{}, RawPosts: map[string]publishers.Metrics{},
	}
	if a.org {
		err = p.organizationAnalytics(ctx, s, a, ids, &out)
	} else {
		err = p.memberAnalytics(ctx, s, ids, &out)
	}
	if err == nil {
		err = p.socialAnalytics(ctx, s, a, ids, &out)
	}
	if err != nil {
		return publishers.Analytics{}, err
	}
	return out, nil
}

// metricsOf returns m[id], made if needed.
func metricsOf(m map[string]publishers.Metrics, id string) publishers.Metrics {
	if m[id] == nil {
		m[id] = publishers.Metrics{}
	}
	return m[id]
}

func (p *Publisher) organizationAnalytics(ctx context.Context, s *session, a author, ids []string, out *publishers.Analytics) error {
	const scope = "rw_organization_admin"
	base := "q=organizationalEntity&organizationalEntity=" + escapeURN(a.urn)
	var raw json.RawMessage
	if _, err := p.do(ctx, s, call{step: "read organization share statistics", method: http.MethodGet, path: "/rest/organizationalEntityShareStatistics", query: base, finder: true, out: &raw, scope: scope}); err != nil {
		return err
	}
	stats, err := parseShareStatistics(raw)
	if err != nil {
		return publishers.Transient(fmt.Errorf("linkedin: read organization share statistics: %w", err))
	}
	if raw, ok := stats[""]; ok {
		out.Account, out.RawAccount = wire.Renamed(raw, shareMetrics), raw
	}
	raw = nil
	if _, err := p.do(ctx, s, call{step: "read organization followers", method: http.MethodGet, path: "/rest/networkSizes/" + escapeURN(a.urn), query: "edgeType=COMPANY_FOLLOWED_BY_MEMBER", out: &raw, scope: scope}); err != nil {
		return err
	}
	if n, err := parseNetworkSize(raw); err == nil {
		out.Account[publishers.MetricFollowers] = n
		out.RawAccount["firstDegreeSize"] = n
	}
	for start := 0; start < len(ids); start += statsBatch {
		batch := ids[start:min(start+statsBatch, len(ids))]
		var shares, ugc []string
		for _, id := range batch {
			if strings.HasPrefix(id, "urn:li:share:") {
				shares = append(shares, escapeURN(id))
			} else {
				ugc = append(ugc, escapeURN(id))
			}
		}
		q := base
		if len(shares) > 0 {
			q += "&shares=List(" + strings.Join(shares, ",") + ")"
		}
		if len(ugc) > 0 {
			q += "&ugcPosts=List(" + strings.Join(ugc, ",") + ")"
		}
		raw = nil
		step := fmt.Sprintf("read share statistics of %d posts", len(batch))
		if _, err := p.do(ctx, s, call{step: step, method: http.MethodGet, path: "/rest/organizationalEntityShareStatistics", query: q, finder: true, out: &raw, scope: scope}); err != nil {
			return err
		}
		stats, err := parseShareStatistics(raw)
		if err != nil {
			return publishers.Transient(fmt.Errorf("linkedin: %s: %w", step, err))
		}
		for _, id := range batch {
			if raw, ok := stats[id]; ok {
				out.Posts[id], out.RawPosts[id] = wire.Renamed(raw, shareMetrics), raw
			}
		}
	}
	return nil
}

// shareMetrics maps totalShareStatistics' names to Herald's.
var shareMetrics = map[string]string{
	"impressionCount":        publishers.MetricImpressions,
	"uniqueImpressionsCount": publishers.MetricReach,
	"clickCount":             MetricClicks,
	"likeCount":              publishers.MetricLikes,
	"commentCount":           publishers.MetricComments,
	"shareCount":             publishers.MetricShares,
}

// parseShareStatistics reads organizationalEntityShareStatistics: the
// totalShareStatistics counts of each element, under LinkedIn's names, by
// the post it is about ("" for the organization's totals).
func parseShareStatistics(b []byte) (map[string]publishers.Metrics, error) {
	var out struct {
		Elements []struct {
			Share   string          `json:"share"`
			UGCPost string          `json:"ugcPost"`
			Total   json.RawMessage `json:"totalShareStatistics"`
		} `json:"elements"`
	}
	if json.Unmarshal(b, &out) != nil {
		return nil, errors.New("statistics answer is not JSON")
	}
	res := map[string]publishers.Metrics{}
	for _, e := range out.Elements {
		key := e.Share
		if key == "" {
			key = e.UGCPost
		}
		if key != "" && !postURN.MatchString(key) {
			continue
		}
		res[key] = wire.NumericFields(e.Total)
	}
	return res, nil
}

// parseNetworkSize reads networkSizes' firstDegreeSize.
func parseNetworkSize(b []byte) (int64, error) {
	var out struct {
		FirstDegreeSize json.Number `json:"firstDegreeSize"`
	}
	if json.Unmarshal(b, &out) != nil {
		return 0, errors.New("network size answer is not JSON")
	}
	n, err := out.FirstDegreeSize.Int64()
	if err != nil || n < 0 {
		return 0, errors.New("network size answer has no firstDegreeSize")
	}
	return n, nil
}

func (p *Publisher) memberAnalytics(ctx context.Context, s *session, ids []string, out *publishers.Analytics) error {
	read := func(what, finder string) (m, raw publishers.Metrics, err error) {
		m, raw = publishers.Metrics{}, publishers.Metrics{}
		for _, mm := range memberMetrics {
			var answer json.RawMessage
			step := "read " + strings.ToLower(mm.queryType) + " of " + what
			q := finder + "&queryType=" + mm.queryType + "&aggregation=TOTAL"
			if _, err := p.do(ctx, s, call{step: step, method: http.MethodGet, path: "/rest/memberCreatorPostAnalytics", query: q, finder: true, out: &answer, scope: "r_member_postAnalytics"}); err != nil {
				return nil, nil, err
			}
			n, err := parseMemberAnalytics(answer)
			if err != nil {
				return nil, nil, publishers.Transient(fmt.Errorf("linkedin: %s: %w", step, err))
			}
			m[mm.metric] = n
			raw[mm.queryType] = n
		}
		return m, raw, nil
	}
	acct, raw, err := read("the member's posts", "q=me")
	if err != nil {
		return err
	}
	out.Account, out.RawAccount = acct, raw
	for _, id := range ids {
		typ := "share"
		if strings.HasPrefix(id, "urn:li:ugcPost:") {
			typ = "ugcPost"
		}
		m, raw, err := read(id, "q=entity&entity=("+typ+":"+escapeURN(id)+")")
		if err != nil {
			return err
		}
		out.Posts[id], out.RawPosts[id] = m, raw
	}
	return nil
}

// socialAnalytics reads the social actions summary of each post, 20 a
// BATCH_GET, into its likes and comments. Posts LinkedIn does not answer
// for (deleted, not visible to the token) keep what the statistics said.
func (p *Publisher) socialAnalytics(ctx context.Context, s *session, a author, ids []string, out *publishers.Analytics) error {
	for start := 0; start < len(ids); start += statsBatch {
		batch := ids[start:min(start+statsBatch, len(ids))]
		escaped := make([]string, len(batch))
		for i, id := range batch {
			escaped[i] = escapeURN(id)
		}
		var raw json.RawMessage
		step := fmt.Sprintf("read social actions of %d posts", len(batch))
		_, err := p.do(ctx, s, call{step: step, method: http.MethodGet, path: "/rest/socialActions", query: "ids=List(" + strings.Join(escaped, ",") + ")", out: &raw, scope: a.readScope()})
		if e := apiError(err); e != nil && e.Status == http.StatusForbidden && !e.tokenRefused() {
			// No r_member_social or r_organization_social: LinkedIn
			// grants them to few apps. The statistics' numbers stand.
			return nil
		}
		if err != nil {
			return err
		}
		summaries, err := parseSocialActions(raw)
		if err != nil {
			return publishers.Transient(fmt.Errorf("linkedin: %s: %w", step, err))
		}
		for _, id := range batch {
			sum, ok := summaries[id]
			if !ok {
				continue
			}
			m, r := metricsOf(out.Posts, id), metricsOf(out.RawPosts, id)
			maps.Copy(r, sum.raw)
			if n, ok := sum.raw["totalLikes"]; ok {
				m[publishers.MetricLikes] = n
			}
			if n, ok := sum.raw["aggregatedTotalComments"]; ok {
				m[publishers.MetricComments] = n
			}
		}
	}
	return nil
}

// socialSummary is one post's social actions summary: the numeric
// fields of likesSummary and commentsSummary, under LinkedIn's names.
type socialSummary struct {
	raw publishers.Metrics
}

// parseSocialActions reads a socialActions BATCH_GET answer,
// {"results": {urn: summary}, "statuses": ..., "errors": ...}, by post
// URN. Keys may come URL-encoded; keys that are not post URNs are left
// out.
func parseSocialActions(b []byte) (map[string]socialSummary, error) {
	var out struct {
		Results map[string]struct {
			Likes    json.RawMessage `json:"likesSummary"`
			Comments json.RawMessage `json:"commentsSummary"`
		} `json:"results"`
	}
	if json.Unmarshal(b, &out) != nil {
		return nil, errors.New("social actions answer is not JSON")
	}
	res := map[string]socialSummary{}
	for key, r := range out.Results {
		urn := key
		if strings.Contains(key, "%") {
			if u, err := url.QueryUnescape(key); err == nil {
				urn = u
			}
		}
		if !postURN.MatchString(urn) {
			continue
		}
		sum := socialSummary{raw: publishers.Metrics{}}
		for _, part := range []json.RawMessage{r.Likes, r.Comments} {
			maps.Copy(sum.raw, wire.NumericFields(part))
		}
		res[urn] = sum
	}
	return res, nil
}

// parseMemberAnalytics reads a memberCreatorPostAnalytics TOTAL answer:
// the sum of its elements' counts (one element; none when there is no
// data yet).
func parseMemberAnalytics(b []byte) (int64, error) {
	var out struct {
		Elements []struct {
			Count json.Number `json:"count"`
		} `json:"elements"`
	}
	if json.Unmarshal(b, &out) != nil {
		return 0, errors.New("analytics answer is not JSON")
	}
	var sum int64
	for _, e := range out.Elements {
		n, err := e.Count.Int64()
		if err != nil || n < 0 || sum+n < sum {
			return 0, errors.New("analytics answer has a bad count")
		}
		sum += n
	}
	return sum, nil
}
