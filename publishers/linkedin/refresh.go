package linkedin

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers/internal/wire"
)

// DefaultTokenURL is LinkedIn's token endpoint.
const DefaultTokenURL = "https://www.linkedin.com/oauth/v2/accessToken"

// DefaultReconnectLead is how long before a token that cannot be
// refreshed expires that the member should be asked to connect again.
const DefaultReconnectLead = 7 * 24 * time.Hour

// OAuth is LinkedIn's token endpoint as one app (client id and secret)
// uses it. Its Refresh method is a tokens.Platform Refresh function.
type OAuth struct {
	// TokenURL is DefaultTokenURL, or a fake's.
	TokenURL     string
	ClientID     string
	ClientSecret string
	// Now is the clock that dates expiries; nil means time.Now.
	Now func() time.Time
}

// Refresh renews tok with its refresh token (grant refresh_token, client
// credentials in the form body). LinkedIn issues refresh tokens only to
// approved partner apps, and they last 365 days from the first consent,
// not from the last refresh. A token without one, or one LinkedIn
// refuses, is an *oauth2.RetrieveError with ErrorCode "invalid_grant":
// the account must be connected again. Error texts never carry the
// tokens, the client secret or the endpoint's body.
func (o OAuth) Refresh(ctx context.Context, hc *http.Client, tok *oauth2.Token) (*oauth2.Token, error) {
	if tok == nil || tok.RefreshToken == "" {
		return nil, &oauth2.RetrieveError{ErrorCode: "invalid_grant", ErrorDescription: "no refresh token: LinkedIn grants them to approved partner apps only; the member must connect again before the access token expires"}
	}
	if hc == nil {
		hc = &http.Client{Timeout: DefaultTimeout}
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	form := url.Values{
		"grant_type":    {"refresh_token"},
		"refresh_token": {tok.RefreshToken},
		"client_id":     {o.ClientID},
		"client_secret": {o.ClientSecret},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cmp.Or(o.TokenURL, DefaultTokenURL), strings.NewReader(form.Encode()))
	if err != nil {
		return nil, errors.New("linkedin: refresh token: bad token URL")
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	secrets := []string{tok.RefreshToken, tok.AccessToken, o.ClientSecret}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("linkedin: refresh token at %s: %s", req.URL.Host, wire.Quote(stripURL(err).Error(), maxMessage, secrets...))
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return nil, fmt.Errorf("linkedin: refresh token at %s: read answer: %s", req.URL.Host, wire.Quote(stripURL(err).Error(), maxMessage, secrets...))
	}
	if resp.StatusCode != http.StatusOK {
		code, desc := parseTokenError(resp.StatusCode, b, secrets)
		return nil, &oauth2.RetrieveError{Response: resp, ErrorCode: code, ErrorDescription: desc}
	}
	a, err := parseTokenAnswer(b)
	if err != nil {
		return nil, fmt.Errorf("linkedin: refresh token at %s: %w", req.URL.Host, err)
	}
	nt := &oauth2.Token{AccessToken: a.AccessToken, TokenType: "Bearer", RefreshToken: a.RefreshToken}
	if nt.RefreshToken == "" {
		nt.RefreshToken = tok.RefreshToken
	}
	if a.ExpiresIn > 0 {
		nt.Expiry = now().Add(time.Duration(a.ExpiresIn) * time.Second)
	}
	if a.RefreshTokenExpiresIn > 0 {
		nt = nt.WithExtra(map[string]any{"refresh_token_expires_in": a.RefreshTokenExpiresIn})
	}
	return nt, nil
}

type tokenAnswer struct {
	AccessToken           string `json:"access_token"`
	ExpiresIn             int64  `json:"expires_in"`
	RefreshToken          string `json:"refresh_token"`
	RefreshTokenExpiresIn int64  `json:"refresh_token_expires_in"`
	Scope                 string `json:"scope"`
}

// parseTokenAnswer reads a 200 answer of the token endpoint.
func parseTokenAnswer(b []byte) (tokenAnswer, error) {
	var a tokenAnswer
	if json.Unmarshal(b, &a) != nil {
		return tokenAnswer{}, errors.New("answer is not JSON")
	}
	if a.AccessToken == "" {
		return tokenAnswer{}, errors.New("answer has no access token")
	}
	if a.ExpiresIn < 0 || a.ExpiresIn > 10*365*24*3600 {
		a.ExpiresIn = 0
	}
	if a.RefreshTokenExpiresIn < 0 || a.RefreshTokenExpiresIn > 10*365*24*3600 {
		a.RefreshTokenExpiresIn = 0
	}
	return a, nil
}

// parseTokenError reads an OAuth error answer as an error code and a
// description without secrets. LinkedIn words a dead refresh token as
// invalid_grant, and in places as invalid_request naming the refresh
// token; both come out as invalid_grant.
func parseTokenError(status int, b []byte, secrets []string) (code, desc string) {
	var e struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	_ = json.Unmarshal(b, &e)
	code = e.Error
	if !codeWord(code) {
		code = ""
	}
	desc = wire.Quote(e.Description, maxMessage, secrets...)
	low := strings.ToLower(e.Description)
	if code == "invalid_request" && strings.Contains(low, "refresh token") &&
		(strings.Contains(low, "invalid") || strings.Contains(low, "expired") || strings.Contains(low, "revoked")) {
		code = "invalid_grant"
	}
	if code == "" {
		code = "server_error"
		if status >= 400 && status < 500 {
			code = "invalid_request"
		}
	}
	return code, desc
}

// codeWord says whether s looks like an OAuth error code.
func codeWord(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && r != '_' {
			return false
		}
	}
	return true
}

// ReconnectDue says whether the member should be asked now to connect
// again: tok cannot be refreshed (no refresh token, as for most apps)
// and expires within lead (DefaultReconnectLead when lead <= 0). A token
// without an expiry is never due.
func ReconnectDue(tok *oauth2.Token, now time.Time, lead time.Duration) bool {
	if lead <= 0 {
		lead = DefaultReconnectLead
	}
	return tok != nil && tok.RefreshToken == "" && !tok.Expiry.IsZero() && tok.Expiry.Sub(now) < lead
}
