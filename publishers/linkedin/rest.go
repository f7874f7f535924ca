package linkedin

import (
	"bytes"
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

// session is wire.Session with a way to clean LinkedIn's texts.
type session struct{ *wire.Session }

func newSession(t *oauth2.Token, refresh func(context.Context) (*oauth2.Token, error)) (*session, error) {
	s, err := wire.NewSession("linkedin", t, refresh)
	if err != nil {
		return nil, err
	}
	return &session{s}, nil
}

// clean makes text from outside fit for an error message: one line,
// at most n characters, no secret of the session.
func (s *session) clean(b []byte, n int) string { return wire.Quote(b, n, s.Secrets()...) }

// call is one REST call.
type call struct {
	// step names the call in errors: "linkedin: <step>: ...".
	step   string
	method string
	// path is under the base URL, "/rest/posts"; URNs in it must be
	// escaped with escapeURN.
	path string
	// query is the raw query, built with Rest.li 2.0's encoding.
	query string
	// finder marks a Rest.li FINDER (q=...) GET.
	finder bool
	body   any
	out    any
	// scope is the OAuth scope a 403 names.
	scope string
}

// do makes c with the session's token, again after one forced refresh
// if LinkedIn answers 401. A 2xx answer is decoded into c.out (when not
// nil) and its headers returned; anything else is a classified error.
func (p *Publisher) do(ctx context.Context, s *session, c call) (http.Header, error) {
	h, err := p.doOnce(ctx, s, c)
	if e := apiError(err); e != nil && e.Status == http.StatusUnauthorized && s.CanRefresh() {
		ok, rerr := s.Refresh(ctx)
		if rerr != nil && publishers.ClassOf(rerr) != publishers.ClassReauth {
			return nil, publishers.Transient(fmt.Errorf("linkedin: %s: token refused; refreshing it failed: %s", c.step, s.clean([]byte(rerr.Error()), maxMessage)))
		}
		if !ok {
			return nil, err
		}
		h, err = p.doOnce(ctx, s, c)
	}
	return h, err
}

func (p *Publisher) doOnce(ctx context.Context, s *session, c call) (http.Header, error) {
	endpoint := p.base + c.path
	if c.query != "" {
		endpoint += "?" + c.query
	}
	var body io.Reader
	if c.body != nil {
		b, err := json.Marshal(c.body)
		if err != nil {
			return nil, publishers.Permanent(fmt.Errorf("linkedin: %s: encode request: %w", c.step, err))
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, c.method, endpoint, body)
	if err != nil {
		return nil, publishers.Permanent(fmt.Errorf("linkedin: %s: %s", c.step, s.clean([]byte(stripURL(err).Error()), maxMessage)))
	}
	req.Header.Set("Authorization", "Bearer "+s.Token)
	req.Header.Set("LinkedIn-Version", p.version)
	req.Header.Set("X-Restli-Protocol-Version", "2.0.0")
	req.Header.Set("Accept", "application/json")
	if c.finder {
		req.Header.Set("X-RestLi-Method", "FINDER")
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, p.networkError(ctx, s, c.step, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return nil, p.networkError(ctx, s, c.step+": read answer", err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		e := parseError(resp.StatusCode, b, s.Secrets())
		return resp.Header, classify(c.step, c.scope, e, resp.Header, p.now(), p.rateLimitWait)
	}
	if c.out == nil {
		return resp.Header, nil
	}
	if err := json.Unmarshal(b, c.out); err != nil {
		return resp.Header, publishers.Transient(fmt.Errorf("linkedin: %s: %d answer is not JSON: %s", c.step, resp.StatusCode, s.clean(b, 100)))
	}
	return resp.Header, nil
}

// networkError classifies a failed round trip: never the URL, which can
// be a signed upload URL.
func (p *Publisher) networkError(ctx context.Context, s *session, step string, err error) error {
	if ctx.Err() != nil {
		return publishers.Transient(fmt.Errorf("linkedin: %s: %w", step, ctx.Err()))
	}
	return publishers.Transient(fmt.Errorf("linkedin: %s: %s", step, s.clean([]byte(stripURL(err).Error()), maxMessage)))
}

// stripURL drops the URL a *url.Error carries: URLs can be signed upload
// URLs and must not reach logs.
func stripURL(err error) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return fmt.Errorf("%s: %w", uerr.Op, uerr.Err)
	}
	return err
}

// escapeURN encodes a URN for a path segment or a query value the way
// Rest.li 2.0 wants it: every reserved character percent-encoded, ':'
// included.
func escapeURN(urn string) string {
	return strings.ReplaceAll(url.QueryEscape(urn), "+", "%20")
}
