package tokens

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/oauth2"
)

// GoogleRevoke revokes at Google's endpoint (https://oauth2.googleapis.com/revoke,
// or a fake's): a form POST of the refresh token, or the access token when
// there is none. Revoking either ends the whole grant.
func GoogleRevoke(endpoint string) func(context.Context, *http.Client, *oauth2.Token) error {
	return func(ctx context.Context, hc *http.Client, tok *oauth2.Token) error {
		t := tok.RefreshToken
		if t == "" {
			t = tok.AccessToken
		}
		return postForm(ctx, hc, endpoint, url.Values{"token": {t}})
	}
}

// postForm posts form to endpoint and wants a 2xx. Errors name the
// endpoint's host and status, never the form.
func postForm(ctx context.Context, hc *http.Client, endpoint string, form url.Values) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("revoke endpoint: bad URL")
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("revoke at %s: %s", req.URL.Host, stripURL(err))
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("revoke at %s: HTTP %d", req.URL.Host, resp.StatusCode)
	}
	return nil
}

// stripURL drops the URL from a *url.Error, which may carry query
// parameters.
func stripURL(err error) string {
	if ue, ok := err.(*url.Error); ok {
		return ue.Op + ": " + ue.Err.Error()
	}
	return err.Error()
}
