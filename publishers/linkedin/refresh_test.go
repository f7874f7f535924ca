package linkedin_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers/linkedin"
	"github.com/heraldhq/herald/publishers/linkedin/linkedintest"
)

const (
	clientID     = "78abc"
	clientSecret = "WPL_AP1.s3cr3t.value"
)

func TestRefresh(t *testing.T) {
	e := start(t)
	e.srv.SetClient(clientID, clientSecret)
	o := linkedin.OAuth{TokenURL: e.srv.TokenURL(), ClientID: clientID, ClientSecret: clientSecret, Now: e.clk.Now}
	nt, err := o.Refresh(context.Background(), nil, &oauth2.Token{AccessToken: token, RefreshToken: "AQX-refresh-1"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(nt.AccessToken, "AQV-refreshed-") || nt.RefreshToken != "AQX-refresh-1" || !nt.Expiry.Equal(epoch.Add(60*24*time.Hour)) {
		t.Errorf("token %+v", nt)
	}
	c := e.srv.Calls()[0]
	if c.Query.Get("grant_type") != "refresh_token" || c.Query.Get("client_id") != clientID || c.TokenInURL {
		t.Errorf("call %+v", c)
	}
}

func TestRefreshFailures(t *testing.T) {
	tests := []struct {
		name    string
		tok     *oauth2.Token
		secret  string
		fault   *linkedintest.Fault
		code    string // RetrieveError code, "" for another error
		noCalls bool
	}{
		{"dead refresh token", &oauth2.Token{AccessToken: token, RefreshToken: linkedintest.RefreshRevoked}, clientSecret, nil, "invalid_grant", false},
		{"no refresh token", &oauth2.Token{AccessToken: token}, clientSecret, nil, "invalid_grant", true},
		{"wrong client secret", &oauth2.Token{AccessToken: token, RefreshToken: "AQX-r"}, "wrong", nil, "invalid_client", false},
		{"token endpoint down", &oauth2.Token{AccessToken: token, RefreshToken: "AQX-r"}, clientSecret, &linkedintest.Fault{Status: 503}, "server_error", false},
		{"answer lost", &oauth2.Token{AccessToken: token, RefreshToken: "AQX-r"}, clientSecret, &linkedintest.Fault{Lost: true}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := start(t)
			e.srv.SetClient(clientID, clientSecret)
			if tt.fault != nil {
				e.srv.FailNext(linkedintest.EndpointToken, 1, *tt.fault)
			}
			o := linkedin.OAuth{TokenURL: e.srv.TokenURL(), ClientID: clientID, ClientSecret: tt.secret}
			_, err := o.Refresh(context.Background(), nil, tt.tok)
			var re *oauth2.RetrieveError
			switch {
			case tt.code == "" && (err == nil || errors.As(err, &re)):
				t.Errorf("err = %v, want a plain error", err)
			case tt.code != "" && (!errors.As(err, &re) || re.ErrorCode != tt.code):
				t.Errorf("err = %v, want RetrieveError %s", err, tt.code)
			}
			for _, secret := range []string{token, tt.tok.RefreshToken, clientSecret, "wrong"} {
				if secret != "" && strings.Contains(err.Error(), secret) {
					t.Errorf("error %q carries a secret", err)
				}
			}
			if tt.noCalls && len(e.srv.Calls()) != 0 {
				t.Error("called the token endpoint without a refresh token")
			}
		})
	}
}

func TestReconnectDue(t *testing.T) {
	now := epoch
	tests := []struct {
		name string
		tok  *oauth2.Token
		lead time.Duration
		want bool
	}{
		{"expires within the lead", &oauth2.Token{AccessToken: "a", Expiry: now.Add(6 * 24 * time.Hour)}, 0, true},
		{"expires after the lead", &oauth2.Token{AccessToken: "a", Expiry: now.Add(8 * 24 * time.Hour)}, 0, false},
		{"custom lead", &oauth2.Token{AccessToken: "a", Expiry: now.Add(8 * 24 * time.Hour)}, 10 * 24 * time.Hour, true},
		{"already expired", &oauth2.Token{AccessToken: "a", Expiry: now.Add(-time.Hour)}, 0, true},
		{"refreshable", &oauth2.Token{AccessToken: "a", RefreshToken: "r", Expiry: now.Add(time.Hour)}, 0, false},
		{"no expiry", &oauth2.Token{AccessToken: "a"}, 0, false},
		{"no token", nil, 0, false},
	}
	for _, tt := range tests {
		if got := linkedin.ReconnectDue(tt.tok, now, tt.lead); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}
