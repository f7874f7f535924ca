package linkedin

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
)

// DefaultAuthURL is LinkedIn's consent page (Authorization Code Flow,
// "Step 2: Request an Authorization Code").
const DefaultAuthURL = "https://www.linkedin.com/oauth/v2/authorization"

// UserinfoPath is LinkedIn's OpenID Connect userinfo on the API host
// (Sign In with LinkedIn using OpenID Connect).
const UserinfoPath = "/v2/userinfo"

// Scopes asked by default when a LinkedIn member is connected through
// Herald: openid and profile for the member's id (sub), w_member_social
// to post as the member; r_member_postAnalytics for the member's post
// analytics. Posting as an organization the member administers needs
// OrganizationScopes too, which the app adds to scopes.
var (
	PublishScopes   = []string{"openid", "profile", "w_member_social"}
	AnalyticsScopes = []string{"r_member_postAnalytics"}
)

// Consent is where the connect flow sends LinkedIn members (default
// DefaultAuthURL; tests give a fake's).
type Consent struct {
	AuthURL string
}

// authorization is how a LinkedIn member is connected through Herald:
// the standard code exchange with the client credentials in the form,
// no PKCE (LinkedIn's web flow has none), the member read from the
// OpenID userinfo (sub, the id of urn:li:person:<sub>), and, when the
// grant holds r_organization_admin, the organizations the member
// administers (organizations.go).
func (p *Publisher) authorization(a OAuth, c Consent) *publishers.Authorization {
	if a.ClientID == "" || a.ClientSecret == "" {
		return nil
	}
	return &publishers.Authorization{
		AuthURL: cmp.Or(c.AuthURL, DefaultAuthURL), TokenURL: cmp.Or(a.TokenURL, DefaultTokenURL),
		AuthStyle: oauth2.AuthStyleInParams, ClientID: a.ClientID, ClientSecret: a.ClientSecret,
		PublishScopes: PublishScopes, AnalyticsScopes: AnalyticsScopes,
		Identify: func(ctx context.Context, hc *http.Client, tok *oauth2.Token) (publishers.Identity, error) {
			sub, err := userinfoSub(ctx, hc, p.base+UserinfoPath, tok.AccessToken)
			if err != nil {
				return publishers.Identity{}, err
			}
			orgs, note := p.organizationsOf(ctx, tok)
			return publishers.Identity{PlatformUserID: "urn:li:person:" + sub, Organizations: orgs, Note: note}, nil
		},
	}
}

// userinfoSub reads the member's sub from the userinfo endpoint.
func userinfoSub(ctx context.Context, hc *http.Client, url, access string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", fmt.Errorf("linkedin: identify: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+access)
	resp, err := hc.Do(req)
	if err != nil {
		return "", fmt.Errorf("linkedin: identify: userinfo: %w", err)
	}
	defer resp.Body.Close()
	var info struct {
		Sub string `json:"sub"`
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK || json.Unmarshal(b, &info) != nil {
		return "", fmt.Errorf("linkedin: identify: userinfo answered %d", resp.StatusCode)
	}
	if info.Sub == "" || !personURN.MatchString("urn:li:person:"+info.Sub) {
		return "", errors.New("linkedin: identify: userinfo has no usable sub")
	}
	return info.Sub, nil
}
