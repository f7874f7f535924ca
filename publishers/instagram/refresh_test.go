package instagram_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/instagram"
	"github.com/heraldhq/herald/publishers/instagram/instagramtest"
)

func TestRefreshToken(t *testing.T) {
	tests := []struct {
		name     string
		appID    string
		secret   string
		token    string
		class    publishers.Class
		endpoint string
	}{
		{"instagram login", "", "", token, -1, "/refresh_access_token"},
		{"facebook login", "app-1", "s3cret", token, -1, "/v24.0/oauth/access_token"},
		{"wrong app secret", "app-1", "wrong", token, publishers.ClassReauth, "/v24.0/oauth/access_token"},
		{"revoked", "", "", instagramtest.TokenRevoked, publishers.ClassReauth, "/refresh_access_token"},
		{"expired", "app-1", "s3cret", instagramtest.TokenExpired, publishers.ClassReauth, "/v24.0/oauth/access_token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := start(t, func(o *instagram.Options) { o.AppID, o.AppSecret = tt.appID, tt.secret })
			e.srv.SetAppSecret("s3cret")
			got, err := e.p.RefreshToken(context.Background(), &oauth2.Token{AccessToken: tt.token})
			calls := e.srv.Calls()
			if len(calls) != 1 || calls[0].Path != tt.endpoint {
				t.Fatalf("calls %+v, want one to %s", calls, tt.endpoint)
			}
			checkNoTokenInURLs(t, e.srv)
			if tt.class >= 0 {
				if publishers.ClassOf(err) != tt.class || strings.Contains(err.Error(), "s3cret") {
					t.Errorf("err = %v, want %s without the secret", err, tt.class)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.AccessToken == "" || got.AccessToken == token || !got.Expiry.Equal(epoch.Add(60*24*time.Hour)) {
				t.Errorf("new token %+v", got)
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
