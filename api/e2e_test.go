package api

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/eventually"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/sandbox"
	"github.com/heraldhq/herald/publishers/sandbox/sandboxtest"
)

// startWorker runs a worker over f's Redis, publishing to the sandbox
// (and to what register adds) with tokens from f's Vault, until the test
// ends.
func (f *fixture) startWorker(register ...func(*publishers.Registry)) *sandboxtest.Server {
	f.t.Helper()
	sb := sandboxtest.New()
	f.t.Cleanup(sb.Close)
	reg := publishers.NewRegistry()
	reg.Register("sandbox", sandbox.New(sb.URL(), nil))
	for _, r := range register {
		r(reg)
	}
	w, err := jobs.NewWorker(f.db.Client, jobs.WorkerConfig{
		Concurrency:              2,
		ShutdownTimeout:          2 * time.Second,
		DelayedTaskCheckInterval: 100 * time.Millisecond,
		Retry:                    jobs.RetryPolicy{Base: 10 * time.Millisecond, Cap: 50 * time.Millisecond},
		Publishers:               reg,
		Tokens:                   f.vault,
		Sealer:                   f.keys,
		Logger:                   f.logger,
	})
	if err != nil {
		f.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	f.t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			f.t.Errorf("worker: %v", err)
		}
	})
	return sb
}

// TestConnectScheduleAndWatchItPublish drives the whole API against a
// running worker: connect, schedule, published, analytics, erase. Then
// no response and no log line holds the account's tokens.
func TestConnectScheduleAndWatchItPublish(t *testing.T) {
	f := newFixture(t)
	f.startWorker()
	f.connect("acct-1", "sandbox")

	expect(t, f.do("POST", "/v1/posts", postBody("p1", "acct-1", "sandbox", time.Now())), http.StatusCreated)
	var st jobs.PostStatus
	eventually.True(t, 15*time.Second, func() bool {
		f.do("GET", "/v1/posts/p1", "").json(t, &st)
		return st.State.Final()
	}, "post p1 published")
	if st.State != jobs.StatePublished || st.RemoteID == "" || st.URL == "" || st.Attempts != 1 {
		t.Fatalf("post p1: %+v", st)
	}
	r := f.do("DELETE", "/v1/posts/p1", "")
	expect(t, r, http.StatusConflict)
	if r.error(t).Code != codeAlreadyPublished {
		t.Errorf("cancel of a published post: %s", r.body)
	}

	expect(t, f.do("GET", "/v1/accounts/acct-1/analytics", ""), http.StatusNotFound)
	r = f.do("POST", "/v1/accounts/acct-1/analytics/refresh", "")
	expect(t, r, http.StatusAccepted)
	var an analyticsResponse
	eventually.True(t, 15*time.Second, func() bool {
		r = f.do("GET", "/v1/accounts/acct-1/analytics?days=7", "")
		return r.status == http.StatusOK
	}, "analytics of acct-1 read")
	r.json(t, &an)
	if an.AccountID != "acct-1" || an.Latest.Platform != "sandbox" || an.Latest.Posts[st.RemoteID] == nil || len(an.History) != 1 {
		t.Errorf("analytics: %s", r.body)
	}

	expect(t, f.do("POST", "/v1/accounts/acct-1/disconnect", ""), http.StatusOK)
	r = f.do("POST", "/v1/accounts/acct-1/analytics/refresh", "")
	expect(t, r, http.StatusConflict)
	if r.error(t).Code != codeNotConnected {
		t.Errorf("refresh of a disconnected account: %s", r.body)
	}
	expect(t, f.do("DELETE", "/v1/accounts/acct-1", ""), http.StatusOK)
	expect(t, f.do("GET", "/v1/posts/p1", ""), http.StatusNotFound)

	f.checkNoSecrets()
}

// TestTokensNeverLeave connects an account and then tries every route,
// also wrongly, and looks for the tokens in every response and log line.
func TestTokensNeverLeave(t *testing.T) {
	f := newFixture(t)
	f.connect("acct-1", "youtube")
	expect(t, f.do("POST", "/v1/accounts", connectBody("acct-1", "youtube")), http.StatusOK)
	later := time.Now().Add(time.Hour)
	// Wrong connects, with the tokens in them.
	bad := []string{
		strings.Replace(connectBody("acct-1", "youtube"), `"platform":"youtube"`, `"platform":"myspace"`, 1),
		strings.Replace(connectBody("acct-1", "youtube"), `"scopes"`, `"scope"`, 1),
		strings.Replace(connectBody("acct-1", "youtube"), `"expiry"`, `"expiry":7,"x"`, 1),
		strings.Replace(connectBody("acct 1", "youtube"), refreshT, refreshT+`", "refresh_token": 5, "y":"`, 1),
		connectBody("acct-1", "youtube") + `,"` + accessTok + `"`,
		`{"account_id":"a","platform":"youtube","access_token":"` + strings.Repeat(accessTok, 400) + `"}`,
		`{"account_id":"a","platform":"youtube","access_token":` + accessTok + `}`,
		`{"account_id":"a","platform":"youtube","access_token":"` + accessTok + `","expiry":"2001-01-01T00:00:00Z"}`,
	}
	for _, b := range bad {
		if r := f.do("POST", "/v1/accounts", b); r.status < 400 {
			t.Errorf("bad connect answered %d", r.status)
		}
	}
	f.doWith("GET", "/v1/accounts/acct-1", "", map[string]string{"Authorization": "Bearer " + accessTok})
	for _, req := range [][3]string{
		{"GET", "/v1/accounts/acct-1", ""},
		{"POST", "/v1/posts", postBody("p1", "acct-1", "youtube", later)},
		{"GET", "/v1/posts/p1", ""},
		{"PATCH", "/v1/posts/p1", `{"publish_at":"` + later.Add(time.Minute).Format(time.RFC3339) + `"}`},
		{"GET", "/v1/accounts/acct-1/posts", ""},
		{"POST", "/v1/accounts/acct-1/analytics/refresh", ""},
		{"GET", "/v1/accounts/acct-1/analytics", ""},
		{"POST", "/v1/accounts/acct-1/disconnect", ""},
		{"DELETE", "/v1/accounts/acct-1", ""},
	} {
		f.do(req[0], req[1], req[2])
	}
	f.checkNoSecrets()
}

// checkNoSecrets fails the test if a token appears in any response or
// log line so far.
func (f *fixture) checkNoSecrets() {
	f.t.Helper()
	f.mu.Lock()
	seen := strings.Join(f.seen, "\n")
	f.mu.Unlock()
	if len(f.seen) == 0 {
		f.t.Fatal("no responses seen")
	}
	for _, where := range []struct{ name, text string }{{"a response", seen}, {"the logs", f.logs.String()}} {
		for _, secret := range []string{accessTok, refreshT, testKey, otherKey} {
			if strings.Contains(where.text, secret) {
				f.t.Errorf("%s holds a secret (%.12s...)", where.name, secret)
			}
		}
	}
}
