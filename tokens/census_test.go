package tokens_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/tokens"
)

// censusKey is the keyring before rotation: k1 alone.
const censusKey = "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

func TestCensusCountsAccountsAndOpensEveryToken(t *testing.T) {
	ctx := context.Background()
	db := redistest.New(t)
	old := keyring(t, censusKey)
	k2, err := tokens.GenerateKey("k2")
	if err != nil {
		t.Fatal(err)
	}
	rotated := keyring(t, k2+","+censusKey)
	platforms := map[string]tokens.Platform{"sandbox": {}, "youtube": {}}
	before := tokens.New(db.Client, old, tokens.Options{Platforms: platforms})
	after := tokens.New(db.Client, rotated, tokens.Options{Platforms: platforms})
	connect := func(v *tokens.Vault, id, platform string) {
		t.Helper()
		tok := &oauth2.Token{AccessToken: "at-" + id, RefreshToken: "rt-" + id, Expiry: time.Now().Add(time.Hour)}
		if err := v.Connect(ctx, tokens.Account{ID: id, Platform: platform, Token: tok}); err != nil {
			t.Fatal(err)
		}
	}
	connect(before, "a1", "sandbox")
	connect(before, "a2", "youtube")
	connect(after, "a3", "youtube")
	connect(after, "a4", "youtube")
	if err := after.Disconnect(ctx, "a4"); err != nil { // its token waits for revocation
		t.Fatal(err)
	}
	if err := db.Client.SAdd(ctx, "herald:accounts", "gone").Err(); err != nil {
		t.Fatal(err)
	}

	c, err := tokens.TakeCensus(ctx, db.Client, rotated)
	if err != nil {
		t.Fatal(err)
	}
	want := []tokens.AccountCount{
		{Platform: "sandbox", Status: "active", N: 1},
		{Platform: "youtube", Status: "active", N: 2},
		{Platform: "youtube", Status: "revoking", N: 1},
	}
	if len(c.Accounts) != len(want) {
		t.Fatalf("accounts = %+v, want %+v", c.Accounts, want)
	}
	for i := range want {
		if c.Accounts[i] != want[i] {
			t.Errorf("accounts[%d] = %+v, want %+v", i, c.Accounts[i], want[i])
		}
	}
	if c.Missing != 1 {
		t.Errorf("missing = %d, want 1", c.Missing)
	}
	if c.Sealed["k1"] != 2 || c.Sealed["k2"] != 2 {
		t.Errorf("sealed by key = %v, want k1:2 k2:2 (a4's kept for revocation)", c.Sealed)
	}
	if c.Opened != 4 || len(c.Unopened) != 0 {
		t.Errorf("opened %d, unopened %+v; want 4 and none", c.Opened, c.Unopened)
	}

	// Without the new key, what it sealed does not open, and says why.
	c, err = tokens.TakeCensus(ctx, db.Client, old)
	if err != nil {
		t.Fatal(err)
	}
	if c.Opened != 2 || len(c.Unopened) != 2 {
		t.Fatalf("with the old keyring: opened %d, unopened %+v; want 2 and 2", c.Opened, c.Unopened)
	}
	for _, u := range c.Unopened {
		if u.KeyID != "k2" || !errors.Is(u.Err, tokens.ErrUnknownKey) {
			t.Errorf("unopened %+v, want k2 and ErrUnknownKey", u)
		}
	}

	// A record moved to another account does not open: bound to its id.
	sealed, _ := db.Client.HGet(ctx, "herald:{acct:a1}:token", "sealed").Result()
	if err := db.Client.HSet(ctx, "herald:{acct:a2}:token", "sealed", sealed, "kid", "k1").Err(); err != nil {
		t.Fatal(err)
	}
	c, _ = tokens.TakeCensus(ctx, db.Client, rotated)
	if len(c.Unopened) != 1 || c.Unopened[0].AccountID != "a2" || !errors.Is(c.Unopened[0].Err, tokens.ErrCorrupt) {
		t.Errorf("unopened = %+v, want a2 corrupt", c.Unopened)
	}

	// Without a keyring the census still counts.
	c, _ = tokens.TakeCensus(ctx, db.Client, nil)
	if c.Opened != 0 || len(c.Unopened) != 0 || c.Sealed["k1"] != 2 {
		t.Errorf("census without keys = %+v", c)
	}
}
