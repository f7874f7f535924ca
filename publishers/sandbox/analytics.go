package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/wire"
)

// statNames gives the common name of each of the platform's counts; the
// common metrics are read from the raw ones, so they agree.
var statNames = map[string]string{
	"followers": publishers.MetricFollowers,
	"views":     publishers.MetricViews,
	"likes":     publishers.MetricLikes,
	"comments":  publishers.MetricComments,
	"shares":    publishers.MetricShares,
}

// stats reads a stats answer's counts; ok is false when it is not a JSON
// object.
func stats(raw json.RawMessage) (publishers.Metrics, bool) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(raw, &obj) != nil {
		return nil, false
	}
	return wire.NumericFields(raw), true
}

// Analytics reads the account's followers and each post's views, likes,
// comments and shares. A post the platform no longer knows is left out.
// RawAccount and RawPosts hold every count the platform's answers carry,
// under its names (the same as Herald's common ones, today); Account and
// Posts are those of them that have a common name.
func (p *Publisher) Analytics(ctx context.Context, req publishers.AnalyticsRequest) (publishers.Analytics, error) {
	token, err := accessToken(req.Token)
	if err != nil {
		return publishers.Analytics{}, err
	}
	var raw json.RawMessage
	if err := p.call(ctx, "read account stats", http.MethodGet, "/v1/accounts/"+url.PathEscape(req.AccountID)+"/stats", token, nil, &raw); err != nil {
		return publishers.Analytics{}, err
	}
	acct, ok := stats(raw)
	if !ok {
		return publishers.Analytics{}, publishers.Transient(errors.New("sandbox: read account stats: answer is not account stats"))
	}
	out := publishers.Analytics{
		Account:    wire.Renamed(acct, statNames),
		Posts:      make(map[string]publishers.Metrics, len(req.RemoteIDs)),
		RawAccount: acct,
		RawPosts:   make(map[string]publishers.Metrics, len(req.RemoteIDs)),
	}
	for _, id := range req.RemoteIDs {
		var raw json.RawMessage
		err := p.call(ctx, "read stats of post "+id, http.MethodGet, "/v1/posts/"+url.PathEscape(id)+"/stats", token, nil, &raw)
		var apiErr *APIError
		if errors.As(err, &apiErr) && apiErr.Status == http.StatusNotFound {
			continue
		}
		if err != nil {
			return publishers.Analytics{}, err
		}
		st, ok := stats(raw)
		if !ok {
			return publishers.Analytics{}, publishers.Transient(fmt.Errorf("sandbox: read stats of post %s: answer is not post stats", id))
		}
		out.RawPosts[id] = st
		out.Posts[id] = wire.Renamed(st, statNames)
	}
	return out, nil
}
