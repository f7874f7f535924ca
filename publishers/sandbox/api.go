package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/wire"
)

// maxAnswer bounds how much of an answer is read.
const maxAnswer = 1 << 20

// call makes one API call: in, when not nil, is sent as JSON; a 2xx answer
// is decoded into out; anything else becomes a classified error whose text
// starts with "sandbox: <step>: ".
func (p *Publisher) call(ctx context.Context, step, method, path, token string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return publishers.Permanent(fmt.Errorf("sandbox: %s: encode request: %w", step, err))
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, p.base+path, body)
	if err != nil {
		return publishers.Permanent(fmt.Errorf("sandbox: %s: %w", step, err))
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := p.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return publishers.Transient(fmt.Errorf("sandbox: %s: %w", step, ctx.Err()))
		}
		// A *url.Error names the URL, never the headers: no token.
		return publishers.Transient(fmt.Errorf("sandbox: %s: %w", step, err))
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		if ctx.Err() != nil {
			return publishers.Transient(fmt.Errorf("sandbox: %s: %w", step, ctx.Err()))
		}
		return publishers.Transient(fmt.Errorf("sandbox: %s: read answer: %w", step, err))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return responseError(step, resp.StatusCode, resp.Header, b, token, p.now())
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return publishers.Transient(fmt.Errorf("sandbox: %s: %d answer is not JSON: %s", step, resp.StatusCode, wire.Quote(b, 100, token)))
	}
	return nil
}
