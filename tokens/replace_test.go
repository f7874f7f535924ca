package tokens_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers/youtube"
	"github.com/heraldhq/herald/tokens"
)

// A reconnect revokes the token it replaces only when the revocation
// cannot reach the new token: a platform with a revoke endpoint, a token
// that differs, and, where revoking ends the user's whole authorization,
// another user.
func TestReconnectRevokesTheReplacedToken(t *testing.T) {
	type who struct{ platformUser, loginUser string }
	tests := []struct {
		name       string
		platform   string // of the first connection; the second is youtube
		revokesAll bool
		first      who
		second     who
		sameToken  bool
		disconnect bool // the first connection is disconnected before the second
		reauth     bool // the first connection's refresh token was refused
		want       bool
	}{
		{"per-token revoke", "youtube", false, who{"UC1", ""}, who{"UC1", ""}, false, false, false, true},
		{"the same token again", "youtube", false, who{"UC1", ""}, who{"UC1", ""}, true, false, false, false},
		{"a platform without revoke", "sandbox", false, who{"u1", ""}, who{"UC1", ""}, false, false, false, false},
		{"revoke ends the user's authorization, same login user", "youtube", true, who{"UC1", "sub-1"}, who{"UC2", "sub-1"}, false, false, false, false},
		{"revoke ends the user's authorization, another login user", "youtube", true, who{"UC1", "sub-1"}, who{"UC2", "sub-2"}, false, false, false, true},
		{"revoke ends the user's authorization, same platform user", "youtube", true, who{"UC1", ""}, who{"UC1", ""}, false, false, false, false},
		{"revoke ends the user's authorization, another platform user", "youtube", true, who{"UC1", ""}, who{"UC2", ""}, false, false, false, true},
		{"revoke ends the user's authorization, users not comparable", "youtube", true, who{"UC1", ""}, who{"UC2", "sub-2"}, false, false, false, false},
		{"revoke ends the user's authorization, users unknown", "youtube", true, who{"", ""}, who{"", ""}, false, false, false, false},
		{"disconnected first", "youtube", false, who{"UC1", ""}, who{"UC1", ""}, false, true, false, false},
		{"marked for reauthorization", "youtube", false, who{"UC1", ""}, who{"UC1", ""}, false, false, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			queued := 0
			v := f.vault(func(o *tokens.Options) {
				o.Platforms["youtube"] = tokens.Platform{
					OAuth:      &oauth2.Config{ClientID: "client", ClientSecret: "secret", Endpoint: f.oauth.Endpoint()},
					Revoke:     youtube.Revoke(f.oauth.RevokeURL()),
					RevokesAll: tt.revokesAll,
				}
				if tt.platform == "sandbox" {
					// The sandbox revokes nothing; the account moves to
					// YouTube, whose revoke the old token must not meet.
					o.Platforms["sandbox"] = tokens.Platform{}
				}
				o.OnRevocation = func(context.Context, string, string) error { queued++; return nil }
			})
			ctx := context.Background()
			expiry := time.Now().Add(time.Hour)
			if tt.reauth {
				expiry = time.Now().Add(-time.Minute)
			}
			old := f.oauth.Issue(expiry)
			remember(old)
			if err := v.Connect(ctx, tokens.Account{ID: "a1", Platform: tt.platform, PlatformUserID: tt.first.platformUser, LoginUserID: tt.first.loginUser, Token: old}); err != nil {
				t.Fatal(err)
			}
			if tt.reauth {
				f.oauth.RevokeRefreshToken(old.RefreshToken)
				if _, err := v.Token(ctx, "a1", "youtube"); !errors.Is(err, tokens.ErrReauthRequired) {
					t.Fatalf("refresh of a refused token: %v", err)
				}
			}
			if tt.disconnect {
				if err := v.Disconnect(ctx, "a1"); err != nil {
					t.Fatal(err)
				}
				if _, err := v.Revoke(ctx, "a1", false); err != nil {
					t.Fatal(err)
				}
			}
			revocations := f.oauth.Revocations()
			next := f.oauth.Issue(time.Now().Add(time.Hour))
			remember(next)
			if tt.sameToken {
				next = old
			}
			if err := v.Connect(ctx, tokens.Account{ID: "a1", Platform: "youtube", PlatformUserID: tt.second.platformUser, LoginUserID: tt.second.loginUser, Token: next}); err != nil {
				t.Fatal(err)
			}
			if got := queued == 1; got != tt.want {
				t.Fatalf("revocation queued: %v (%d), want %v", got, queued, tt.want)
			}
			if _, err := v.Revoke(ctx, "a1", false); err != nil {
				t.Fatal(err)
			}
			revoked := f.oauth.Revocations() > revocations
			if tt.want != revoked || (tt.want && !f.oauth.Revoked(old.RefreshToken)) {
				t.Errorf("old token revoked: %v, want %v", revoked, tt.want)
			}
			if tt.want && f.oauth.Revoked(next.RefreshToken) {
				t.Error("the new token was revoked")
			}
			tok, err := v.Token(ctx, "a1", "youtube")
			if err != nil || tok.AccessToken != next.AccessToken {
				t.Errorf("the account's token after the reconnect: %v", err)
			}
			if info, _ := v.Info(ctx, "a1"); info.Status != tokens.StatusActive {
				t.Errorf("status %s after the revocation, want active", info.Status)
			}
		})
	}
}

// What a connect stores beside the token comes back in Info.
func TestConnectKeepsOrganizationsAndTheGrant(t *testing.T) {
	f := newFixture(t)
	v := f.vault()
	ctx := context.Background()
	tok := f.oauth.Issue(time.Now().Add(time.Hour))
	remember(tok)
	orgs := []string{"urn:li:organization:1", "urn:li:organization:2"}
	if err := v.Connect(ctx, tokens.Account{ID: "a1", Platform: "linkedin", PlatformUserID: "urn:li:person:u1", Scopes: []string{"publish"}, ScopesGranted: true, Organizations: orgs, Token: tok}); err != nil {
		t.Fatal(err)
	}
	info, err := v.Info(ctx, "a1")
	if err != nil || !info.ScopesGranted || !slices.Equal(info.Organizations, orgs) {
		t.Fatalf("info %+v %v", info, err)
	}
	_, creds, err := v.Credentials(ctx, "a1", "linkedin")
	if err != nil || !creds.ScopesGranted || !slices.Equal(creds.Organizations, orgs) {
		t.Fatalf("credentials %+v %v", creds, err)
	}
	// The Vault stores organizations only where a post can be authored
	// as them (tokens.Platform.Organization), for every caller: the API,
	// the consent, an embedder.
	const member = "urn:li:person:u2"
	tests := []struct {
		name, platform, platformUserID string
		orgs                           []string
		field, problem                 string
	}{
		{"a platform without organizations", "sandbox", "u2", []string{"urn:li:organization:1"}, "organizations", `only linkedin accounts have organizations, not "sandbox" accounts`},
		{"an organization's account", "linkedin", "urn:li:organization:9", []string{"urn:li:organization:1"}, "organizations", "the account is an organization"},
		{"too many", "linkedin", member, make([]string, tokens.MaxOrganizations+1), "organizations", "at most 1000"},
		{"empty", "linkedin", member, []string{""}, "organizations[0]", "not an organization URN"},
		{"white space", "linkedin", member, []string{"urn:li:organization:1 x"}, "organizations[0]", "not an organization URN"},
		{"a person", "linkedin", member, []string{"urn:li:organization:1", "urn:li:person:bob"}, "organizations[1]", `"urn:li:person:bob" is not an organization URN`},
		{"too long", "linkedin", member, []string{"urn:li:organization:" + strings.Repeat("1", 300)}, "organizations[0]", "longer than 256"},
		{"twice", "linkedin", member, []string{"urn:li:organization:1", "urn:li:organization:2", "urn:li:organization:1"}, "organizations[2]", "urn:li:organization:1 is organizations[0] again"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := v.Connect(ctx, tokens.Account{ID: "a2", Platform: tt.platform, PlatformUserID: tt.platformUserID, Organizations: tt.orgs, Token: tok})
			var fe *tokens.FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field || !strings.Contains(fe.Problem, tt.problem) {
				t.Errorf("Connect: %v, want a field error on %s saying %q", err, tt.field, tt.problem)
			}
			if _, err := v.Info(ctx, "a2"); !errors.Is(err, tokens.ErrNotConnected) {
				t.Errorf("Info after the refused connect: %v, want ErrNotConnected", err)
			}
		})
	}
}
