package instagram

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/wire"
)

// Instagram's own metric names kept as they are, next to the common ones.
const (
	MetricSaved             = "saved"
	MetricTotalInteractions = "total_interactions"
	MetricReplies           = "replies"
	MetricMediaCount        = "media_count"
)

// mediaBatch is how many media one batched read (GET /?ids=...) names.
const mediaBatch = 50

// insightsWindow is the longest period account insights cover in one read.
const insightsWindow = 30 * 24 * time.Hour

// metricNames maps Graph metric and field names to Metrics names.
var metricNames = map[string]string{
	"views":              publishers.MetricViews,
	"reach":              publishers.MetricReach,
	"likes":              publishers.MetricLikes,
	"like_count":         publishers.MetricLikes,
	"comments":           publishers.MetricComments,
	"comments_count":     publishers.MetricComments,
	"shares":             publishers.MetricShares,
	"saved":              MetricSaved,
	"total_interactions": MetricTotalInteractions,
	"replies":            MetricReplies,
	"followers_count":    publishers.MetricFollowers,
	"media_count":        MetricMediaCount,
}

// insightMetrics are the media insights asked for, by media_product_type:
// asking for a metric a type lacks fails the whole read. impressions,
// plays and video_views are gone from the API.
var insightMetrics = map[string]string{
	"FEED":  "views,reach,likes,comments,shares,saved,total_interactions",
	"REELS": "views,reach,likes,comments,shares,saved,total_interactions",
	"STORY": "views,reach,shares,replies,total_interactions",
}

type mediaFields struct {
	ID          string `json:"id"`
	ProductType string `json:"media_product_type"`
	// raw is the media's numeric fields under Graph's names.
	raw publishers.Metrics
}

// insights is an insights answer. Values stay raw: some metrics (a
// story's navigation, breakdowns) have objects for values, and one of
// them must not spoil the read of the others.
type insights struct {
	Data []struct {
		Name   string `json:"name"`
		Values []struct {
			Value json.RawMessage `json:"value"`
		} `json:"values"`
		TotalValue *struct {
			Value json.RawMessage `json:"value"`
		} `json:"total_value"`
	} `json:"data"`
}

// into adds the metrics in ins, the last value of each, to raw under
// Graph's names and to m under the common ones. Values that are not
// whole numbers are left out.
func (ins insights) into(m, raw publishers.Metrics) {
	for _, d := range ins.Data {
		var v json.RawMessage
		switch {
		case d.TotalValue != nil:
			v = d.TotalValue.Value
		case len(d.Values) > 0:
			v = d.Values[len(d.Values)-1].Value
		}
		n, ok := wire.Integer(v)
		if !ok || d.Name == "" {
			continue
		}
		raw[d.Name] = n
		if name, ok := metricNames[d.Name]; ok {
			m[name] = n
		}
	}
}

// Analytics reads the account's followers, media count, and reach and
// views since req.Since (at most 30 days back), and each post's likes,
// comments and insights for its type. A post Instagram no longer knows is
// left out; a post without insights (too new, too few viewers, a story
// older than a day) has its likes and comments only. RawAccount and
// RawPosts keep Graph's names and numbers: the account's followers_count
// and media_count and its insights (reach, views); each media's
// like_count and comments_count and every insight returned for it
// (views, reach, likes, comments, shares, saved, total_interactions,
// replies, ...).
func (p *Publisher) Analytics(ctx context.Context, req publishers.AnalyticsRequest) (publishers.Analytics, error) {
	s, err := newSession(req.Token, req.ForceRefresh)
	if err != nil {
		return publishers.Analytics{}, err
	}
	if !igUserID.MatchString(req.PlatformUserID) {
		return publishers.Analytics{}, publishers.Permanent(fmt.Errorf("instagram: account has no ig-user-id (platform user id %q)", s.clean([]byte(req.PlatformUserID), 60)))
	}
	user := req.PlatformUserID
	out := publishers.Analytics{
		Account: publishers.Metrics{}, Posts: map[string]publishers.Metrics{},
		RawAccount: publishers.Metrics{}, RawPosts: map[string]publishers.Metrics{},
	}

	var acct json.RawMessage
	if err := p.graph(ctx, s, "read account", http.MethodGet, "/"+user, url.Values{"fields": {"followers_count,media_count"}}, &acct); err != nil {
		return publishers.Analytics{}, err
	}
	fields := wire.NumericFields(acct)
	for _, f := range []string{"followers_count", "media_count"} {
		if v, ok := fields[f]; ok {
			out.Account[metricNames[f]] = v
			out.RawAccount[f] = v
		}
	}
	now := p.now()
	since := req.Since
	if since.IsZero() || now.Sub(since) > insightsWindow {
		since = now.Add(-insightsWindow + time.Hour)
	}
	var ins insights
	params := url.Values{
		"metric": {"reach,views"}, "period": {"day"}, "metric_type": {"total_value"},
		"since": {fmt.Sprint(since.Unix())}, "until": {fmt.Sprint(now.Unix())},
	}
	err = p.graph(ctx, s, "read account insights", http.MethodGet, "/"+user+"/insights", params, &ins)
	if err := fatal(err); err != nil {
		return publishers.Analytics{}, err
	}
	ins.into(out.Account, out.RawAccount)

	media, err := p.mediaFields(ctx, s, req.RemoteIDs)
	if err != nil {
		return publishers.Analytics{}, err
	}
	for _, m := range media {
		metrics, raw := publishers.Metrics{}, publishers.Metrics{}
		for _, f := range []string{"like_count", "comments_count"} {
			if v, ok := m.raw[f]; ok {
				metrics[metricNames[f]] = v
				raw[f] = v
			}
		}
		names, ok := insightMetrics[m.ProductType]
		if !ok {
			names = "reach"
		}
		var ins insights
		err := p.graph(ctx, s, "read insights of media "+m.ID, http.MethodGet, "/"+m.ID+"/insights", url.Values{"metric": {names}}, &ins)
		if err := fatal(err); err != nil {
			return publishers.Analytics{}, err
		}
		ins.into(metrics, raw)
		out.Posts[m.ID] = metrics
		out.RawPosts[m.ID] = raw
	}
	return out, nil
}

// fatal is err unless it only says "no insights here": code 10 (too few
// viewers) or 100 (metric not offered for this media or account).
func fatal(err error) error {
	if e := graphError(err); e != nil && (e.Code == codeNotEnoughViewers || e.Code == 100) {
		return nil
	}
	return err
}

// mediaFields reads the type, likes and comments of ids, 50 a call. A
// batch naming an unknown id fails whole; its ids are then read one by
// one, and the unknown ones left out.
func (p *Publisher) mediaFields(ctx context.Context, s *session, ids []string) ([]mediaFields, error) {
	var valid []string
	for _, id := range ids {
		if igUserID.MatchString(id) {
			valid = append(valid, id)
		}
	}
	const fields = "id,media_product_type,like_count,comments_count"
	var out []mediaFields
	for start := 0; start < len(valid); start += mediaBatch {
		chunk := valid[start:min(start+mediaBatch, len(valid))]
		var batch map[string]json.RawMessage
		err := p.graph(ctx, s, fmt.Sprintf("read media %d-%d of %d", start+1, start+len(chunk), len(valid)), http.MethodGet, "/",
			url.Values{"ids": {strings.Join(chunk, ",")}, "fields": {fields}}, &batch)
		if e := graphError(err); e != nil && e.Code == 100 {
			for _, id := range chunk {
				var raw json.RawMessage
				err := p.graph(ctx, s, "read media "+id, http.MethodGet, "/"+id, url.Values{"fields": {fields}}, &raw)
				if e := graphError(err); e != nil && e.Code == 100 {
					continue
				}
				if err != nil {
					return nil, err
				}
				if m, ok := parseMediaFields(id, raw); ok {
					out = append(out, m)
				}
			}
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, id := range chunk {
			if m, ok := parseMediaFields(id, batch[id]); ok {
				out = append(out, m)
			}
		}
	}
	return out, nil
}

// parseMediaFields reads the fields of media id; a media that is not an
// object is left out.
func parseMediaFields(id string, raw json.RawMessage) (mediaFields, bool) {
	var m mediaFields
	if len(raw) == 0 || json.Unmarshal(raw, &m) != nil {
		return mediaFields{}, false
	}
	m.ID = id
	m.raw = wire.NumericFields(raw)
	return m, true
}
