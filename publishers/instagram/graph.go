package instagram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/wire"
)

// maxAnswer bounds how much of an answer is read.
const maxAnswer = 1 << 20

// session is wire.Session with what Instagram's answers say of the
// rate limits.
type session struct {
	*wire.Session
	// usage is the highest share of a rate limit (percent) the last
	// answer reported in X-App-Usage or X-Business-Use-Case-Usage, and
	// header that answer's headers.
	usage  float64
	header http.Header
}

func newSession(t *oauth2.Token, refresh func(context.Context) (*oauth2.Token, error)) (*session, error) {
	s, err := wire.NewSession("instagram", t, refresh)
	if err != nil {
		return nil, err
	}
	return &session{Session: s}, nil
}

// clean makes text from outside fit for an error message: one line, at
// most n characters, no secret of the session (the refresh token and
// every access token it held, not just the one in use).
func (s *session) clean(b []byte, n int) string { return wire.Quote(b, n, s.Secrets()...) }

// graph makes one Graph API call of step: params go in the query of a GET
// and in the form body of a POST; the token goes in the Authorization
// header, never in a URL. A 2xx answer is decoded into out (when not nil);
// anything else becomes a classified error whose text starts with
// "instagram: <step>: ". A rejected token (code 190) is refreshed once
// through the session, and the call made again.
func (p *Publisher) graph(ctx context.Context, s *session, step, method, path string, params url.Values, out any) error {
	h, err := p.graphOnce(ctx, s, p.base+"/"+p.version+path, step, method, params, out)
	if e := graphError(err); e != nil && e.Code == codeInvalidToken && s.CanRefresh() {
		// When the refresh fails, the first answer says more than its
		// failure.
		if ok, _ := s.Refresh(ctx); !ok {
			return err
		}
		h, err = p.graphOnce(ctx, s, p.base+"/"+p.version+path, step, method, params, out)
	}
	if h != nil {
		s.header, s.usage = h, max(appUsage(h.Get("X-App-Usage")), businessUsage(h.Get("X-Business-Use-Case-Usage")))
	}
	return err
}

func (p *Publisher) graphOnce(ctx context.Context, s *session, endpoint, step, method string, params url.Values, out any) (http.Header, error) {
	var body io.Reader
	if method == http.MethodGet {
		if len(params) > 0 {
			endpoint += "?" + params.Encode()
		}
	} else {
		body = strings.NewReader(params.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, endpoint, body)
	if err != nil {
		return nil, publishers.Permanent(fmt.Errorf("instagram: %s: %w", step, stripURL(err)))
	}
	if s.Token != "" {
		req.Header.Set("Authorization", "Bearer "+s.Token)
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := p.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, publishers.Transient(fmt.Errorf("instagram: %s: %w", step, ctx.Err()))
		}
		return nil, publishers.Transient(fmt.Errorf("instagram: %s: %s", step, s.clean([]byte(stripURL(err).Error()), maxMessage)))
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		if ctx.Err() != nil {
			return nil, publishers.Transient(fmt.Errorf("instagram: %s: %w", step, ctx.Err()))
		}
		return nil, publishers.Transient(fmt.Errorf("instagram: %s: read answer: %s", step, s.clean([]byte(stripURL(err).Error()), maxMessage)))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.Header, classify(step, parseError(resp.StatusCode, b, s.Secrets()), resp.Header, p.now())
	}
	if out == nil {
		return resp.Header, nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return resp.Header, publishers.Transient(fmt.Errorf("instagram: %s: %d answer is not JSON: %s", step, resp.StatusCode, s.clean(b, 100)))
	}
	return resp.Header, nil
}

// stripURL drops the URL a *url.Error carries: URLs can hold a token
// (refresh calls, a misconfigured base URL) and must not reach logs.
func stripURL(err error) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return fmt.Errorf("%s: %w", uerr.Op, uerr.Err)
	}
	return err
}
