package tiktok

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/wire"
)

// DefaultAuthURL is TikTok's consent page for web apps (Login Kit for
// Web, "Redirect request to TikTok's authorization server").
const DefaultAuthURL = "https://www.tiktok.com/v2/auth/authorize/"

// Scopes asked by default when a TikTok account is connected through
// Herald: user.info.basic (open_id) and video.publish (Direct Post) to
// publish; video.list and user.info.stats for analytics.
var (
	PublishScopes   = []string{"user.info.basic", "video.publish"}
	AnalyticsScopes = []string{"video.list", "user.info.stats"}
)

// Consent is where the connect flow sends TikTok users (default
// DefaultAuthURL; tests give a fake's).
type Consent struct {
	AuthURL string
}

// authorization is how a TikTok account is connected through Herald:
// TikTok's client_key dialect (client_key in the authorize URL and the
// exchange form, scopes joined by commas), no PKCE (Login Kit for Web
// has none; it is Desktop's), and the open_id of the token answer as
// who connected.
func (p *Publisher) authorization(c Consent) *publishers.Authorization {
	if p.clientKey == "" || p.clientSecret == "" {
		return nil
	}
	return &publishers.Authorization{
		AuthURL: cmp.Or(c.AuthURL, DefaultAuthURL), TokenURL: p.base + TokenPath,
		AuthStyle: oauth2.AuthStyleInParams, ClientID: p.clientKey, ClientIDParam: "client_key",
		PublishScopes: PublishScopes, AnalyticsScopes: AnalyticsScopes, ScopeSeparator: ",",
		Exchange: p.exchangeCode,
		Identify: func(_ context.Context, _ *http.Client, tok *oauth2.Token) (publishers.Identity, error) {
			id, _ := tok.Extra("open_id").(string)
			if id == "" {
				return publishers.Identity{}, errors.New("tiktok: identify: the token answer has no open_id")
			}
			return publishers.Identity{PlatformUserID: id}, nil
		},
	}
}

// exchangeCode trades an authorization code at TikTok's token endpoint
// (Manage User Access Tokens, "Fetch an access token using an
// authorization code": form client_key, client_secret, code,
// grant_type=authorization_code, redirect_uri). No error text holds the
// code, a token or the secret.
func (p *Publisher) exchangeCode(ctx context.Context, hc *http.Client, code, verifier, redirectURI string) (*oauth2.Token, error) {
	form := url.Values{
		"client_key": {p.clientKey}, "client_secret": {p.clientSecret},
		"code": {code}, "grant_type": {"authorization_code"}, "redirect_uri": {redirectURI},
	}
	if verifier != "" {
		form.Set("code_verifier", verifier)
	}
	secrets := []string{p.clientSecret, code}
	resp, body, err := p.postForm(ctx, hc, TokenPath, form, secrets)
	if err != nil {
		return nil, fmt.Errorf("tiktok: exchange code: %w", err)
	}
	a, perr := parseTokenAnswer(body)
	if c, desc := a.errorCode(); c != "" {
		return nil, &oauth2.RetrieveError{Response: resp, ErrorCode: wire.Quote(c, 60, secrets...), ErrorDescription: wire.Quote(desc, maxMessage, secrets...)}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 || perr != nil || a.AccessToken == "" {
		return nil, fmt.Errorf("tiktok: exchange code: token endpoint answered HTTP %d without a token", resp.StatusCode)
	}
	t := &oauth2.Token{AccessToken: a.AccessToken, RefreshToken: a.RefreshToken, TokenType: "Bearer"}
	if a.ExpiresIn > 0 {
		t.Expiry = p.now().Add(time.Duration(min(a.ExpiresIn, int64(10*365*24*time.Hour/time.Second))) * time.Second)
	}
	extra := map[string]any{"open_id": a.OpenID}
	if a.Scope != "" {
		extra["scope"] = a.Scope
	}
	return t.WithExtra(extra), nil
}
