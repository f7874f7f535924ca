package tokens_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/tokens"
)

func (f *fixture) connectAs(v *tokens.Vault, id, platformUser, loginUser string) {
	f.t.Helper()
	tok := f.oauth.Issue(time.Now().Add(time.Hour))
	remember(tok)
	err := v.Connect(context.Background(), tokens.Account{ID: id, Platform: "youtube", PlatformUserID: platformUser, LoginUserID: loginUser, Token: tok})
	if err != nil {
		f.t.Fatalf("Connect(%s): %v", id, err)
	}
}

func accountsOf(t *testing.T, v *tokens.Vault, platform, user string) []string {
	t.Helper()
	ids, err := v.AccountsOf(context.Background(), platform, user)
	if err != nil {
		t.Fatalf("AccountsOf(%s, %s): %v", platform, user, err)
	}
	return ids
}

func TestAccountsOfFindsEveryAccountOfAPlatformUser(t *testing.T) {
	f := newFixture(t)
	v := f.vault()
	// One Google login manages two channels; a third channel is someone else's.
	f.connectAs(v, "chan-b", "UC-b", "google-sub-1")
	f.connectAs(v, "chan-a", "UC-a", "google-sub-1")
	f.connectAs(v, "chan-c", "UC-c", "google-sub-2")

	if got := accountsOf(t, v, "youtube", "google-sub-1"); !slices.Equal(got, []string{"chan-a", "chan-b"}) {
		t.Errorf("by login user id: %v", got)
	}
	if got := accountsOf(t, v, "youtube", "UC-c"); !slices.Equal(got, []string{"chan-c"}) {
		t.Errorf("by platform user id: %v", got)
	}
	if got := accountsOf(t, v, "tiktok", "google-sub-1"); len(got) != 0 {
		t.Errorf("another platform's user of the same id: %v", got)
	}
	if got := accountsOf(t, v, "youtube", "nobody"); len(got) != 0 {
		t.Errorf("unknown user: %v", got)
	}
	if _, err := v.AccountsOf(context.Background(), "youtube", ""); !errors.Is(err, tokens.ErrInvalid) {
		t.Errorf("empty user id: %v", err)
	}
	if _, err := v.AccountsOf(context.Background(), "youtube", strings.Repeat("x", 257)); !errors.Is(err, tokens.ErrInvalid) {
		t.Errorf("overlong user id: %v", err)
	}
}

func TestReconnectWithAnotherPlatformUserMovesTheAccount(t *testing.T) {
	f := newFixture(t)
	v := f.vault()
	f.connectAs(v, "acct", "UC-old", "sub-old")
	f.connectAs(v, "acct", "UC-new", "sub-old") // same login, another channel
	if got := accountsOf(t, v, "youtube", "UC-old"); len(got) != 0 {
		t.Errorf("the replaced platform user still maps to %v", got)
	}
	if got := accountsOf(t, v, "youtube", "UC-new"); !slices.Equal(got, []string{"acct"}) {
		t.Errorf("new platform user: %v", got)
	}
	if got := accountsOf(t, v, "youtube", "sub-old"); !slices.Equal(got, []string{"acct"}) {
		t.Errorf("the login user id kept across the reconnect: %v", got)
	}
	f.connectAs(v, "acct", "UC-new", "")
	if got := accountsOf(t, v, "youtube", "sub-old"); len(got) != 0 {
		t.Errorf("a dropped login user id still maps to %v", got)
	}
	for k := range f.dump() {
		if strings.Contains(k, "UC-old") || strings.Contains(k, "sub-old") {
			t.Errorf("key %s is left of a replaced platform user", k)
		}
	}
}

func TestDisconnectKeepsTheMappingAndEraseRemovesIt(t *testing.T) {
	f := newFixture(t)
	v := f.vault()
	ctx := context.Background()
	f.connectAs(v, "gone", "UC-shared", "sub-gone")
	f.connectAs(v, "stays", "UC-shared", "sub-stays")
	if err := v.Disconnect(ctx, "gone"); err != nil {
		t.Fatal(err)
	}
	if got := accountsOf(t, v, "youtube", "sub-gone"); !slices.Equal(got, []string{"gone"}) {
		t.Errorf("after Disconnect: %v; a deletion request must still find the account", got)
	}
	rc, err := v.Erase(ctx, "gone")
	if err != nil {
		t.Fatal(err)
	}
	if rc.Deleted["platform_user_index"] == 0 {
		t.Errorf("receipt %+v does not count the index", rc)
	}
	if got := accountsOf(t, v, "youtube", "UC-shared"); !slices.Equal(got, []string{"stays"}) {
		t.Errorf("shared platform user after erasing one account: %v", got)
	}
	for k, val := range f.dump() {
		if strings.Contains(k, "gone") || strings.Contains(val, "gone") {
			t.Errorf("after Erase, %s still names the account: %.200s", k, val)
		}
	}
}

func TestLoginUserIDIsValidated(t *testing.T) {
	f := newFixture(t)
	v := f.vault()
	tok := f.oauth.Issue(time.Now().Add(time.Hour))
	err := v.Connect(context.Background(), tokens.Account{ID: "a", Platform: "youtube", LoginUserID: strings.Repeat("9", 257), Token: tok})
	var fe *tokens.FieldError
	if !errors.As(err, &fe) || fe.Field != "login_user_id" {
		t.Errorf("Connect with an overlong login user id: %v", err)
	}
}

func TestReindexPlatformUsersFindsOlderAccounts(t *testing.T) {
	f := newFixture(t)
	v := f.vault()
	ctx := context.Background()
	f.connectAs(v, "old-1", "UC-old", "")
	f.connectAs(v, "new-1", "UC-new", "google-sub-9")
	// old-1 was connected before the index existed.
	if err := f.db.Client.Del(ctx, "herald:{platform-user:youtube:UC-old}", "herald:{acct:old-1}:platform-users").Err(); err != nil {
		t.Fatal(err)
	}
	if got := accountsOf(t, v, "youtube", "UC-old"); len(got) != 0 {
		t.Fatalf("before reindex: %v", got)
	}
	for range 2 { // safe to repeat
		n, err := v.ReindexPlatformUsers(ctx)
		if err != nil || n != 2 {
			t.Fatalf("ReindexPlatformUsers = %d, %v", n, err)
		}
	}
	if got := accountsOf(t, v, "youtube", "UC-old"); !slices.Equal(got, []string{"old-1"}) {
		t.Errorf("after reindex: %v", got)
	}
	// What the index had is kept, login user ids included.
	if got := accountsOf(t, v, "youtube", "google-sub-9"); !slices.Equal(got, []string{"new-1"}) {
		t.Errorf("login user id after reindex: %v", got)
	}
	// Erase still removes every entry.
	if _, err := v.Erase(ctx, "old-1"); err != nil {
		t.Fatal(err)
	}
	if got := accountsOf(t, v, "youtube", "UC-old"); len(got) != 0 {
		t.Errorf("after erase: %v", got)
	}
}
