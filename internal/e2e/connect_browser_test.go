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
	"github.com/heraldhq/herald/publishers/instagram"
	"github.com/heraldhq/herald/publishers/instagram/instagramtest"
	"github.com/heraldhq/herald/publishers/linkedin"
	"github.com/heraldhq/herald/publishers/linkedin/linkedintest"
	"github.com/heraldhq/herald/publishers/sandbox"
	"github.com/heraldhq/herald/publishers/tiktok"
	"github.com/heraldhq/herald/publishers/tiktok/tiktoktest"
	"github.com/heraldhq/herald/publishers/youtube"
	"github.com/heraldhq/herald/publishers/youtube/youtubetest"
	"github.com/heraldhq/herald/tokens"
)

// A user connects an account of every platform in a real browser: the
// app's authorize URL opens the platform fake's consent page, the user
// clicks Allow, the browser goes through Herald's callback and lands on
// the app's return page saying connected; then a post goes out with the
// sandbox account (the binary-wiring test in cmd/herald publishes on
// every platform).
func TestConnectInABrowser(t *testing.T) {
	path := chromium(t)
	yt, tt, li, ig := youtubetest.New(), tiktoktest.New(), linkedintest.New(), instagramtest.New()
	for _, c := range []interface{ Close() }{yt, tt, li, ig} {
		t.Cleanup(c.Close)
	}
	li.SetClient("li-client", "li-secret")
	ig.SetAppSecret("ig-secret")
	others := []publishers.Platform{
		youtube.Platform(youtube.Options{Endpoint: yt.Endpoint()}, youtube.Credentials{
			ClientID: youtubetest.ClientID, ClientSecret: youtubetest.ClientSecret, TokenURL: yt.TokenURL(), RevokeURL: yt.RevokeURL(), AuthURL: yt.AuthURL()}),
		tiktok.Platform(tiktok.Options{BaseURL: tt.URL(), ClientKey: tiktoktest.DefaultClientKey, ClientSecret: tiktoktest.DefaultClientSecret}, tiktok.Consent{AuthURL: tt.AuthURL()}),
		linkedin.Platform(linkedin.Options{BaseURL: li.URL()}, linkedin.OAuth{TokenURL: li.TokenURL(), ClientID: "li-client", ClientSecret: "li-secret"}, linkedin.Consent{AuthURL: li.AuthURL()}),
		instagram.Platform(instagram.Options{BaseURL: ig.URL(), RefreshBaseURL: ig.URL()}, instagram.Consent{AppID: "ig-app", AppSecret: "ig-secret", AuthURL: ig.AuthURL(), TokenURL: ig.TokenURL()}),
	}
	var opts []heraldtest.Option
	for _, p := range others {
		opts = append(opts, heraldtest.Platform(p))
	}
	h := heraldtest.Start(t, opts...)
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, `<!doctype html><title>app</title><p id="result">`+r.URL.Query().Get("account_id")+" "+r.URL.Query().Get("status")+`</p>`)
	}))
	t.Cleanup(app.Close)
	mux := http.NewServeMux()
	herald := httptest.NewServer(mux)
	t.Cleanup(herald.Close)
	platforms := append([]publishers.Platform{sandbox.Platform(h.Sandbox.URL(), nil)}, others...)
	flow, err := connect.New(connect.Options{
		Redis: h.Redis, Keys: h.Keys, Vault: h.Vault,
		Platforms:  platforms,
		PublicURL:  herald.URL,
		ReturnURLs: []string{app.URL + "/connected"},
		Logger:     slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	mux.HandleFunc("GET /v1/oauth/{platform}/callback", flow.ServeCallback)
	b := startBrowser(t, path)
	for _, p := range platforms {
		t.Run(p.Name, func(st *testing.T) { connectInBrowser(st, t, b, flow, h, p.Name, app.URL+"/connected") })
	}
	h.SchedulePost(t, jobs.Post{ID: "browser-post", AccountID: "sandbox-browser", Content: publishers.Content{Text: "connected in a browser"}})
	h.WaitPublished(t, "browser-post")
}

// connectInBrowser connects account <platform>-browser in b: consent
// page, Allow, and the way back to the app at ret. Screenshots are
// named after the parent test (shots), whose name has no '/'.
func connectInBrowser(t, shots *testing.T, b *browser, flow *connect.Flow, h *heraldtest.Herald, platform, ret string) {
	account := platform + "-browser"
	started, err := flow.Start(context.Background(), connect.Request{Platform: platform, AccountID: account, ReturnURL: ret, Key: "app"})
	if err != nil {
		t.Fatal(err)
	}
	bctx, cancel := context.WithTimeout(b.ctx, browserDeadline)
	defer cancel()
	if err := chromedp.Do(bctx, chromedp.Navigate(started.AuthorizeURL), chromedp.WaitVisible("#allow")); err != nil {
		t.Fatalf("open the consent page: %v; it shows: %s", err, b.text(bctx, "body"))
	}
	b.screenshot(shots, platform+"-consent.png")
	if err := chromedp.Do(bctx, chromedp.Click("#allow")); err != nil {
		t.Fatalf("click Allow: %v", err)
	}
	// The page navigates twice (the platform's 303 to Herald, Herald's
	// 303 to the app): read where it is until it is at the app.
	var landed string
	eventually.True(t, 20*time.Second, func() bool {
		loc, err := chromedp.Run(bctx, chromedp.Location())
		if err == nil && strings.HasPrefix(loc, ret) {
			landed = loc
			return true
		}
		return false
	}, "the browser reached the app's return URL")
	if err := chromedp.Do(bctx, chromedp.WaitVisible("#result")); err != nil {
		t.Fatalf("the app's page: %v", err)
	}
	b.screenshot(shots, platform+"-returned.png")
	u, _ := url.Parse(landed)
	if q := u.Query(); q.Get("status") != "connected" || q.Get("account_id") != account || strings.Contains(landed, "code=") {
		t.Fatalf("the app got %s", landed)
	}
	if info, err := h.Vault.Info(context.Background(), account); err != nil || info.Status != tokens.StatusActive || info.PlatformUserID == "" {
		t.Fatalf("account %+v %v", info, err)
	}
}
