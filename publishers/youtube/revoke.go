package youtube

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/oauth2"
)

// DefaultRevokeURL is Google's revoke endpoint.
const DefaultRevokeURL = "https://oauth2.googleapis.com/revoke"

// Revoke returns a revoke function for Google's endpoint (DefaultRevokeURL,
// or a fake's): a form POST of the refresh token, or of the access token
// when there is none. Revoking either ends the whole grant. Google answers
// 200, or 400 for a token it does not know. Errors name the endpoint's
// host and status, never the token. A nil client means one with
// DefaultCallTimeout.
func Revoke(endpoint string) func(context.Context, *http.Client, *oauth2.Token) error {
	return func(ctx context.Context, hc *http.Client, tok *oauth2.Token) error {
		if hc == nil {
			hc = &http.Client{Timeout: DefaultCallTimeout}
		}
		t := tok.RefreshToken
		if t == "" {
			t = tok.AccessToken
		}
		return revokeForm(ctx, hc, endpoint, url.Values{"token": {t}})
	}
}

// revokeForm posts form to endpoint and wants a 2xx.
func revokeForm(ctx context.Context, hc *http.Client, endpoint string, form url.Values) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("youtube: revoke endpoint: bad URL")
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := hc.Do(req)
	if err != nil {
		// A *url.Error repeats the URL, which may carry a query.
		if ue, ok := err.(*url.Error); ok {
			return fmt.Errorf("youtube: revoke at %s: %s: %v", req.URL.Host, ue.Op, ue.Err)
		}
		return fmt.Errorf("youtube: revoke at %s: %v", req.URL.Host, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("youtube: revoke at %s: HTTP %d", req.URL.Host, resp.StatusCode)
	}
	return nil
}
