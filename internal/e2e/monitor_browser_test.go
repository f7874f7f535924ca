package e2e_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/internal/metrics"
	"github.com/heraldhq/herald/internal/monitor"
	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/tokens"
)

// EnvArtifacts names the directory tests leave screenshots in; unset,
// they go to the test's temporary directory, removed when it ends.
const EnvArtifacts = "HERALD_TEST_ARTIFACTS"

// browserDeadline bounds everything the test asks of Chromium.
const browserDeadline = 30 * time.Second

// An operator opens the monitor in a browser, logs in, and sees Herald's
// queues with what is in them: the posts scheduled through jobs.Client in
// the publish queue, an analytics refresh, a disconnected account's token
// revocation. asynqmon is a React app that fetches its data after the page
// loads, so the test waits for the rendered table, not for the load event.
func TestMonitorShowsHeraldQueuesInABrowser(t *testing.T) {
	browser := chromium(t)
	db := redistest.New(t)
	ctx := context.Background()
	client := jobs.NewClient(db.Client)

	const scheduled = 5
	var taskIDs []string
	for i := range scheduled {
		p := jobs.Post{
			ID: fmt.Sprintf("launch.%d", i+1), AccountID: "acct.browser", Platform: "sandbox",
			PublishAt: time.Now().Add(time.Hour + time.Duration(i)*time.Minute),
			Content:   publishers.Content{Title: "We launched", Text: fmt.Sprintf("Launch post %d", i+1)},
		}
		if _, err := client.SchedulePost(ctx, p); err != nil {
			t.Fatalf("SchedulePost(%s): %v", p.ID, err)
		}
		// asynqmon shows a task id up to its first '-': post ids here
		// have none, so the page shows them whole.
		taskIDs = append(taskIDs, "publish:"+p.ID)
	}
	if err := client.RefreshAnalytics(ctx, "acct.browser", "sandbox"); err != nil {
		t.Fatal(err)
	}
	keys, err := tokens.ParseKeyring("k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	if err != nil {
		t.Fatal(err)
	}
	vault := tokens.New(db.Client, keys, jobs.VaultHooks(client, tokens.Options{Platforms: map[string]tokens.Platform{"sandbox": {}}}))
	if err := vault.Connect(ctx, tokens.Account{ID: "acct.gone", Platform: "sandbox", Token: &oauth2.Token{AccessToken: "gone-token"}}); err != nil {
		t.Fatal(err)
	}
	if err := vault.Disconnect(ctx, "acct.gone"); err != nil {
		t.Fatal(err)
	}
	// Queue sizes the page must show: asynqmon's Size counts every task
	// of the queue, whatever its state. The webhooks queue is left out:
	// only a worker's event dispatcher fills it, and jobs.Client has no
	// call that does.
	want := map[string]int{jobs.QueuePublish: scheduled, jobs.QueueAnalytics: 1, jobs.QueueCritical: 1}
	for q := range want {
		if _, ok := jobs.Queues()[q]; !ok {
			t.Fatalf("queue %q is not one of jobs.Queues(): update the test", q)
		}
	}

	auth := monitor.Auth{Username: "ops", Password: randomHex(t, 16)}
	mon := monitor.New(monitor.Options{
		RedisConnOpt: db.ConnOpt(), Redis: db.Client, Registry: metrics.NewRegistry(), Auth: auth,
	})
	t.Cleanup(func() { mon.Close() })
	srv := httptest.NewServer(mon)
	t.Cleanup(srv.Close)
	if err := auth.Check(srv.Listener.Addr().String()); err != nil {
		t.Fatal(err)
	}
	home := srv.URL + monitor.RootPath + "/"

	b := startBrowser(t, browser)
	bctx, cancel := context.WithTimeout(b.ctx, browserDeadline)
	defer cancel()

	// Without a login the browser gets the basic-auth challenge; headless,
	// it cannot ask anyone, so the load fails on the credentials.
	resp, err := chromedp.Run(bctx, chromedp.NavigateResponse(home))
	var loadErr *chromedp.LoadError
	switch {
	case errors.As(err, &loadErr) && loadErr.ErrorText == "net::ERR_INVALID_AUTH_CREDENTIALS":
	case err != nil:
		t.Fatalf("open %s: %v", home, err)
	case resp.Status != 401:
		t.Fatalf("without a login the monitor answered %d, want 401", resp.Status)
	}

	// A browser that logged in sends the credentials with every request,
	// the page's API calls included.
	login := "Basic " + base64.StdEncoding.EncodeToString([]byte(auth.Username+":"+auth.Password))
	if _, err := chromedp.Call(bctx, network.SetExtraHTTPHeaders,
		network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Authorization": login}}); err != nil {
		t.Fatal(err)
	}
	if resp, err = chromedp.Run(bctx, chromedp.NavigateResponse(home)); err != nil {
		t.Fatalf("open %s: %v", home, err)
	}
	if resp.Status != 200 {
		t.Fatalf("logged in, the monitor answered %d, want 200", resp.Status)
	}

	// The dashboard's queue table: queue name in the first cell, size in
	// the third. The predicate holds once every wanted queue shows its
	// size, and returns the whole table.
	rows, err := chromedp.Run(bctx, chromedp.PollFunction[map[string]string](`(want) => {
		const rows = {};
		for (const tr of document.querySelectorAll("table tbody tr")) {
			const cells = tr.querySelectorAll("th, td");
			if (cells.length >= 3) rows[cells[0].innerText.trim()] = cells[2].innerText.trim();
		}
		for (const [q, n] of Object.entries(want)) {
			if (rows[q] !== String(n)) return false;
		}
		return rows;
	}`, chromedp.WithPollingArgs(want), chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(20*time.Second)))
	b.screenshot(t, "monitor-dashboard.png")
	if err != nil {
		t.Fatalf("the dashboard never showed the queues with sizes %v: %v; it shows: %s", want, err, b.text(bctx, "table"))
	}
	for q := range rows {
		if _, ok := jobs.Queues()[q]; !ok {
			t.Errorf("the dashboard lists queue %q, which is not Herald's", q)
		}
	}
	t.Logf("dashboard: %v", rows)

	// The publish queue's page lists the scheduled posts by task id.
	page := srv.URL + monitor.RootPath + "/queues/" + jobs.QueuePublish + "?status=scheduled"
	if err := chromedp.Do(bctx, chromedp.Navigate(page)); err != nil {
		t.Fatalf("open %s: %v", page, err)
	}
	_, err = chromedp.Run(bctx, chromedp.PollFunction[bool](`(n, ids) => {
		const chip = [...document.querySelectorAll("div")].map((d) => d.innerText.trim()).find((s) => /^Scheduled\s+\d+$/.test(s));
		if (!chip || Number(chip.split(/\s+/)[1]) !== n) return false;
		const rows = [...document.querySelectorAll("table tbody tr")].map((tr) => tr.innerText);
		return ids.every((id) => rows.some((r) => r.includes(id) && r.includes("post:publish")));
	}`, chromedp.WithPollingArgs(scheduled, taskIDs), chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(20*time.Second)))
	b.screenshot(t, "monitor-publish-scheduled.png")
	if err != nil {
		t.Fatalf("the publish queue's page never showed %d scheduled tasks %v: %v; it shows: %s", scheduled, taskIDs, err, b.text(bctx, "body"))
	}
}

// chromium returns the path of a Chromium or Chrome, or skips the test.
func chromium(t *testing.T) string {
	t.Helper()
	names := []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} // as the Makefile's chromium target
	for _, name := range names {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skipf("no Chromium in PATH (looked for %v): the browser test needs one (Debian: apt-get install chromium; `make test` installs it)", names)
	return ""
}

// browser is a headless Chromium with one tab.
type browser struct {
	ctx       context.Context
	artifacts string
}

// startBrowser starts Chromium at path; it is stopped when the test ends.
func startBrowser(t *testing.T, path string) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], // headless
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // tests may run as root, where the sandbox refuses to start
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc) // after the tab's cancel: waits for Chromium to exit
	ctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(cancelTab)
	// The first Do starts the browser, with no deadline of its own: a
	// deadline there would bound the browser's life, not the start.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	return &browser{ctx: ctx, artifacts: artifactDir(t)}
}

// screenshot saves the whole page as a PNG among the test's
// artifacts. It is called on success and failure alike: either way it
// shows what the operator would have seen.
func (b *browser) screenshot(t *testing.T, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100: PNG
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	path := filepath.Join(b.artifacts, t.Name()+"-"+name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	t.Logf("screenshot: %s", path)
}

// text returns the visible text of the first element matching css, for
// failure messages.
func (b *browser) text(ctx context.Context, css string) string {
	if ctx.Err() != nil {
		// The deadline passed: the message still deserves the page.
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(b.ctx, 2*time.Second)
		defer cancel()
	}
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`(document.querySelector(%q) || {innerText: "(no %s)"}).innerText`, css, css)))
	if err != nil {
		return fmt.Sprintf("(unreadable: %v)", err)
	}
	return s
}

// artifactDir is where the test leaves files for people to look at.
func artifactDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv(EnvArtifacts)
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("%s: %v", EnvArtifacts, err)
	}
	return dir
}

// randomHex returns n random bytes as hex: secrets of this run only.
func randomHex(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
