package tokens_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/tokens"
)

// A second disconnect while the first token still waits for its
// revocation must not drop the first one: both are revoked, then deleted.
func TestEveryPendingRevocationIsKept(t *testing.T) {
	f := newFixture(t)
	v := f.vault()
	ctx := context.Background()
	a := f.connect(v, "a1", time.Now().Add(time.Hour))
	if err := v.Disconnect(ctx, "a1"); err != nil {
		t.Fatal(err)
	}
	b := f.connect(v, "a1", time.Now().Add(time.Hour))
	if err := v.Disconnect(ctx, "a1"); err != nil {
		t.Fatal(err)
	}
	revoked, err := v.Revoke(ctx, "a1", false)
	if err != nil || !revoked {
		t.Fatalf("Revoke = %v, %v", revoked, err)
	}
	for name, tok := range map[string]string{"first": a.RefreshToken, "second": b.RefreshToken} {
		if !f.oauth.Revoked(tok) {
			t.Errorf("the %s token was never revoked", name)
		}
	}
	if n := f.db.Client.Exists(ctx, "herald:{acct:a1}:revoke").Val(); n != 0 {
		t.Error("revoked tokens were left behind")
	}
	if info, _ := v.Info(ctx, "a1"); info.Status != tokens.StatusDisconnected {
		t.Errorf("status = %s, want disconnected", info.Status)
	}
}

// A revocation that fails keeps only the tokens it could not revoke; the
// ones it revoked are deleted at once and not revoked twice.
func TestRevokeDeletesEachTokenOnlyAfterItsSuccess(t *testing.T) {
	f := newFixture(t)
	v := f.vault()
	ctx := context.Background()
	a := f.connect(v, "a1", time.Now().Add(time.Hour))
	if err := v.Disconnect(ctx, "a1"); err != nil {
		t.Fatal(err)
	}
	b := f.connect(v, "a1", time.Now().Add(time.Hour))
	if err := v.Disconnect(ctx, "a1"); err != nil {
		t.Fatal(err)
	}
	f.oauth.FailNext(1) // the first call fails, the second succeeds
	if _, err := v.Revoke(ctx, "a1", false); err == nil {
		t.Fatal("Revoke hid the platform's failure")
	}
	if f.oauth.Revoked(a.RefreshToken) == f.oauth.Revoked(b.RefreshToken) {
		t.Fatalf("revoked first %v, second %v: want exactly one", f.oauth.Revoked(a.RefreshToken), f.oauth.Revoked(b.RefreshToken))
	}
	if info, _ := v.Info(ctx, "a1"); info.Status != tokens.StatusRevoking {
		t.Errorf("status = %s with a token still pending, want revoking", info.Status)
	}
	if revoked, err := v.Revoke(ctx, "a1", false); err != nil || !revoked {
		t.Fatalf("second Revoke = %v, %v", revoked, err)
	}
	if n := f.oauth.Revocations(); n != 3 {
		t.Errorf("%d calls to revoke in all, want 3 (one failed, none twice)", n)
	}
	if !f.oauth.Revoked(a.RefreshToken) || !f.oauth.Revoked(b.RefreshToken) {
		t.Error("a token was never revoked")
	}
	if _, err := v.Token(ctx, "a1", ""); !errors.Is(err, tokens.ErrNotConnected) {
		t.Errorf("Token: %v", err)
	}
	if n := f.db.Client.Exists(ctx, "herald:{acct:a1}:revoke").Val(); n != 0 {
		t.Error("revoked tokens were left behind")
	}
}

// A token kept by a release that held one per account (fields without an
// entry id) is revoked too, beside one kept since.
func TestRevokeReadsATokenKeptTheOldWay(t *testing.T) {
	f := newFixture(t)
	v := f.vault()
	ctx := context.Background()
	a := f.connect(v, "a1", time.Now().Add(time.Hour))
	if err := v.Disconnect(ctx, "a1"); err != nil {
		t.Fatal(err)
	}
	key := "herald:{acct:a1}:revoke"
	old := map[string]any{}
	for k, val := range f.db.Client.HGetAll(ctx, key).Val() {
		_, name, _ := strings.Cut(k, ".")
		old[name] = val
	}
	f.db.Client.Del(ctx, key)
	f.db.Client.HSet(ctx, key, old)
	b := f.connect(v, "a1", time.Now().Add(time.Hour))
	if err := v.Disconnect(ctx, "a1"); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Revoke(ctx, "a1", false); err != nil {
		t.Fatal(err)
	}
	if !f.oauth.Revoked(a.RefreshToken) || !f.oauth.Revoked(b.RefreshToken) {
		t.Errorf("revoked old %v, new %v: want both", f.oauth.Revoked(a.RefreshToken), f.oauth.Revoked(b.RefreshToken))
	}
	if n := f.db.Client.Exists(ctx, key).Val(); n != 0 {
		t.Error("revoked tokens were left behind")
	}
}

// The RISC path: a disconnect notice, a reconnect, then a purge notice
// (Erase) revokes both tokens, and leaves none behind.
func TestEraseRevokesEveryPendingToken(t *testing.T) {
	f := newFixture(t)
	v := f.vault()
	ctx := context.Background()
	a := f.connect(v, "a1", time.Now().Add(time.Hour))
	if err := v.Disconnect(ctx, "a1"); err != nil {
		t.Fatal(err)
	}
	b := f.connect(v, "a1", time.Now().Add(time.Hour))
	rc, err := v.Erase(ctx, "a1")
	if err != nil || !rc.Revoked {
		t.Fatalf("Erase = %+v, %v", rc, err)
	}
	if !f.oauth.Revoked(a.RefreshToken) || !f.oauth.Revoked(b.RefreshToken) {
		t.Errorf("revoked first %v, second %v: want both", f.oauth.Revoked(a.RefreshToken), f.oauth.Revoked(b.RefreshToken))
	}
	for k := range f.dump() {
		if strings.Contains(k, "a1") {
			t.Errorf("%s survived the erase", k)
		}
	}
}

// A disconnect that lands while the revoke job is at the platform finds
// the job's task still there (its enqueue is a no-op): the job must take
// the token that disconnect kept too, before it ends.
func TestRevokeTakesATokenDisconnectedWhileItRuns(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	var v *tokens.Vault
	var b *oauth2.Token
	once := false
	v = f.vault(func(o *tokens.Options) {
		p := o.Platforms["youtube"]
		revoke := p.Revoke
		p.Revoke = func(ctx context.Context, hc *http.Client, tok *oauth2.Token) error {
			if !once { // the window held open: reconnect and disconnect now
				once = true
				b = f.connect(v, "a1", time.Now().Add(time.Hour))
				if err := v.Disconnect(ctx, "a1"); err != nil {
					t.Error(err)
				}
			}
			return revoke(ctx, hc, tok)
		}
		o.Platforms["youtube"] = p
	})
	a := f.connect(v, "a1", time.Now().Add(time.Hour))
	if err := v.Disconnect(ctx, "a1"); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Revoke(ctx, "a1", false); err != nil {
		t.Fatal(err)
	}
	if !f.oauth.Revoked(a.RefreshToken) || b == nil || !f.oauth.Revoked(b.RefreshToken) {
		t.Errorf("revoked first %v, second %v: want both", f.oauth.Revoked(a.RefreshToken), b != nil && f.oauth.Revoked(b.RefreshToken))
	}
	if n := f.db.Client.Exists(ctx, "herald:{acct:a1}:revoke").Val(); n != 0 {
		t.Error("a token disconnected during the job was left behind")
	}
}
