package linkedin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/heraldhq/herald/publishers"
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
// call asks about.
const statsBatch = 20

// Analytics reads the account's statistics and those of req.RemoteIDs
// (post URNs; others are left out). Organizations: lifetime share
// statistics of the organization and of each post
// (organizationalEntityShareStatistics, scope rw_organization_admin) and
// its follower count (networkSizes). Members: memberCreatorPostAnalytics
// totals for the member and each post (scope r_member_postAnalytics),
// five calls each, one per metric.
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
	out := publishers.Analytics{Account: publishers.Metrics{}, Posts: map[string]publishers.Metrics{}}
	if a.org {
		err = p.organizationAnalytics(ctx, s, a, ids, &out)
	} else {
		err = p.memberAnalytics(ctx, s, ids, &out)
	}
	if err != nil {
		return publishers.Analytics{}, err
	}
	return out, nil
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
	if m, ok := stats[""]; ok {
		out.Account = m
	}
	raw = nil
	if _, err := p.do(ctx, s, call{step: "read organization followers", method: http.MethodGet, path: "/rest/networkSizes/" + escapeURN(a.urn), query: "edgeType=COMPANY_FOLLOWED_BY_MEMBER", out: &raw, scope: scope}); err != nil {
		return err
	}
	if n, err := parseNetworkSize(raw); err == nil {
		out.Account[publishers.MetricFollowers] = n
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
			if m, ok := stats[id]; ok {
				out.Posts[id] = m
			}
		}
	}
	return nil
}

// parseShareStatistics reads organizationalEntityShareStatistics: the
// metrics of each element by the post it is about ("" for the
// organization's totals).
func parseShareStatistics(b []byte) (map[string]publishers.Metrics, error) {
	var out struct {
		Elements []struct {
			Share   string `json:"share"`
			UGCPost string `json:"ugcPost"`
			Total   struct {
				Impressions       json.Number `json:"impressionCount"`
				UniqueImpressions json.Number `json:"uniqueImpressionsCount"`
				Clicks            json.Number `json:"clickCount"`
				Likes             json.Number `json:"likeCount"`
				Comments          json.Number `json:"commentCount"`
				Shares            json.Number `json:"shareCount"`
			} `json:"totalShareStatistics"`
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
		m := publishers.Metrics{}
		for name, v := range map[string]json.Number{
			publishers.MetricImpressions: e.Total.Impressions,
			publishers.MetricReach:       e.Total.UniqueImpressions,
			MetricClicks:                 e.Total.Clicks,
			publishers.MetricLikes:       e.Total.Likes,
			publishers.MetricComments:    e.Total.Comments,
			publishers.MetricShares:      e.Total.Shares,
		} {
			if n, err := v.Int64(); err == nil && n >= 0 {
				m[name] = n
			}
		}
		res[key] = m
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
	read := func(what, finder string) (publishers.Metrics, error) {
		m := publishers.Metrics{}
		for _, mm := range memberMetrics {
			var raw json.RawMessage
			step := "read " + strings.ToLower(mm.queryType) + " of " + what
			q := finder + "&queryType=" + mm.queryType + "&aggregation=TOTAL"
			if _, err := p.do(ctx, s, call{step: step, method: http.MethodGet, path: "/rest/memberCreatorPostAnalytics", query: q, finder: true, out: &raw, scope: "r_member_postAnalytics"}); err != nil {
				return nil, err
			}
			n, err := parseMemberAnalytics(raw)
			if err != nil {
				return nil, publishers.Transient(fmt.Errorf("linkedin: %s: %w", step, err))
			}
			m[mm.metric] = n
		}
		return m, nil
	}
	acct, err := read("the member's posts", "q=me")
	if err != nil {
		return err
	}
	out.Account = acct
	for _, id := range ids {
		typ := "share"
		if strings.HasPrefix(id, "urn:li:ugcPost:") {
			typ = "ugcPost"
		}
		m, err := read(id, "q=entity&entity=("+typ+":"+escapeURN(id)+")")
		if err != nil {
			return err
		}
		out.Posts[id] = m
	}
	return nil
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
