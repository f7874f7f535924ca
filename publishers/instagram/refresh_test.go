package instagram_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/instagram"
	"github.com/heraldhq/herald/publishers/instagram/instagramtest"
)

// fbToken is a Facebook User access token's form.
const fbToken = "EAAGm0PX4ZCpsBA-fb-tok-31c7"

func TestRefreshToken(t *testing.T) {
	tests := []struct {
		name     string
		appID    string
		secret   string
		tok      *oauth2.Token
		class    publishers.Class
		endpoint string
	}{
		{"instagram login", "", "", &oauth2.Token{AccessToken: token}, -1, "/refresh_access_token"},
		// The app's credentials do not make an Instagram Login token a
		// Facebook one: each login keeps its own grant.
		{"instagram login beside facebook login", "app-1", "s3cret", &oauth2.Token{AccessToken: token}, -1, "/refresh_access_token"},
		{"facebook login", "app-1", "s3cret", &oauth2.Token{AccessToken: fbToken}, -1, "/v24.0/oauth/access_token"},
		// The login recorded with the token wins over its form.
		{"recorded facebook login", "app-1", "s3cret", instagram.WithLogin(&oauth2.Token{AccessToken: token}, instagram.LoginFacebook), -1, "/v24.0/oauth/access_token"},
		// A wrong app secret is the deployment's fault: every account
		// would be marked for reconnection if it were reauth.
		{"wrong app secret", "app-1", "wrong", &oauth2.Token{AccessToken: fbToken}, publishers.ClassPermanent, "/v24.0/oauth/access_token"},
		{"revoked", "", "", instagram.WithLogin(&oauth2.Token{AccessToken: instagramtest.TokenRevoked}, instagram.LoginInstagram), publishers.ClassReauth, "/refresh_access_token"},
		{"expired", "app-1", "s3cret", instagram.WithLogin(&oauth2.Token{AccessToken: instagramtest.TokenExpired}, instagram.LoginFacebook), publishers.ClassReauth, "/v24.0/oauth/access_token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := start(t, func(o *instagram.Options) { o.AppID, o.AppSecret = tt.appID, tt.secret })
			e.srv.SetAppSecret("s3cret")
			got, err := e.p.RefreshToken(context.Background(), tt.tok)
			calls := e.srv.Calls()
			if len(calls) != 1 || calls[0].Path != tt.endpoint {
				t.Fatalf("calls %+v, want one to %s", calls, tt.endpoint)
			}
			if tt.endpoint == "/refresh_access_token" {
				// Instagram Login's refresh takes the token as a query
				// parameter (the fake refuses it anywhere else).
				if !calls[0].TokenInURL {
					t.Errorf("refresh did not send access_token in its query")
				}
			} else {
				checkNoTokenInURLs(t, e.srv)
			}
			if tt.class >= 0 {
				if publishers.ClassOf(err) != tt.class || strings.Contains(err.Error(), "s3cret") {
					t.Errorf("err = %v, want %s without the secret", err, tt.class)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.AccessToken == "" || got.AccessToken == tt.tok.AccessToken || !got.Expiry.Equal(epoch.Add(60*24*time.Hour)) {
				t.Errorf("new token %+v", got)
			}
			// The renewed token records its login, whatever its form.
			if want := string(instagram.LoginOf(tt.tok, "")); got.Extra(instagram.LoginExtra) != want {
				t.Errorf("renewed token records login %v, want %s", got.Extra(instagram.LoginExtra), want)
			}
		})
	}
}

func TestRefreshDue(t *testing.T) {
	tests := []struct {
		expiry time.Time
		due    bool
	}{
		{time.Time{}, false},
		{epoch.Add(59 * 24 * time.Hour), false},
		{epoch.Add(instagram.RefreshMargin - time.Hour), true},
		{epoch.Add(-time.Hour), true},
	}
	for _, tt := range tests {
		if got := instagram.RefreshDue(&oauth2.Token{AccessToken: "x", Expiry: tt.expiry}, epoch); got != tt.due {
			t.Errorf("RefreshDue(expiry %s) = %v, want %v", tt.expiry, got, tt.due)
		}
	}
}

// A 190 on refresh is reauth only when the token itself is dead: one that
// says no token was seen means the request was malformed, and the account
// stays connected.
func TestRefresh190(t *testing.T) {
	tests := []struct {
		name  string
		fault instagramtest.Fault
		class publishers.Class
	}{
		{"no token seen", instagramtest.Fault{Code: 190, Message: "An active access token must be used to query information about the current user."}, publishers.ClassPermanent},
		{"cannot parse", instagramtest.Fault{Code: 190, Message: "Invalid OAuth access token - Cannot parse access token"}, publishers.ClassReauth},
		{"expired", instagramtest.Fault{Code: 190, Subcode: 463, Message: "Error validating access token: Session has expired"}, publishers.ClassReauth},
		{"password changed", instagramtest.Fault{Code: 190, Subcode: 460}, publishers.ClassReauth},
		{"app removed", instagramtest.Fault{Code: 190, Subcode: 458}, publishers.ClassReauth},
		{"permission withdrawn", instagramtest.Fault{Code: 10, Message: "(#10) Application does not have permission for this action"}, publishers.ClassReauth},
		{"bad grant", instagramtest.Fault{Code: 100, Message: "Unsupported grant_type"}, publishers.ClassPermanent},
		{"server", instagramtest.Fault{Code: 2}, publishers.ClassTransient},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := start(t)
			e.srv.FailNext(instagramtest.EndpointRefresh, 1, tt.fault)
			_, err := e.p.RefreshToken(context.Background(), &oauth2.Token{AccessToken: token})
			if publishers.ClassOf(err) != tt.class || strings.Contains(err.Error(), token) {
				t.Errorf("err = %v, want %s without the token", err, tt.class)
			}
		})
	}
}

// The old refresh sent the token in the Authorization header: the fake,
// as Instagram, does not look there and answers 190 without a subcode,
// which must not disconnect the account.
func TestRefreshWithTheTokenInTheHeaderIsRefused(t *testing.T) {
	e := start(t)
	req, _ := http.NewRequest(http.MethodGet, e.srv.URL()+"/refresh_access_token?grant_type=ig_refresh_token", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Error struct {
			Code    int `json:"code"`
			Subcode int `json:"error_subcode"`
		} `json:"error"`
	}
	json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if resp.StatusCode != 400 || body.Error.Code != 190 || body.Error.Subcode != 0 {
		t.Errorf("refresh with the token in a header = %d %+v, want 400 code 190", resp.StatusCode, body.Error)
	}
}
