package instagram

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

	"github.com/heraldhq/herald/publishers"
)

// Business Login for Instagram's endpoints: the consent page and the
// short-lived code exchange (the long-lived exchange and /me are on the
// refresh host, graph.instagram.com).
const (
	DefaultAuthURL  = "https://www.instagram.com/oauth/authorize"
	DefaultTokenURL = "https://api.instagram.com/oauth/access_token"
)

// Scopes asked by default when an Instagram professional account is
// connected through Herald (Instagram Login): the account's profile and
// publishing; insights for analytics.
var (
	PublishScopes   = []string{"instagram_business_basic", "instagram_business_content_publish"}
	AnalyticsScopes = []string{"instagram_business_manage_insights"}
)

// Consent is the Instagram app (Instagram Login) the connect flow uses,
// and where it sends users; AuthURL and TokenURL default to Instagram's
// (tests give a fake's).
type Consent struct {
	AppID, AppSecret  string
	AuthURL, TokenURL string
}

// authorization is how an Instagram professional account is connected
// through Herald: Instagram's consent (comma-joined scopes, no PKCE,
// which Instagram Login does not take), the code exchanged for a
// short-lived token and that at once for a long-lived one (60 days),
// and the IG user id and username read from /me.
func (p *Publisher) authorization(c Consent) *publishers.Authorization {
	if c.AppID == "" || c.AppSecret == "" {
		return nil
	}
	return &publishers.Authorization{
		AuthURL: cmp.Or(c.AuthURL, DefaultAuthURL), TokenURL: cmp.Or(c.TokenURL, DefaultTokenURL),
		AuthStyle: oauth2.AuthStyleInParams, ClientID: c.AppID, ClientSecret: c.AppSecret,
		PublishScopes: PublishScopes, AnalyticsScopes: AnalyticsScopes, ScopeSeparator: ",",
		Exchange: func(ctx context.Context, hc *http.Client, code, _, redirectURI string) (*oauth2.Token, error) {
			return p.exchangeCode(ctx, hc, c, code, redirectURI)
		},
		Identify: p.identify,
	}
}

// exchangeCode trades the code for a short-lived token ("Step 2:
// Exchange the Code for a Token") and that for a long-lived one ("Get a
// long-lived access token", grant_type=ig_exchange_token). Errors name
// no code, token or secret.
func (p *Publisher) exchangeCode(ctx context.Context, hc *http.Client, c Consent, code, redirectURI string) (*oauth2.Token, error) {
	form := url.Values{"client_id": {c.AppID}, "client_secret": {c.AppSecret}, "grant_type": {"authorization_code"}, "redirect_uri": {redirectURI}, "code": {code}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cmp.Or(c.TokenURL, DefaultTokenURL), strings.NewReader(form.Encode()))
	if err != nil {
		return nil, errors.New("instagram: exchange code: bad token URL")
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	var short struct {
		Data []struct {
			AccessToken string          `json:"access_token"`
			UserID      json.RawMessage `json:"user_id"`
			Permissions json.RawMessage `json:"permissions"`
		} `json:"data"`
	}
	if err := doJSON(hc, req, &short); err != nil {
		return nil, &oauth2.RetrieveError{ErrorCode: "invalid_grant", ErrorDescription: "instagram: exchange code: " + err.Error()}
	}
	if len(short.Data) == 0 || short.Data[0].AccessToken == "" {
		return nil, errors.New("instagram: exchange code: answer has no access token")
	}
	q := url.Values{"grant_type": {"ig_exchange_token"}, "client_secret": {c.AppSecret}, "access_token": {short.Data[0].AccessToken}}
	req, err = http.NewRequestWithContext(ctx, http.MethodGet, p.refreshBase+"/access_token?"+q.Encode(), nil)
	if err != nil {
		return nil, errors.New("instagram: long-lived token: bad URL")
	}
	var long struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	if err := doJSON(hc, req, &long); err != nil || long.AccessToken == "" {
		return nil, fmt.Errorf("instagram: long-lived token: %v", cmp.Or(err, errors.New("answer has no access token")))
	}
	t := &oauth2.Token{AccessToken: long.AccessToken, TokenType: "Bearer"}
	if long.ExpiresIn > 0 {
		t.Expiry = p.now().Add(time.Duration(long.ExpiresIn) * time.Second)
	}
	if s := scopeString(short.Data[0].Permissions); s != "" {
		return t.WithExtra(map[string]any{"scope": s}), nil
	}
	return t, nil
}

// scopeString reads permissions, a comma-joined string or a list.
func scopeString(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var l []string
	if json.Unmarshal(raw, &l) == nil {
		return strings.Join(l, ",")
	}
	return ""
}

// identify reads the IG user id and username of tok (/me).
func (p *Publisher) identify(ctx context.Context, hc *http.Client, tok *oauth2.Token) (publishers.Identity, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.refreshBase+"/me?fields=user_id,username", nil)
	if err != nil {
		return publishers.Identity{}, errors.New("instagram: identify: bad URL")
	}
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	var me struct {
		UserID   json.RawMessage `json:"user_id"`
		Username string          `json:"username"`
	}
	if err := doJSON(hc, req, &me); err != nil {
		return publishers.Identity{}, fmt.Errorf("instagram: identify: %w", err)
	}
	id := strings.Trim(string(me.UserID), `"`)
	if id == "" || id == "null" {
		return publishers.Identity{}, errors.New("instagram: identify: /me has no user_id")
	}
	return publishers.Identity{PlatformUserID: id}, nil
}

// doJSON sends req and decodes a 200 answer into out; any other answer
// is an error naming the status only.
func doJSON(hc *http.Client, req *http.Request, out any) error {
	resp, err := hc.Do(req)
	if err != nil {
		return errors.New("request failed")
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("answered HTTP %d", resp.StatusCode)
	}
	if json.Unmarshal(b, out) != nil {
		return errors.New("answer is not JSON")
	}
	return nil
}
