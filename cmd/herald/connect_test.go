package main

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/heraldhq/herald/config"
	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/publishers/instagram/instagramtest"
	"github.com/heraldhq/herald/publishers/linkedin/linkedintest"
	"github.com/heraldhq/herald/publishers/tiktok/tiktoktest"
	"github.com/heraldhq/herald/publishers/youtube/youtubetest"
	"github.com/heraldhq/herald/tokens"
)

// TestConnectThroughTheBinarysWiring connects an account of every
// platform through the consent Herald runs, as `herald api` and `herald
// accounts connect-url` wire it: the authorize URL (from the API and
// from the CLI), the platform fake's consent page, Allow, Herald's
// public callback, the app's return URL; then `herald worker` publishes
// with each account.
func TestConnectThroughTheBinarysWiring(t *testing.T) {
	db := redistest.New(t)
	cases := startPlatforms(t)
	var h http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	const app = "http://127.0.0.1:1/app/done"
	for k, v := range map[string]string{
		"HERALD_REDIS_URL": db.URL(), "HERALD_TOKEN_KEYS": "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
		"HERALD_WORKER_METRICS_ADDR": "", "HERALD_DELAYED_TASK_CHECK_INTERVAL": "100ms",
		"HERALD_PUBLIC_URL": srv.URL, "HERALD_CONNECT_RETURN_URLS": "http://127.0.0.1:1/app/",
		"HERALD_GOOGLE_AUTH_URL":   strings.TrimSuffix(os.Getenv("HERALD_GOOGLE_TOKEN_URL"), "/token") + youtubetest.AuthPath,
		"HERALD_TIKTOK_AUTH_URL":   os.Getenv("HERALD_TIKTOK_URL") + tiktoktest.AuthPath,
		"HERALD_LINKEDIN_AUTH_URL": os.Getenv("HERALD_LINKEDIN_URL") + linkedintest.AuthPath,
		"HERALD_INSTAGRAM_APP_ID":  "ig-app", "HERALD_INSTAGRAM_APP_SECRET": "ig-app-secret-0123456789",
		"HERALD_INSTAGRAM_AUTH_URL":  os.Getenv("HERALD_INSTAGRAM_GRAPH_URL") + instagramtest.AuthPath,
		"HERALD_INSTAGRAM_TOKEN_URL": os.Getenv("HERALD_INSTAGRAM_GRAPH_URL") + instagramtest.TokenPath,
	} {
		t.Setenv(k, v)
	}
	cfg, err := config.Load()
	if err != nil {
		t.Fatal(err)
	}
	rdb := cfg.Redis.NewClient()
	t.Cleanup(func() { rdb.Close() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	h, err = apiHandler(cfg, rdb, map[string]string{testAPIKey: "test"}, 0, log)
	if err != nil {
		t.Fatal(err)
	}
	ps, err := platforms(cfg, rdb, nil)
	if err != nil {
		t.Fatal(err)
	}
	vault, _, err := newVault(cfg, rdb, ps, newClient(cfg, rdb, ps, nil), log, nil)
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
	// loginUser is who each platform's consent says connected, where
	// the platform's login knows the user by another id than the account.
	loginUser := map[string]string{"youtube": "consent-user"}
	for _, pc := range cases {
		t.Run(pc.name, func(t *testing.T) {
			w := wiring{t: t, api: srv.URL, pc: pc}
			apiAcct, cliAcct := pc.name+"-via-api", pc.name+"-via-cli"
			var started struct {
				AuthorizeURL string `json:"authorize_url"`
			}
			json.Unmarshal(w.call("POST", "/v1/connections", map[string]any{"platform": pc.name, "account_id": apiAcct, "return_url": app}, http.StatusCreated), &started)
			out, stderr, err := herald(t, context.Background(), "accounts", "connect-url", "--platform", pc.name, "--account", cliAcct, "--return", app)
			if err != nil {
				t.Fatalf("accounts connect-url: %q %q %v", out, stderr, err)
			}
			for account, authorize := range map[string]string{apiAcct: started.AuthorizeURL, cliAcct: strings.TrimSpace(out)} {
				back := consentInBrowser(t, authorize)
				u, _ := url.Parse(back)
				if q := u.Query(); !strings.HasPrefix(back, app+"?") || q.Get("status") != "connected" || q.Get("account_id") != account {
					t.Fatalf("%s: the browser ended at %s", account, back)
				}
				var info tokens.Info
				json.Unmarshal(w.call("GET", "/v1/accounts/"+account, nil, http.StatusOK), &info)
				if info.Status != tokens.StatusActive || info.PlatformUserID == "" {
					t.Errorf("%s: %+v", account, info)
				}
				if lu := loginUser[pc.name]; lu != "" {
					// The platform's disconnect notices name the login user: they must find the account.
					if ids, err := vault.AccountsOf(context.Background(), pc.name, lu); err != nil || !slices.Contains(ids, account) {
						t.Errorf("%s: accounts of login user %s: %v %v", account, lu, ids, err)
					}
				}
				w.schedule(account, false)
				w.waitPublished(account)
			}
		})
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
