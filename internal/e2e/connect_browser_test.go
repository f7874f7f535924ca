package e2e_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/heraldhq/herald/connect"
	"github.com/heraldhq/herald/heraldtest"
	"github.com/heraldhq/herald/internal/eventually"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/sandbox"
	"github.com/heraldhq/herald/tokens"
)

// A user connects a sandbox account in a real browser: the app's
// authorize URL opens the sandbox's consent page, the user clicks Allow,
// the browser goes through Herald's callback and lands on the app's
// return page saying connected; then a post goes out with the account.
func TestConnectInABrowser(t *testing.T) {
	path := chromium(t)
	h := heraldtest.Start(t)
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, `<!doctype html><title>app</title><p id="result">`+r.URL.Query().Get("account_id")+" "+r.URL.Query().Get("status")+`</p>`)
	}))
	t.Cleanup(app.Close)
	mux := http.NewServeMux()
	herald := httptest.NewServer(mux)
	t.Cleanup(herald.Close)
	flow, err := connect.New(connect.Options{
		Redis: h.Redis, Keys: h.Keys, Vault: h.Vault,
		Platforms:  []publishers.Platform{sandbox.Platform(h.Sandbox.URL(), nil)},
		PublicURL:  herald.URL,
		ReturnURLs: []string{app.URL + "/connected"},
		Logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	mux.HandleFunc("GET /v1/oauth/{platform}/callback", flow.ServeCallback)
	started, err := flow.Start(context.Background(), connect.Request{Platform: "sandbox", AccountID: "acct-browser", ReturnURL: app.URL + "/connected", Key: "app"})
	if err != nil {
		t.Fatal(err)
	}

	b := startBrowser(t, path)
	bctx, cancel := context.WithTimeout(b.ctx, browserDeadline)
	defer cancel()
	if err := chromedp.Do(bctx, chromedp.Navigate(started.AuthorizeURL), chromedp.WaitVisible("#allow")); err != nil {
		t.Fatalf("open the consent page: %v; it shows: %s", err, b.text(bctx, "body"))
	}
	b.screenshot(t, "connect-consent.png")
	if err := chromedp.Do(bctx, chromedp.Click("#allow")); err != nil {
		t.Fatalf("click Allow: %v", err)
	}
	// The page navigates twice (the sandbox's 303 to Herald, Herald's 303
	// to the app): read where it is until it is at the app.
	var landed string
	eventually.True(t, 20*time.Second, func() bool {
		loc, err := chromedp.Run(bctx, chromedp.Location())
		if err == nil && strings.HasPrefix(loc, app.URL+"/connected") {
			landed = loc
			return true
		}
		return false
	}, "the browser reached the app's return URL (it shows: %s)", b.text(bctx, "body"))
	if err := chromedp.Do(bctx, chromedp.WaitVisible("#result")); err != nil {
		t.Fatalf("the app's page: %v", err)
	}
	b.screenshot(t, "connect-returned.png")
	u, _ := url.Parse(landed)
	if q := u.Query(); q.Get("status") != "connected" || q.Get("account_id") != "acct-browser" || strings.Contains(landed, "code=") {
		t.Fatalf("the app got %s", landed)
	}
	if info, err := h.Vault.Info(context.Background(), "acct-browser"); err != nil || info.Status != tokens.StatusActive {
		t.Fatalf("account %+v %v", info, err)
	}
	h.SchedulePost(t, jobs.Post{ID: "browser-post", AccountID: "acct-browser", Content: publishers.Content{Text: "connected in a browser"}})
	h.WaitPublished(t, "browser-post")
}
