package tiktok_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/publishers/tiktok/tiktoktest"
	"github.com/heraldhq/herald/tokens"
)

func TestMain(m *testing.M) { redistest.Main(m) }

// TestVaultKeepsTheNewestRefreshToken runs TikTok's refresh through the
// Vault as cmd/herald wires it: 20 rounds of expiry, each with 8
// concurrent jobs on two worker processes asking for the token. Each
// round must refresh once and store the rotated refresh token, or the
// next round's refresh would present a dead one.
func TestVaultKeepsTheNewestRefreshToken(t *testing.T) {
	e := start(t)
	db := redistest.New(t)
	keys, err := tokens.ParseKeyring("k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	if err != nil {
		t.Fatal(err)
	}
	vault := func() *tokens.Vault {
		c := redis.NewClient(db.Client.Options())
		t.Cleanup(func() { c.Close() })
		return tokens.New(c, keys, tokens.Options{
			Platforms: map[string]tokens.Platform{"tiktok": {Refresh: e.p.RefreshToken, Revoke: e.p.Revoke}},
			Now:       e.clk.Now,
			Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		})
	}
	workers := []*tokens.Vault{vault(), vault()}
	ctx := context.Background()
	if err := workers[0].Connect(ctx, tokens.Account{ID: "acct-1", Platform: "tiktok", PlatformUserID: "open-1", Token: e.srv.Issue("open-1")}); err != nil {
		t.Fatal(err)
	}
	for round := 1; round <= 20; round++ {
		e.clk.Advance(3 * time.Hour) // past the 2-hour access token
		var wg sync.WaitGroup
		got := make([]*oauth2.Token, 8)
		errs := make([]error, 8)
		for i := range got {
			wg.Go(func() { got[i], errs[i] = workers[i%2].Token(ctx, "acct-1", "tiktok") })
		}
		wg.Wait()
		for i := range got {
			if errs[i] != nil {
				t.Fatalf("round %d, job %d: %v", round, i, errs[i])
			}
			if got[i].AccessToken != got[0].AccessToken {
				t.Fatalf("round %d: jobs got different tokens: more than one refresh", round)
			}
		}
		if got[0].RefreshToken != e.srv.LiveRefreshToken("open-1") {
			t.Fatalf("round %d: the Vault kept a stale refresh token", round)
		}
	}
	if n := e.srv.Count(tiktoktest.EndpointToken); n != 20 {
		t.Errorf("%d refreshes at TikTok, want 20 (one a round)", n)
	}
	// Disconnect revokes at TikTok through Revoke.
	if err := workers[1].Disconnect(ctx, "acct-1"); err != nil {
		t.Fatal(err)
	}
	if revoked, err := workers[1].Revoke(ctx, "acct-1", false); err != nil || !revoked {
		t.Fatalf("Revoke = %v, %v", revoked, err)
	}
	if e.srv.LiveRefreshToken("open-1") != "" {
		t.Error("grant still live after disconnect")
	}
	if _, err := workers[0].Token(ctx, "acct-1", "tiktok"); !errors.Is(err, tokens.ErrNotConnected) {
		t.Errorf("Token after disconnect: %v", err)
	}
}
