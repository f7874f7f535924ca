package tiktok

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/wire"
)

// maxAnswer bounds how much of an answer is read.
const maxAnswer = 1 << 20

// call makes one API call of step: a POST of in as JSON (or a GET when in
// is nil and get is set) to path, with the token in the Authorization
// header and never in a URL. The answer's data is decoded into out (when
// not nil); a failure is a classified error whose text starts with
// "tiktok: <step>: ". A rejected token (access_token_invalid) is
// refreshed once through the session, and the call made again.
func (p *Publisher) call(ctx context.Context, s *wire.Session, step, method, path string, in, out any) error {
	err := p.callOnce(ctx, s, step, method, path, in, out)
	if e := apiError(err); e != nil && e.Code == codeTokenInvalid && s.CanRefresh() {
		// When the refresh fails, the first answer says more than its
		// failure.
		if ok, _ := s.Refresh(ctx); ok {
			err = p.callOnce(ctx, s, step, method, path, in, out)
		}
	}
	return err
}

func (p *Publisher) callOnce(ctx context.Context, s *wire.Session, step, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return publishers.Permanent(fmt.Errorf("tiktok: %s: encode request: %w", step, err))
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, p.base+path, body)
	if err != nil {
		return publishers.Permanent(fmt.Errorf("tiktok: %s: %s", step, wire.Quote(stripURL(err).Error(), maxMessage, s.Secrets()...)))
	}
	req.Header.Set("Authorization", "Bearer "+s.Token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json; charset=UTF-8")
	}
	resp, err := p.client.Do(req)
	if err != nil {
		return transportError(ctx, step, err, s.Secrets()...)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return transportError(ctx, step+": read answer", err, s.Secrets()...)
	}
	data, e := parseAnswer(resp.StatusCode, b, s.Secrets()...)
	if e != nil {
		return classify(step, e, resp.Header, p.now())
	}
	if out == nil {
		return nil
	}
	if len(data) == 0 || string(data) == "null" {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return publishers.Transient(fmt.Errorf("tiktok: %s: answer data does not decode: %s", step, wire.Quote(err.Error(), 100, s.Secrets()...)))
	}
	return nil
}

// errNoAnswer marks a call that got no answer: whether it took effect is
// unknown.
var errNoAnswer = errors.New("no answer")

// transportError is a call that got no answer (Transient), without the
// URL *url.Error would print.
func transportError(ctx context.Context, step string, err error, secrets ...string) error {
	if ctx.Err() != nil {
		return publishers.Transient(fmt.Errorf("tiktok: %s: %w: %w", step, errNoAnswer, ctx.Err()))
	}
	return publishers.Transient(fmt.Errorf("tiktok: %s: %w: %s", step, errNoAnswer, wire.Quote(stripURL(err).Error(), maxMessage, secrets...)))
}
