package tokens_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/tokens"
)

func TestTokenRoundTrip(t *testing.T) {
	f := newFixture(t)
	v := f.vault()
	tok := f.connect(v, "a1", time.Now().Add(time.Hour))
	got, err := v.Token(context.Background(), "a1", "youtube")
	if err != nil {
		t.Fatal(err)
	}
	if got.AccessToken != tok.AccessToken || got.RefreshToken != tok.RefreshToken || !got.Expiry.Equal(tok.Expiry.Truncate(time.Millisecond)) {
		t.Errorf("Token = %+v, want %+v", got, tok)
	}
	if f.oauth.Refreshes() != 0 {
		t.Error("a fresh token was refreshed")
	}
	info, err := v.Info(context.Background(), "a1")
	if err != nil || info.Status != tokens.StatusActive || info.PlatformUserID != "UCa1" {
		t.Errorf("Info = %+v, %v", info, err)
	}
	if _, err := v.Token(context.Background(), "a1", "tiktok"); !errors.Is(err, tokens.ErrNotConnected) {
		t.Errorf("token of a youtube account for tiktok: %v", err)
	}
	if _, err := v.Token(context.Background(), "nobody", ""); !errors.Is(err, tokens.ErrNotConnected) {
		t.Errorf("token of unknown account: %v", err)
	}
}

func TestCiphertextMovedToAnotherAccountDoesNotOpen(t *testing.T) {
	f := newFixture(t)
	v := f.vault()
	ctx := context.Background()
	f.connect(v, "victim", time.Now().Add(time.Hour))
	f.connect(v, "thief", time.Now().Add(time.Hour))
	c := f.db.Client
	sealed := c.HGet(ctx, "herald:{acct:victim}:token", "sealed").Val()
	kid := c.HGet(ctx, "herald:{acct:victim}:token", "kid").Val()
	c.HSet(ctx, "herald:{acct:thief}:token", "sealed", sealed, "kid", kid)
	_, err := v.Token(ctx, "thief", "")
	if !errors.Is(err, tokens.ErrCorrupt) {
		t.Errorf("moved ciphertext: %v, want ErrCorrupt", err)
	}
	if _, err := v.Token(ctx, "victim", ""); err != nil {
		t.Errorf("the victim's own record broke: %v", err)
	}
}

func TestNoTokenIsStoredInClear(t *testing.T) {
	f := newFixture(t)
	v := f.vault()
	var secrets []string
	for i := range 100 {
		tok := f.connect(v, "acct-"+string(rune('A'+i/26))+string(rune('a'+i%26)), time.Now().Add(time.Hour))
		secrets = append(secrets, tok.AccessToken, tok.RefreshToken)
	}
	for k, val := range f.dump() {
		for _, s := range secrets {
			if strings.Contains(k, s) || strings.Contains(val, s) {
				t.Fatalf("key %s holds a token in clear", k)
			}
		}
	}
}

func TestUnknownKeyIDFailsThatAccountOnly(t *testing.T) {
	f := newFixture(t)
	old := tokens.New(f.db.Client, keyring(t, "gone:"+strings.Repeat("A", 43)+"="), f.options())
	ctx := context.Background()
	tok := f.oauth.Issue(time.Now().Add(time.Hour))
	remember(tok)
	if err := old.Connect(ctx, tokens.Account{ID: "stale", Platform: "youtube", Token: tok}); err != nil {
		t.Fatal(err)
	}
	v := f.vault()
	f.connect(v, "fine", time.Now().Add(time.Hour))
	if _, err := v.Token(ctx, "stale", ""); !errors.Is(err, tokens.ErrUnknownKey) || !strings.Contains(err.Error(), "stale") {
		t.Errorf("record of a dropped key: %v, want ErrUnknownKey naming the account", err)
	}
	if _, err := v.Token(ctx, "fine", ""); err != nil {
		t.Errorf("other account: %v", err)
	}
}

func TestConnectValidates(t *testing.T) {
	f := newFixture(t)
	v := f.vault()
	tok := f.oauth.Issue(time.Now().Add(time.Hour))
	remember(tok)
	far := *tok
	far.Expiry = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		acct  tokens.Account
		field string
	}{
		{"bad id", tokens.Account{ID: "a b", Platform: "youtube", Token: tok}, "account_id"},
		{"unknown platform", tokens.Account{ID: "a", Platform: "myspace", Token: tok}, "platform"},
		{"no token", tokens.Account{ID: "a", Platform: "youtube"}, "access_token"},
		{"expiry in 2100", tokens.Account{ID: "a", Platform: "youtube", Token: &far}, "expiry"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := v.Connect(context.Background(), tt.acct)
			var fe *tokens.FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field || !errors.Is(err, tokens.ErrInvalid) {
				t.Errorf("Connect = %v, want a %s error", err, tt.field)
			}
		})
	}
}

func TestExpiredTokenIsRefreshed(t *testing.T) {
	f := newFixture(t)
	v := f.vault()
	old := f.connect(v, "a1", time.Now().Add(time.Minute)) // within the 2 min skew
	got, err := v.Token(context.Background(), "a1", "youtube")
	if err != nil {
		t.Fatal(err)
	}
	if got.AccessToken == old.AccessToken || got.RefreshToken != old.RefreshToken {
		t.Errorf("refresh did not renew the access token and keep the refresh token")
	}
	remember(got)
	again, err := v.Token(context.Background(), "a1", "youtube")
	if err != nil || again.AccessToken != got.AccessToken {
		t.Errorf("second Token: %v, %v; want the stored new token", again, err)
	}
	if n := f.oauth.Refreshes(); n != 1 {
		t.Errorf("%d refreshes, want 1", n)
	}
}

func TestRotatingRefreshTokensAreKept(t *testing.T) {
	f := newFixture(t)
	f.oauth.Rotate = true
	v := f.vault()
	first := f.connect(v, "a1", time.Now().Add(-time.Minute))
	got, err := v.Token(context.Background(), "a1", "")
	if err != nil {
		t.Fatal(err)
	}
	remember(got)
	if got.RefreshToken == first.RefreshToken {
		t.Fatal("rotating endpoint: refresh token not replaced")
	}
	f.now = f.now.Add(2 * time.Hour)
	v2 := f.vault(func(o *tokens.Options) { o.Now = func() time.Time { return time.Now().Add(2 * time.Hour) } })
	got2, err := v2.Token(context.Background(), "a1", "")
	if err != nil {
		t.Fatalf("second refresh with the rotated refresh token: %v", err)
	}
	remember(got2)
}

func TestCoalescedRefreshAcrossProcesses(t *testing.T) {
	f := newFixture(t)
	f.oauth.SetLatency(50 * time.Millisecond)
	vaults := []*tokens.Vault{f.vault(), f.vault(), f.vault(), f.vault()}
	f.connect(vaults[0], "hot", time.Now().Add(-time.Minute))

	const callers = 1000
	var wg sync.WaitGroup
	got := make([]string, callers)
	errs := make([]error, callers)
	start := make(chan struct{})
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			tok, err := vaults[i%len(vaults)].Token(ctx, "hot", "youtube")
			errs[i] = err
			if err == nil {
				got[i] = tok.AccessToken
			}
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("caller %d: %v", i, err)
		}
		if got[i] != got[0] {
			t.Fatalf("caller %d got another token", i)
		}
	}
	if n := f.oauth.Refreshes(); n != 1 {
		t.Errorf("%d calls to the token endpoint for 1000 waiters, want 1", n)
	}
	remember(mustToken(t, vaults[0], "hot"))
}

func TestInvalidGrantMarksReauthWithoutRetryStorm(t *testing.T) {
	f := newFixture(t)
	var heard []string
	v := f.vault(func(o *tokens.Options) {
		o.OnReauth = func(_ context.Context, acct, platform, reason string) {
			heard = append(heard, acct+"/"+platform+": "+reason)
		}
	})
	tok := f.connect(v, "gone", time.Now().Add(-time.Minute))
	f.oauth.RevokeRefreshToken(tok.RefreshToken)

	for range 5 {
		_, err := v.Token(context.Background(), "gone", "youtube")
		if !errors.Is(err, tokens.ErrReauthRequired) || !errors.Is(err, tokens.ErrNotConnected) {
			t.Fatalf("Token = %v, want ErrReauthRequired", err)
		}
	}
	if n := f.oauth.Refreshes(); n != 1 {
		t.Errorf("%d refresh calls, want 1: a dead grant is not retried", n)
	}
	info, _ := v.Info(context.Background(), "gone")
	if info.Status != tokens.StatusReauthRequired {
		t.Errorf("status = %s, want reauth_required", info.Status)
	}
	if len(heard) != 1 || heard[0] != "gone/youtube: the platform refused the refresh token (invalid_grant)" {
		t.Errorf("OnReauth heard %v", heard)
	}
	// Connecting again heals the account.
	f.connect(v, "gone", time.Now().Add(time.Hour))
	if _, err := v.Token(context.Background(), "gone", ""); err != nil {
		t.Errorf("after reconnect: %v", err)
	}
}

func TestTransientRefreshFailureIsNotReauth(t *testing.T) {
	f := newFixture(t)
	v := f.vault()
	tok := f.connect(v, "a", time.Now().Add(-time.Minute))
	f.oauth.FailNext(1)
	_, err := v.Token(context.Background(), "a", "")
	if err == nil || errors.Is(err, tokens.ErrNotConnected) {
		t.Fatalf("503 from the token endpoint: %v, want a plain (transient) error", err)
	}
	if strings.Contains(err.Error(), tok.RefreshToken) || strings.Contains(err.Error(), "secret") {
		t.Errorf("error leaks a secret: %v", err)
	}
	if got := mustToken(t, v, "a"); got.AccessToken == tok.AccessToken {
		t.Error("second try did not refresh")
	}
}

func mustToken(t *testing.T, v *tokens.Vault, acct string) *oauth2.Token {
	t.Helper()
	tok, err := v.Token(context.Background(), acct, "")
	if err != nil {
		t.Fatal(err)
	}
	remember(tok)
	return tok
}

func TestForceRefreshAfterA401RefreshesOnce(t *testing.T) {
	f := newFixture(t)
	v1, v2 := f.vault(), f.vault()
	ctx := context.Background()
	stale := f.connect(v1, "a", time.Now().Add(time.Hour))
	var wg sync.WaitGroup
	got := make([]*oauth2.Token, 10)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := v1
			if i%2 == 1 {
				v = v2
			}
			tok, err := v.ForceRefresh(ctx, "a", "youtube", stale)
			if err != nil {
				t.Error(err)
				return
			}
			got[i] = tok
		}()
	}
	wg.Wait()
	if n := f.oauth.Refreshes(); n != 1 {
		t.Errorf("%d refreshes for 10 jobs that saw the same 401, want 1", n)
	}
	for _, g := range got {
		if g == nil || g.AccessToken == stale.AccessToken || g.AccessToken != got[0].AccessToken {
			t.Fatal("not every caller got the one new token")
		}
	}
	remember(got[0])
}
