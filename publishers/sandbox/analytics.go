package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/heraldhq/herald/publishers"
)

type accountStats struct {
	Followers int64 `json:"followers"`
}

type postStats struct {
	Views    int64 `json:"views"`
	Likes    int64 `json:"likes"`
	Comments int64 `json:"comments"`
	Shares   int64 `json:"shares"`
}

// Analytics reads the account's followers and each post's views, likes,
// comments and shares. A post the platform no longer knows is left out.
// RawAccount and RawPosts hold every count the platform's answers carry,
// under its names (the same as Herald's common ones, today).
func (p *Publisher) Analytics(ctx context.Context, req publishers.AnalyticsRequest) (publishers.Analytics, error) {
	token, err := accessToken(req.Token)
	if err != nil {
		return publishers.Analytics{}, err
	}
	var raw json.RawMessage
	if err := p.call(ctx, "read account stats", http.MethodGet, "/v1/accounts/"+url.PathEscape(req.AccountID)+"/stats", token, nil, &raw); err != nil {
		return publishers.Analytics{}, err
	}
	var acct accountStats
	if err := json.Unmarshal(raw, &acct); err != nil {
		return publishers.Analytics{}, publishers.Transient(errors.New("sandbox: read account stats: answer is not account stats"))
	}
	out := publishers.Analytics{
		Account:    publishers.Metrics{publishers.MetricFollowers: acct.Followers},
		Posts:      make(map[string]publishers.Metrics, len(req.RemoteIDs)),
		RawAccount: publishers.NumericFields(raw),
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
		var st postStats
		if err := json.Unmarshal(raw, &st); err != nil {
			return publishers.Analytics{}, publishers.Transient(fmt.Errorf("sandbox: read stats of post %s: answer is not post stats", id))
		}
		out.RawPosts[id] = publishers.NumericFields(raw)
		out.Posts[id] = publishers.Metrics{
			publishers.MetricViews:    st.Views,
			publishers.MetricLikes:    st.Likes,
			publishers.MetricComments: st.Comments,
			publishers.MetricShares:   st.Shares,
		}
	}
	return out, nil
}
