package tokens

import (
	"context"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/publishers/youtube"
	"github.com/heraldhq/herald/tokens/tokenstest"
)

// Two reconnects of one account with the same new token race (an app
// that sends it twice): the one that writes second must judge the token
// it replaces at its write, the new token itself, which it must never
// keep for revocation. Only the first connection's token is revoked.
func TestRacingReconnectsNeverRevokeTheNewToken(t *testing.T) {
	db := redistest.New(t)
	o := tokenstest.New()
	t.Cleanup(o.Close)
	key, err := GenerateKey("k1")
	if err != nil {
		t.Fatal(err)
	}
	ring, err := ParseKeyring(key)
	if err != nil {
		t.Fatal(err)
	}
	v := New(db.Client, ring, Options{Platforms: map[string]Platform{"youtube": {
		OAuth:  &oauth2.Config{ClientID: "client", ClientSecret: "secret", Endpoint: o.Endpoint()},
		Revoke: youtube.Revoke(o.RevokeURL()),
	}}})
	ctx := context.Background()
	first := o.Issue(time.Now().Add(time.Hour))
	if err := v.Connect(ctx, Account{ID: "a1", Platform: "youtube", PlatformUserID: "UC1", Token: first}); err != nil {
		t.Fatal(err)
	}
	next := o.Issue(time.Now().Add(time.Hour))
	again := Account{ID: "a1", Platform: "youtube", PlatformUserID: "UC1", Token: next}
	v.afterRead = func() {
		// The other reconnect, with the same token, writes in the window.
		v.afterRead = nil
		if err := v.Connect(ctx, again); err != nil {
			t.Errorf("the other reconnect: %v", err)
		}
	}
	if err := v.Connect(ctx, again); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Revoke(ctx, "a1", false); err != nil {
		t.Fatal(err)
	}
	if !o.Revoked(first.RefreshToken) {
		t.Error("the first token was not revoked")
	}
	if o.Revoked(next.RefreshToken) {
		t.Fatal("the new token was revoked")
	}
	if tok, err := v.Token(ctx, "a1", "youtube"); err != nil || tok.AccessToken != next.AccessToken {
		t.Errorf("token after the reconnects: %v", err)
	}
}
