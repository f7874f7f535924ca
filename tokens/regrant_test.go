package tokens_test

import (
	"context"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers/youtube"
	"github.com/heraldhq/herald/tokens"
)

// A disconnect keeps the token for its revocation, which waits (for the
// look-only attempts of the account's posts). Where the platform's
// revoke ends the user's whole authorization of the app, a user who
// connected again meanwhile holds a token of the same grant: the kept
// token is then deleted, not revoked, so the new connection lives.
func TestRevocationSparesTheGrantOfAUserWhoConnectedAgain(t *testing.T) {
	type who struct{ platformUser, loginUser string }
	tests := []struct {
		name       string
		revokesAll bool
		first      who
		then       string // "" (nothing), or the account connected before the revocation runs
		again      who
		disconnect bool // the account connected again is disconnected too, before the revocation
		want       bool // the kept token is revoked at the platform
	}{
		{"nobody connected again", true, who{"UC1", "sub-1"}, "", who{}, false, true},
		{"the same user, the same account", true, who{"UC1", "sub-1"}, "a1", who{"UC1", "sub-1"}, false, false},
		{"the same login user, another account and channel", true, who{"UC1", "sub-1"}, "a2", who{"UC2", "sub-1"}, false, false},
		{"the same platform user, no login ids", true, who{"UC1", ""}, "a2", who{"UC1", ""}, false, false},
		{"another login user", true, who{"UC1", "sub-1"}, "a1", who{"UC1", "sub-2"}, false, true},
		{"users that cannot be compared", true, who{"UC1", ""}, "a2", who{"UC1", "sub-1"}, false, true},
		{"the user connected again and left again", true, who{"UC1", "sub-1"}, "a2", who{"UC2", "sub-1"}, true, true},
		{"a revoke of the one token only", false, who{"UC1", "sub-1"}, "a1", who{"UC1", "sub-1"}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			v := f.vault(func(o *tokens.Options) {
				o.Platforms["youtube"] = tokens.Platform{
					OAuth:      &oauth2.Config{ClientID: "client", ClientSecret: "secret", Endpoint: f.oauth.Endpoint()},
					Revoke:     youtube.Revoke(f.oauth.RevokeURL()),
					RevokesAll: tt.revokesAll,
				}
			})
			ctx := context.Background()
			old := f.oauth.Issue(time.Now().Add(time.Hour))
			remember(old)
			if err := v.Connect(ctx, tokens.Account{ID: "a1", Platform: "youtube", PlatformUserID: tt.first.platformUser, LoginUserID: tt.first.loginUser, Token: old}); err != nil {
				t.Fatal(err)
			}
			if err := v.Disconnect(ctx, "a1"); err != nil {
				t.Fatal(err)
			}
			var next *oauth2.Token
			if tt.then != "" {
				next = f.oauth.Issue(time.Now().Add(time.Hour))
				remember(next)
				if err := v.Connect(ctx, tokens.Account{ID: tt.then, Platform: "youtube", PlatformUserID: tt.again.platformUser, LoginUserID: tt.again.loginUser, Token: next}); err != nil {
					t.Fatal(err)
				}
				if tt.disconnect {
					if err := v.Disconnect(ctx, tt.then); err != nil {
						t.Fatal(err)
					}
				}
			}
			if _, err := v.Revoke(ctx, "a1", false); err != nil {
				t.Fatal(err)
			}
			if got := f.oauth.Revoked(old.RefreshToken); got != tt.want {
				t.Errorf("kept token revoked at the platform: %v, want %v", got, tt.want)
			}
			if _, _, err := v.LookToken(ctx, "a1", "youtube"); err == nil {
				t.Error("the kept token is still there after Revoke")
			}
			if next != nil && !tt.disconnect {
				tok, err := v.Token(ctx, tt.then, "youtube")
				if err != nil || tok.AccessToken != next.AccessToken {
					t.Errorf("the new connection's token: %v", err)
				}
			}
		})
	}
}
