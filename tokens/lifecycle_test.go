package tokens_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/tokens"
)

func TestDisconnectMakesTheTokenUnreadableAndRevokes(t *testing.T) {
	f := newFixture(t)
	var hooked []string
	v := f.vault(func(o *tokens.Options) {
		o.OnDisconnect = func(_ context.Context, acct, platform string) error {
			hooked = append(hooked, acct+"/"+platform)
			return nil
		}
	})
	ctx := context.Background()
	tok := f.connect(v, "a1", time.Now().Add(time.Hour))
	if err := v.Disconnect(ctx, "a1"); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Token(ctx, "a1", ""); !errors.Is(err, tokens.ErrNotConnected) {
		t.Errorf("Token after Disconnect: %v", err)
	}
	if info, _ := v.Info(ctx, "a1"); info.Status != tokens.StatusRevoking {
		t.Errorf("status = %s, want revoking", info.Status)
	}
	if len(hooked) != 1 || hooked[0] != "a1/youtube" {
		t.Errorf("OnDisconnect heard %v", hooked)
	}
	revoked, err := v.Revoke(ctx, "a1", false)
	if err != nil || !revoked {
		t.Fatalf("Revoke = %v, %v", revoked, err)
	}
	if !f.oauth.Revoked(tok.RefreshToken) {
		t.Error("the platform was not asked to revoke the refresh token")
	}
	if info, _ := v.Info(ctx, "a1"); info.Status != tokens.StatusDisconnected {
		t.Errorf("status = %s, want disconnected", info.Status)
	}
	for k, val := range f.dump() {
		if strings.Contains(val, "sealed") && strings.Contains(k, "a1") {
			t.Errorf("%s still holds a sealed token: %s", k, val)
		}
	}
	// Revoke again: nothing left to do.
	if revoked, err := v.Revoke(ctx, "a1", false); err != nil || revoked {
		t.Errorf("second Revoke = %v, %v", revoked, err)
	}
}

func TestRevokeFailureKeepsTheTokenUntilForced(t *testing.T) {
	f := newFixture(t)
	v := f.vault()
	ctx := context.Background()
	f.connect(v, "a1", time.Now().Add(time.Hour))
	if err := v.Disconnect(ctx, "a1"); err != nil {
		t.Fatal(err)
	}
	f.oauth.FailNext(2)
	if _, err := v.Revoke(ctx, "a1", false); err == nil {
		t.Fatal("Revoke hid the platform's failure")
	}
	if _, err := v.Token(ctx, "a1", ""); !errors.Is(err, tokens.ErrNotConnected) {
		t.Errorf("token readable while revocation is pending: %v", err)
	}
	if _, err := v.Revoke(ctx, "a1", true); err != nil {
		t.Fatalf("forced Revoke: %v", err)
	}
	if n := f.db.Client.Exists(ctx, "herald:{acct:a1}:revoke").Val(); n != 0 {
		t.Error("forced Revoke left the token behind")
	}
}

func TestRefreshRacingDisconnectNeverWritesTheTokenBack(t *testing.T) {
	f := newFixture(t)
	f.oauth.Rotate = true
	v := f.vault()
	ctx := context.Background()
	for i := range 200 {
		acct := fmt.Sprintf("race-%d", i)
		f.connect(v, acct, time.Now().Add(-time.Minute))
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			if tok, err := v.Token(ctx, acct, ""); err == nil {
				remember(tok)
			}
		}()
		if err := v.Disconnect(ctx, acct); err != nil {
			t.Fatal(err)
		}
		// From here on no token may come out, whatever the refresh does.
		if _, err := v.Token(ctx, acct, ""); !errors.Is(err, tokens.ErrNotConnected) {
			t.Fatalf("round %d: Token right after Disconnect: %v", i, err)
		}
		wg.Wait()
		if _, err := v.Token(ctx, acct, ""); !errors.Is(err, tokens.ErrNotConnected) {
			t.Fatalf("round %d: Token after the refresh ended: %v", i, err)
		}
		if h := f.db.Client.HGetAll(ctx, "herald:{acct:"+acct+"}:token").Val(); h["sealed"] != "" || h["status"] == "active" {
			t.Fatalf("round %d: a token was written back: status %s", i, h["status"])
		}
		if _, err := v.Revoke(ctx, acct, true); err != nil {
			t.Fatal(err)
		}
	}
}

func TestEraseLeavesNoTraceAndTouchesNoOne(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	v := f.vault(func(o *tokens.Options) {
		o.OnErase = func(ctx context.Context, acct string) (map[string]int, error) {
			n, err := f.db.Client.Del(ctx, "herald:{acct:"+acct+"}:posts").Result()
			return map[string]int{"post_indexes": int(n)}, err
		}
	})
	for i := range 50 {
		acct := fmt.Sprintf("user-%02d", i)
		f.connect(v, acct, time.Now().Add(time.Hour))
		f.db.Client.SAdd(ctx, "herald:{acct:"+acct+"}:posts", "post-of-"+acct)
	}
	before := f.dump()
	rc, err := v.Erase(ctx, "user-17")
	if err != nil {
		t.Fatal(err)
	}
	if !rc.Revoked || rc.Deleted["post_indexes"] != 1 || rc.Deleted["token_keys"] == 0 {
		t.Errorf("receipt %+v", rc)
	}
	after := f.dump()
	for k, val := range after {
		if strings.Contains(k, "user-17") || strings.Contains(val, "user-17") {
			t.Errorf("after Erase, %s still names the account: %.200s", k, val)
		}
	}
	for k, val := range before {
		if strings.Contains(k, "user-17") || k == "herald:accounts" {
			continue
		}
		if after[k] != val {
			t.Errorf("Erase changed another account's key %s", k)
		}
	}
	if _, err := v.Token(ctx, "user-18", ""); err != nil {
		t.Errorf("neighbour broke: %v", err)
	}
}

func TestRotateWithLiveReaders(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	oldRing := "k1:Hx4dHBsaGRgXFhUUExIREA8ODQwLCgkIBwYFBAMCAQA="
	old := tokens.New(f.db.Client, keyring(t, oldRing), f.options())
	var ids []string
	for i := range 60 {
		id := fmt.Sprintf("r-%d", i)
		ids = append(ids, id)
		f.connect(old, id, time.Now().Add(time.Hour))
	}
	v := f.vault() // k2 first, k1 still opens

	stop := make(chan struct{})
	var readErr error
	var wg sync.WaitGroup
	for r := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			reader := f.vault()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := reader.Token(ctx, ids[(i+r*7)%len(ids)], ""); err != nil && readErr == nil {
					readErr = err
				}
			}
		}()
	}
	rep, err := v.Rotate(ctx, nil)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if readErr != nil {
		t.Errorf("a read failed during rotation: %v", readErr)
	}
	if rep.Resealed != len(ids) || len(rep.Failed) != 0 {
		t.Errorf("report %+v, want %d resealed", rep, len(ids))
	}
	for _, id := range ids {
		if kid := f.db.Client.HGet(ctx, "herald:{acct:"+id+"}:token", "kid").Val(); kid != "k2" {
			t.Errorf("%s sealed by %s after rotation", id, kid)
		}
	}
	// The new keyring alone opens everything now.
	only := tokens.New(f.db.Client, keyring(t, "k2:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="), f.options())
	for _, id := range ids {
		if _, err := only.Token(ctx, id, ""); err != nil {
			t.Fatalf("%s after dropping the old key: %v", id, err)
		}
	}
	if rep, _ := v.Rotate(ctx, nil); rep.Resealed != 0 {
		t.Errorf("second rotation resealed %d", rep.Resealed)
	}
}
