package youtube

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
)

// DefaultAuthURL is Google's consent page (OAuth 2.0 for Web Server
// Applications, "Step 1: Set authorization parameters").
const DefaultAuthURL = "https://accounts.google.com/o/oauth2/v2/auth"

// Scopes asked by default when a YouTube account is connected through
// Herald: openid for the id token's sub (the Google account, which
// Cross-Account Protection notices name), youtube.upload to publish,
// youtube.readonly for the channel (channels.list mine=true) and its
// statistics, which analytics reads.
var (
	PublishScopes   = []string{"openid", "https://www.googleapis.com/auth/youtube.upload", "https://www.googleapis.com/auth/youtube.readonly"}
	AnalyticsScopes = []string(nil)
)

// googleIssuers are the iss values of Google's id tokens (OpenID Connect,
// "Validating an ID token").
var googleIssuers = []string{"https://accounts.google.com", "accounts.google.com"}

// authorization is how a YouTube account is connected through Herald:
// Google's consent with PKCE, offline access (a refresh token) asked with
// prompt=consent so a reconnect gets a new one, and who connected read
// from the id token and channels.list.
func authorization(c Credentials, endpoint string) *publishers.Authorization {
	if c.ClientID == "" {
		return nil
	}
	return &publishers.Authorization{
		AuthURL: cmp.Or(c.AuthURL, DefaultAuthURL), TokenURL: cmp.Or(c.TokenURL, DefaultTokenURL),
		AuthStyle: oauth2.AuthStyleInParams, ClientID: c.ClientID, ClientSecret: c.ClientSecret,
		PublishScopes: PublishScopes, AnalyticsScopes: AnalyticsScopes, PKCE: true,
		AuthParams: map[string]string{"access_type": "offline", "prompt": "consent", "include_granted_scopes": "true"},
		Identify: func(ctx context.Context, hc *http.Client, tok *oauth2.Token) (publishers.Identity, error) {
			sub, err := idTokenSubject(tok, c.ClientID, time.Now())
			if err != nil {
				return publishers.Identity{}, err
			}
			ch, err := mineChannel(ctx, hc, cmp.Or(endpoint, DefaultEndpoint), tok.AccessToken)
			if err != nil {
				return publishers.Identity{}, err
			}
			return publishers.Identity{PlatformUserID: ch, LoginUserID: sub}, nil
		},
	}
}

// idTokenSubject is the sub of the token answer's id token after
// checking what OpenID Connect Core §3.1.3.7 asks of an id token that
// came straight from the token endpoint: its issuer is Google's (2), its
// audience holds this client, and a token for several audiences names
// this client as azp (3, 4, 5), its alg is RS256, Google's (7), and it
// has not expired (9). Its signature is not checked: (6) lets "the TLS
// server validation" of the token endpoint stand in for it, and Herald
// reads the id token from Google's token endpoint over TLS, never from
// the browser. The checks are cheap and catch a misconfigured token
// endpoint (another issuer, another client's token).
func idTokenSubject(tok *oauth2.Token, clientID string, now time.Time) (string, error) {
	raw, _ := tok.Extra("id_token").(string)
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return "", errors.New("youtube: identify: the token answer has no id token (was openid asked?)")
	}
	var header struct {
		Alg string `json:"alg"`
	}
	if err := decodeSegment(parts[0], &header); err != nil {
		return "", fmt.Errorf("youtube: identify: id token header: %w", err)
	}
	var claims struct {
		Iss string   `json:"iss"`
		Aud audience `json:"aud"`
		Azp string   `json:"azp"`
		Sub string   `json:"sub"`
		Exp int64    `json:"exp"`
	}
	if err := decodeSegment(parts[1], &claims); err != nil {
		return "", fmt.Errorf("youtube: identify: id token payload: %w", err)
	}
	switch {
	case header.Alg != "RS256":
		return "", fmt.Errorf("youtube: identify: id token alg %q, Google signs RS256", header.Alg)
	case !slices.Contains(claims.Aud, clientID):
		return "", errors.New("youtube: identify: id token for another client")
	case len(claims.Aud) > 1 && claims.Azp != clientID:
		return "", errors.New("youtube: identify: id token for several audiences, authorized for another client")
	case !slices.Contains(googleIssuers, claims.Iss):
		return "", fmt.Errorf("youtube: identify: id token issuer %q is not Google", claims.Iss)
	case now.Unix() >= claims.Exp:
		return "", errors.New("youtube: identify: id token expired")
	case claims.Sub == "":
		return "", errors.New("youtube: identify: id token without sub")
	}
	return claims.Sub, nil
}

// decodeSegment decodes one base64url JSON segment of a JWT into v.
func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return errors.New("not base64url")
	}
	if err := json.Unmarshal(b, v); err != nil {
		return errors.New("not JSON of the expected shape")
	}
	return nil
}

// audience is a JWT's aud: one string or a list of them (RFC 7519
// §4.1.3).
type audience []string

func (a *audience) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*a = audience{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*a = many
	return nil
}

// mineChannel is the id of the channel the token belongs to.
func mineChannel(ctx context.Context, hc *http.Client, endpoint, access string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(endpoint, "/")+"/youtube/v3/channels?part=id&mine=true", nil)
	if err != nil {
		return "", fmt.Errorf("youtube: identify: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+access)
	resp, err := hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("youtube: identify: channels.list: %w", err)
	}
	defer resp.Body.Close()
	var list struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK || json.Unmarshal(b, &list) != nil {
		return "", fmt.Errorf("youtube: identify: channels.list answered %d", resp.StatusCode)
	}
	if len(list.Items) == 0 || list.Items[0].ID == "" {
		return "", errors.New("youtube: identify: the Google account has no YouTube channel")
	}
	return list.Items[0].ID, nil
}
