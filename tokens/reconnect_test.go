package tokens_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/tokens"
)

func TestReconnectDue(t *testing.T) {
	f := newFixture(t)
	lead := 7 * 24 * time.Hour
	v := f.vault(func(o *tokens.Options) {
		o.Now = f.clock
		o.Platforms["linkedin"] = tokens.Platform{OAuth: &oauth2.Config{ClientID: "c", ClientSecret: "s", Endpoint: f.oauth.Endpoint()}}
		o.Platforms["plain"] = tokens.Platform{}
		// LinkedIn as cmd/herald wires it: its own refresh, which needs a
		// refresh token (partner apps only).
		o.Platforms["partner"] = tokens.Platform{NeedsRefreshToken: true, Refresh: func(context.Context, *http.Client, *oauth2.Token) (*oauth2.Token, error) {
			return nil, errors.New("not called")
		}}
		o.Platforms["instagram"] = tokens.Platform{Refresh: func(context.Context, *http.Client, *oauth2.Token) (*oauth2.Token, error) {
			return nil, errors.New("not called")
		}}
	})
	ctx := context.Background()
	connect := func(id, platform, refresh string, expiry time.Time) {
		t.Helper()
		tok := &oauth2.Token{AccessToken: "at-" + id + "-0123456789", RefreshToken: refresh, TokenType: "Bearer", Expiry: expiry}
		remember(tok)
		if err := v.Connect(ctx, tokens.Account{ID: id, Platform: platform, PlatformUserID: "u-" + id, Token: tok}); err != nil {
			t.Fatal(err)
		}
	}
	connect("li-soon", "linkedin", "", f.now.Add(3*24*time.Hour))
	connect("li-later", "linkedin", "", f.now.Add(30*24*time.Hour))
	connect("li-refreshable", "linkedin", "rt-li-0123456789abcdef", f.now.Add(3*24*time.Hour))
	connect("ig-soon", "instagram", "", f.now.Add(3*24*time.Hour))
	connect("partner-soon", "partner", "", f.now.Add(3*24*time.Hour))
	connect("partner-refreshable", "partner", "rt-partner-0123456789ab", f.now.Add(3*24*time.Hour))
	// Nothing renews a token of a platform with no refresh configured,
	// refresh token or not.
	connect("unknown-soon", "plain", "rt-unknown-0123456789ab", f.now.Add(3*24*time.Hour))
	connect("li-gone", "linkedin", "", f.now.Add(time.Hour))
	if err := v.Disconnect(ctx, "li-gone"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		account string
		due     bool
	}{
		{"li-soon", true},
		{"li-later", false},
		{"li-refreshable", false},
		{"ig-soon", false}, // refreshed with the access token itself
		{"partner-soon", true},
		{"partner-refreshable", false},
		{"unknown-soon", true},
		{"li-gone", false},
	}
	for _, tt := range tests {
		due, _, err := v.ReconnectDue(ctx, tt.account, lead)
		if err != nil && !errors.Is(err, tokens.ErrNotConnected) {
			t.Errorf("%s: %v", tt.account, err)
		}
		if due != tt.due {
			t.Errorf("%s: due %v, want %v", tt.account, due, tt.due)
		}
	}
	if _, _, err := v.ReconnectDue(ctx, "nobody", lead); !errors.Is(err, tokens.ErrNotConnected) {
		t.Errorf("unknown account: %v", err)
	}
}

// A platform whose refresh needs a refresh token (LinkedIn) does not call
// it for a token without one: the expired token asks for a reconnect,
// and the refresh runs only for a token that has one.
func TestRefreshThatNeedsARefreshToken(t *testing.T) {
	f := newFixture(t)
	calls := 0
	v := f.vault(func(o *tokens.Options) {
		o.Now = f.clock
		o.Platforms["partner"] = tokens.Platform{NeedsRefreshToken: true, Refresh: func(_ context.Context, _ *http.Client, tok *oauth2.Token) (*oauth2.Token, error) {
			calls++
			return &oauth2.Token{AccessToken: "new-" + tok.RefreshToken, Expiry: f.now.Add(60 * 24 * time.Hour)}, nil
		}}
	})
	ctx := context.Background()
	for _, a := range []tokens.Account{
		{ID: "member", Platform: "partner", Token: &oauth2.Token{AccessToken: "at-member-0123456789", Expiry: f.now.Add(time.Minute)}},
		{ID: "partner", Platform: "partner", Token: &oauth2.Token{AccessToken: "at-partner-0123456789", RefreshToken: "rt-partner-0123456789", Expiry: f.now.Add(time.Minute)}},
	} {
		if err := v.Connect(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := v.Token(ctx, "member", "partner"); !errors.Is(err, tokens.ErrReauthRequired) || calls != 0 {
		t.Errorf("token without a refresh token: %v after %d refresh calls, want reauth without a call", err, calls)
	}
	tok, err := v.Token(ctx, "partner", "partner")
	if err != nil || tok.AccessToken != "new-rt-partner-0123456789" || calls != 1 {
		t.Errorf("token with a refresh token: %v %v after %d calls, want it refreshed once", tok, err, calls)
	}
}
