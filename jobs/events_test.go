package jobs_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/tokens"
)

// streamEvents returns the stream's events about account, in order.
func (e *env) streamEvents(account string) []events.Event {
	e.t.Helper()
	msgs, err := e.rdb.XRange(context.Background(), events.Stream, "-", "+").Result()
	if err != nil {
		e.t.Fatal(err)
	}
	var evs []events.Event
	for _, m := range msgs {
		ev, err := events.Parse(m)
		if err != nil {
			e.t.Fatalf("stream entry %s: %v", m.ID, err)
		}
		if ev.AccountID == account {
			evs = append(evs, ev)
		}
	}
	return evs
}

// streamTypes returns the types of the stream's events about account, in
// order.
func (e *env) streamTypes(account string) []string {
	var types []string
	for _, ev := range e.streamEvents(account) {
		types = append(types, ev.Type)
	}
	return types
}

func TestAccountEventsFollowTheAccount(t *testing.T) {
	e := newVaultEnv(t)
	ctx := context.Background()
	e.connect("acct-1", time.Now().Add(time.Hour))
	e.schedule(e.post("p1", time.Now().Add(time.Hour)))
	if err := e.vault.Disconnect(ctx, "acct-1"); err != nil {
		t.Fatal(err)
	}
	want := []string{events.AccountConnected, events.PostScheduled, events.PostCanceled, events.AccountDisconnected}
	if got := e.streamTypes("acct-1"); !slices.Equal(got, want) {
		t.Errorf("events %v, want %v", got, want)
	}
	if _, err := e.vault.Erase(ctx, "acct-1"); err != nil {
		t.Fatal(err)
	}
	// Erase deletes the account's events and leaves only the one that
	// says it was erased.
	if got := e.streamTypes("acct-1"); !slices.Equal(got, []string{events.AccountErased}) {
		t.Errorf("after erase: events %v", got)
	}
}

func TestReauthIsAnEventWithTheVaultsReason(t *testing.T) {
	e := newVaultEnv(t)
	ctx := context.Background()
	tok := e.connect("refused", time.Now().Add(-time.Minute))
	e.oauth.RevokeRefreshToken(tok.RefreshToken)
	bare := &oauth2.Token{AccessToken: "at-bare-0123456789", TokenType: "Bearer", Expiry: time.Now().Add(-time.Minute)}
	if err := e.vault.Connect(ctx, tokens.Account{ID: "bare", Platform: "sandbox", Token: bare}); err != nil {
		t.Fatal(err)
	}
	for acct, want := range map[string]string{
		"refused": "the platform refused the refresh token (invalid_grant)",
		"bare":    "token expired and there is no refresh token",
	} {
		if _, err := e.vault.Token(ctx, acct, "sandbox"); err == nil {
			t.Fatalf("%s: gave a token", acct)
		}
		var reasons []string
		for _, ev := range e.streamEvents(acct) {
			if ev.Type == events.AccountReauthRequired {
				reasons = append(reasons, ev.Reason)
			}
		}
		if !slices.Equal(reasons, []string{want}) {
			t.Errorf("%s: %s events with reasons %q, want [%q]", acct, events.AccountReauthRequired, reasons, want)
		}
	}
}
