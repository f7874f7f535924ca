package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/heraldhq/herald/config"
	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/sandbox/sandboxtest"
	"github.com/heraldhq/herald/tokens"
)

// TestConnectThroughTheBinarysWiring connects sandbox accounts through
// the consent Herald runs, as `herald api` and `herald accounts
// connect-url` wire it: the authorize URL (from the API and from the
// CLI), the sandbox's consent page, Allow, Herald's public callback, the
// app's return URL; then `herald worker` publishes with each account.
func TestConnectThroughTheBinarysWiring(t *testing.T) {
	db := redistest.New(t)
	sb := sandboxtest.New()
	t.Cleanup(sb.Close)
	var h http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	const app = "http://127.0.0.1:1/app/done"
	for k, v := range map[string]string{
		"HERALD_REDIS_URL": db.URL(), "HERALD_TOKEN_KEYS": "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
		"HERALD_WORKER_METRICS_ADDR": "", "HERALD_DELAYED_TASK_CHECK_INTERVAL": "100ms",
		"HERALD_SANDBOX_URL": sb.URL(), "HERALD_PUBLIC_URL": srv.URL, "HERALD_CONNECT_RETURN_URLS": "http://127.0.0.1:1/app/",
	} {
		t.Setenv(k, v)
	}
	cfg, err := config.Load()
	if err != nil {
		t.Fatal(err)
	}
	rdb := cfg.Redis.NewClient()
	t.Cleanup(func() { rdb.Close() })
	h, err = apiHandler(cfg, rdb, map[string]string{testAPIKey: "test"}, 0, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	worker := make(chan error, 1)
	go func() { _, _, err := herald(t, ctx, "worker"); worker <- err }()
	t.Cleanup(func() {
		cancel()
		if err := <-worker; err != nil {
			t.Errorf("worker: %v", err)
		}
	})
	w := wiring{t: t, api: srv.URL, pc: platformCase{name: "sandbox", content: func(text string) publishers.Content { return publishers.Content{Text: text} }}}

	var started struct {
		AuthorizeURL string `json:"authorize_url"`
	}
	json.Unmarshal(w.call("POST", "/v1/connections", map[string]any{"platform": "sandbox", "account_id": "via-api", "return_url": app}, http.StatusCreated), &started)
	out, stderr, err := herald(t, context.Background(), "accounts", "connect-url", "--platform", "sandbox", "--account", "via-cli", "--return", app)
	if err != nil {
		t.Fatalf("accounts connect-url: %q %q %v", out, stderr, err)
	}
	for account, authorize := range map[string]string{"via-api": started.AuthorizeURL, "via-cli": strings.TrimSpace(out)} {
		back := consentInBrowser(t, authorize)
		if !strings.HasPrefix(back, app+"?") {
			t.Fatalf("%s: the browser ended at %s", account, back)
		}
		u, _ := url.Parse(back)
		if q := u.Query(); q.Get("status") != "connected" || q.Get("account_id") != account {
			t.Fatalf("%s: return URL %s", account, back)
		}
		var info tokens.Info
		json.Unmarshal(w.call("GET", "/v1/accounts/"+account, nil, http.StatusOK), &info)
		if info.Status != tokens.StatusActive || info.PlatformUserID == "" {
			t.Errorf("%s: %+v", account, info)
		}
		w.schedule(account, false)
		w.waitPublished(account)
	}
}

// consentInBrowser does what a browser does with an authorize URL: opens
// the consent page, clicks Allow (a POST to the same URL), and follows
// the redirects until they leave Herald; it returns where they ended.
func consentInBrowser(t *testing.T, authorize string) string {
	t.Helper()
	resp, err := http.Get(authorize)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), `value="allow"`) {
		t.Fatalf("consent page: %d %s", resp.StatusCode, page)
	}
	var last string
	client := &http.Client{CheckRedirect: func(r *http.Request, _ []*http.Request) error {
		last = r.URL.String()
		if strings.HasPrefix(last, "http://127.0.0.1:1/") {
			return http.ErrUseLastResponse // the app, which this test does not run
		}
		return nil
	}}
	resp, err = client.PostForm(authorize, url.Values{"decision": {"allow"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return last
}
