package connect_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/tokens"
)

// The whole flow over HTTP: Start, the sandbox's consent page, Allow,
// Herald's callback, the app's return URL; then a post goes out with the
// account.
func TestConnectThenPublish(t *testing.T) {
	r := newRig(t)
	s := r.start("acct-1")
	if time.Until(s.ExpiresAt) > connectTTL() || s.ExpiresAt.IsZero() {
		t.Errorf("expires_at %v", s.ExpiresAt)
	}
	au, _ := url.Parse(s.AuthorizeURL)
	q := au.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || len(q.Get("state")) < 43 {
		t.Errorf("authorize URL lacks PKCE S256 or a 256-bit state: %s", s.AuthorizeURL)
	}
	if q.Get("redirect_uri") != r.herald.URL+"/v1/oauth/sandbox/callback" || q.Get("scope") != "publish analytics" {
		t.Errorf("redirect_uri %q scope %q", q.Get("redirect_uri"), q.Get("scope"))
	}
	callback := r.consent(s.AuthorizeURL, allow())
	if !strings.HasPrefix(callback, r.herald.URL+"/v1/oauth/sandbox/callback?") {
		t.Fatalf("the sandbox sent the browser to %s", callback)
	}
	back := r.get(callback, http.StatusSeeOther)
	res := r.result(back)
	if res.Get("status") != "connected" || res.Get("account_id") != "acct-1" || res.Get("from") != "app" || res.Has("error") {
		t.Fatalf("return URL %s", back.location)
	}
	code := mustParse(t, callback).Query().Get("code")
	for _, secret := range []string{code, stateOf(t, s.AuthorizeURL)} {
		if strings.Contains(back.location, secret) || strings.Contains(r.logs.String(), secret) {
			t.Errorf("a code or state reached the redirect or the logs")
		}
	}

	info, err := r.h.Vault.Info(context.Background(), "acct-1")
	if err != nil || info.Status != tokens.StatusActive || info.PlatformUserID != "u_sandbox-user" || !slices.Equal(info.Scopes, []string{"publish", "analytics"}) {
		t.Fatalf("account %+v %v", info, err)
	}
	evs := r.h.Events(t)
	if i := slices.IndexFunc(evs, func(e events.Event) bool { return e.Type == events.AccountConnected }); i < 0 || evs[i].Reason != "" {
		t.Errorf("events %+v: want account.connected without reason", evs)
	}

	r.h.SchedulePost(t, jobs.Post{ID: "p1", AccountID: "acct-1", Content: publishers.Content{Text: "hello"}})
	r.h.WaitPublished(t, "p1")
}

func connectTTL() time.Duration { return 10*time.Minute + time.Second }

func mustParse(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// The user ticks fewer scopes than asked: the account is connected with
// what was granted, and account.connected says what is missing.
func TestSmallerGrantConnectsWithWhatWasGranted(t *testing.T) {
	r := newRig(t)
	s := r.start("acct-2")
	res := r.result(r.get(r.consent(s.AuthorizeURL, url.Values{"decision": {"allow"}, "grant": {"publish"}}), 0))
	if res.Get("status") != "connected" {
		t.Fatalf("result %v", res)
	}
	info, err := r.h.Vault.Info(context.Background(), "acct-2")
	if err != nil || !slices.Equal(info.Scopes, []string{"publish"}) {
		t.Fatalf("account %+v %v", info, err)
	}
	evs := r.h.Events(t)
	i := slices.IndexFunc(evs, func(e events.Event) bool { return e.Type == events.AccountConnected })
	if i < 0 || evs[i].Reason != "scopes not granted: analytics" {
		t.Fatalf("events %+v: want account.connected naming analytics", evs)
	}
}
