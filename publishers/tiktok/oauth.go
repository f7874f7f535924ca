package tiktok

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

// OAuth endpoints, on the API host.
const (
	TokenPath  = "/v2/oauth/token/"
	RevokePath = "/v2/oauth/revoke/"
)

// tokenAnswer is the token endpoint's answer, success or error. TikTok
// answers errors as {"error": "invalid_grant", "error_description":
// ..., "log_id": ...}; error may also come as the API's error object.
type tokenAnswer struct {
	AccessToken      string          `json:"access_token"`
	ExpiresIn        int64           `json:"expires_in"`
	RefreshToken     string          `json:"refresh_token"`
	RefreshExpiresIn int64           `json:"refresh_expires_in"`
	OpenID           string          `json:"open_id"`
	Scope            string          `json:"scope"`
	TokenType        string          `json:"token_type"`
	Error            json.RawMessage `json:"error"`
	ErrorDescription string          `json:"error_description"`
}

// errorCode reads the answer's error: a string, or an object with code
// and message. "" means no error.
func (a tokenAnswer) errorCode() (code, description string) {
	var s string
	if json.Unmarshal(a.Error, &s) == nil {
		return strings.TrimSpace(s), a.ErrorDescription
	}
	var obj struct {
		Code    json.RawMessage `json:"code"`
		Message string          `json:"message"`
	}
	if json.Unmarshal(a.Error, &obj) == nil {
		if c := codeOf(obj.Code); c != codeOK && c != "0" {
			return c, cmp.Or(a.ErrorDescription, obj.Message)
		}
	}
	return "", ""
}

// parseTokenAnswer reads a token endpoint answer. Its input comes from
// outside: it must not panic.
func parseTokenAnswer(body []byte) (tokenAnswer, error) {
	var a tokenAnswer
	if err := json.Unmarshal(body, &a); err != nil {
		return tokenAnswer{}, errors.New("answer is not JSON")
	}
	return a, nil
}

// grantRefused says a token endpoint error means the refresh token is
// dead for good: invalid_grant, or TikTok's wording of it.
func grantRefused(code, description string) bool {
	if code == "invalid_grant" {
		return true
	}
	d := strings.ToLower(description)
	return code == "invalid_request" && strings.Contains(strings.ReplaceAll(d, "_", " "), "refresh token") &&
		(strings.Contains(d, "invalid") || strings.Contains(d, "expired") || strings.Contains(d, "revoked"))
}

// RefreshToken gets a new access token for tok's refresh token from
// TikTok's token endpoint (POST /v2/oauth/token/, form-encoded with
// client_key, client_secret, grant_type=refresh_token and refresh_token):
// the dialect x/oauth2 cannot speak, since TikTok wants client_key, not
// client_id. Its signature is tokens.Platform.Refresh's; hc nil means the
// publisher's client.
//
// TikTok rotates refresh tokens: the answer's refresh token replaces
// tok's, which may die at once, so the caller must store the new token
// before anything else uses the old one (the Vault stores it
// atomically). A refresh token TikTok refuses is an
// *oauth2.RetrieveError with ErrorCode "invalid_grant", so the Vault
// marks the account for reauthorization. No error text holds a token or
// the client secret.
func (p *Publisher) RefreshToken(ctx context.Context, hc *http.Client, tok *oauth2.Token) (*oauth2.Token, error) {
	if tok == nil || tok.RefreshToken == "" {
		return nil, &oauth2.RetrieveError{ErrorCode: "invalid_grant", ErrorDescription: "tiktok: the token has no refresh token"}
	}
	if p.clientKey == "" || p.clientSecret == "" {
		return nil, errors.New("tiktok: refresh token: client key and secret are not configured")
	}
	form := url.Values{
		"client_key": {p.clientKey}, "client_secret": {p.clientSecret},
		"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken},
	}
	secrets := []string{p.clientSecret, tok.RefreshToken, tok.AccessToken}
	resp, body, err := p.postForm(ctx, hc, TokenPath, form, secrets)
	if err != nil {
		return nil, fmt.Errorf("tiktok: refresh token: %w", err)
	}
	a, perr := parseTokenAnswer(body)
	code, desc := a.errorCode()
	switch {
	case code != "":
		if grantRefused(code, desc) {
			code = "invalid_grant"
		}
		return nil, &oauth2.RetrieveError{
			Response:         resp,
			ErrorCode:        wire.Quote(code, 60, secrets...),
			ErrorDescription: wire.Quote(desc, maxMessage, secrets...),
		}
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return nil, fmt.Errorf("tiktok: refresh token: token endpoint answered HTTP %d", resp.StatusCode)
	case perr != nil || a.AccessToken == "":
		return nil, errors.New("tiktok: refresh token: answer has no access token")
	}
	nt := &oauth2.Token{AccessToken: a.AccessToken, RefreshToken: a.RefreshToken, TokenType: "Bearer"}
	if a.ExpiresIn > 0 {
		nt.Expiry = p.now().Add(time.Duration(min(a.ExpiresIn, int64(10*365*24*time.Hour/time.Second))) * time.Second)
	}
	extra := map[string]any{}
	if a.OpenID != "" {
		extra["open_id"] = a.OpenID
	}
	if a.Scope != "" {
		extra["scope"] = a.Scope
	}
	if a.RefreshExpiresIn > 0 {
		extra["refresh_expires_in"] = a.RefreshExpiresIn
	}
	return nt.WithExtra(extra), nil
}

// Revoke revokes tok at TikTok (POST /v2/oauth/revoke/ with client_key,
// client_secret and the access token), which ends the whole grant. Its
// signature is tokens.Platform.Revoke's. An access token TikTok no
// longer knows is refreshed first and the new one revoked; a refresh
// token it no longer knows means there is nothing left to revoke.
func (p *Publisher) Revoke(ctx context.Context, hc *http.Client, tok *oauth2.Token) error {
	if tok == nil || (tok.AccessToken == "" && tok.RefreshToken == "") {
		return nil
	}
	if p.clientKey == "" || p.clientSecret == "" {
		return errors.New("tiktok: revoke: client key and secret are not configured")
	}
	err := p.revokeAccess(ctx, hc, tok)
	if !errors.Is(err, errTokenUnknown) || tok.RefreshToken == "" {
		return err
	}
	nt, rerr := p.RefreshToken(ctx, hc, tok)
	var re *oauth2.RetrieveError
	if errors.As(rerr, &re) && re.ErrorCode == "invalid_grant" {
		return nil // the grant is dead already
	}
	if rerr != nil {
		return fmt.Errorf("tiktok: revoke: refresh the expired access token: %w", rerr)
	}
	return p.revokeAccess(ctx, hc, nt)
}

var errTokenUnknown = errors.New("access token not valid")

func (p *Publisher) revokeAccess(ctx context.Context, hc *http.Client, tok *oauth2.Token) error {
	if tok.AccessToken == "" {
		return errTokenUnknown
	}
	form := url.Values{"client_key": {p.clientKey}, "client_secret": {p.clientSecret}, "token": {tok.AccessToken}}
	secrets := []string{p.clientSecret, tok.RefreshToken, tok.AccessToken}
	resp, body, err := p.postForm(ctx, hc, RevokePath, form, secrets)
	if err != nil {
		return fmt.Errorf("tiktok: revoke: %w", err)
	}
	a, _ := parseTokenAnswer(body)
	code, desc := a.errorCode()
	if code == "" && resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		return nil
	}
	if code == codeTokenInvalid || code == "invalid_token" {
		return fmt.Errorf("tiktok: revoke: %w", errTokenUnknown)
	}
	return fmt.Errorf("tiktok: revoke: HTTP %d %s %s", resp.StatusCode, wire.Quote(code, 60, secrets...), wire.Quote(desc, maxMessage, secrets...))
}

// postForm posts form to path on the API host and returns the answer,
// read. Errors never carry the URL or the form.
func (p *Publisher) postForm(ctx context.Context, hc *http.Client, path string, form url.Values, secrets []string) (*http.Response, []byte, error) {
	if hc == nil {
		hc = p.client
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, nil, errors.New("bad endpoint URL")
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		return nil, nil, errors.New(wire.Quote(stripURL(err).Error(), maxMessage, secrets...))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return nil, nil, errors.New("read answer: " + wire.Quote(stripURL(err).Error(), maxMessage, secrets...))
	}
	return resp, body, nil
}
