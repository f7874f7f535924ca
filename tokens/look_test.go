package tokens_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/heraldhq/herald/tokens"
)

// TestLookToken: the token a disconnect kept for its revocation serves a
// look, the newest one of the account's platform, and only while the
// account is disconnected with it still kept and unexpired.
func TestLookToken(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		// setup connects and disconnects a1 and returns the token the look
		// should get (nil: none).
		setup    func(f *fixture, v *tokens.Vault) (want string)
		platform string
	}{
		{"connected", func(f *fixture, v *tokens.Vault) string {
			f.connect(v, "a1", f.now.Add(time.Hour))
			return ""
		}, "youtube"},
		{"disconnected", func(f *fixture, v *tokens.Vault) string {
			tok := f.connect(v, "a1", f.now.Add(time.Hour))
			f.disconnect(v, "a1")
			return tok.AccessToken
		}, "youtube"},
		{"another platform", func(f *fixture, v *tokens.Vault) string {
			f.connect(v, "a1", f.now.Add(time.Hour))
			f.disconnect(v, "a1")
			return ""
		}, "sandbox"},
		{"disconnected twice", func(f *fixture, v *tokens.Vault) string {
			f.connect(v, "a1", f.now.Add(time.Hour))
			f.disconnect(v, "a1")
			f.now = f.now.Add(time.Second)
			tok := f.connect(v, "a1", f.now.Add(time.Hour))
			f.disconnect(v, "a1")
			return tok.AccessToken
		}, "youtube"},
		{"connected again", func(f *fixture, v *tokens.Vault) string {
			f.connect(v, "a1", f.now.Add(time.Hour))
			f.disconnect(v, "a1")
			f.connect(v, "a1", f.now.Add(time.Hour))
			return ""
		}, "youtube"},
		{"expired", func(f *fixture, v *tokens.Vault) string {
			f.connect(v, "a1", f.now.Add(time.Hour))
			f.disconnect(v, "a1")
			f.now = f.now.Add(2 * time.Hour)
			return ""
		}, "youtube"},
		{"revoked", func(f *fixture, v *tokens.Vault) string {
			f.connect(v, "a1", f.now.Add(time.Hour))
			f.disconnect(v, "a1")
			if _, err := v.Revoke(ctx, "a1", false); err != nil {
				f.t.Fatal(err)
			}
			return ""
		}, "youtube"},
		{"never connected", func(*fixture, *tokens.Vault) string { return "" }, "youtube"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			v := f.vault(func(o *tokens.Options) { o.Now = f.clock })
			want := tc.setup(f, v)
			tok, info, err := v.LookToken(ctx, "a1", tc.platform)
			if want == "" {
				if !errors.Is(err, tokens.ErrNotConnected) {
					t.Errorf("LookToken = %v, want ErrNotConnected", err)
				}
				return
			}
			if err != nil || tok.AccessToken != want {
				t.Fatalf("LookToken = %v, %v; want the kept token", tok != nil, err)
			}
			if info.PlatformUserID != "UCa1" || info.Status != tokens.StatusRevoking {
				t.Errorf("info %+v", info)
			}
			if _, err := v.Token(ctx, "a1", ""); !errors.Is(err, tokens.ErrNotConnected) {
				t.Errorf("Token after Disconnect: %v", err)
			}
		})
	}
}

func (f *fixture) disconnect(v *tokens.Vault, id string) {
	f.t.Helper()
	if err := v.Disconnect(context.Background(), id); err != nil {
		f.t.Fatalf("Disconnect(%s): %v", id, err)
	}
}
