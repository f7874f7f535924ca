package connect_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/connect"
	"github.com/heraldhq/herald/heraldtest"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/sandbox"
)

// rig is Herald (heraldtest) with a Flow behind a public callback, the
// sandbox's consent server, and an app whose return URL is allowed.
type rig struct {
	t      *testing.T
	h      *heraldtest.Herald
	flow   *connect.Flow
	herald *httptest.Server
	app    string // return URL
	logs   *bytes.Buffer
	now    time.Time
	mu     sync.Mutex
	keys   map[string]bool
}

func newRig(t *testing.T) *rig { return newRigWith(t, nil) }

// newRigWith is newRig with more platforms beside the sandbox, each
// published to by Herald's worker and connected through the flow.
func newRigWith(t *testing.T, more []publishers.Platform) *rig {
	t.Helper()
	var opts []heraldtest.Option
	for _, p := range more {
		opts = append(opts, heraldtest.Platform(p))
	}
	r := &rig{t: t, h: heraldtest.Start(t, opts...), app: "http://127.0.0.1:1/app/done", logs: &bytes.Buffer{}, now: time.Now(), keys: map[string]bool{"app": true}}
	mux := http.NewServeMux()
	r.herald = httptest.NewServer(mux)
	t.Cleanup(r.herald.Close)
	var err error
	r.flow, err = connect.New(connect.Options{
		Redis: r.h.Redis, Keys: r.h.Keys, Vault: r.h.Vault,
		Platforms:  append([]publishers.Platform{sandbox.Platform(r.h.Sandbox.URL(), nil)}, more...),
		PublicURL:  r.herald.URL,
		ReturnURLs: []string{"http://127.0.0.1:1/app/"},
		KeyValid:   func(name string) bool { r.mu.Lock(); defer r.mu.Unlock(); return r.keys[name] },
		Now:        r.clock,
		Logger:     slog.New(slog.NewTextHandler(&lockedWriter{w: r.logs, mu: &r.mu}, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		t.Fatal(err)
	}
	mux.HandleFunc("GET /v1/oauth/{platform}/callback", r.flow.ServeCallback)
	return r
}

func (r *rig) clock() time.Time { r.mu.Lock(); defer r.mu.Unlock(); return r.now }

func (r *rig) advance(d time.Duration) { r.mu.Lock(); r.now = r.now.Add(d); r.mu.Unlock() }

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// start asks for a consent of account on the sandbox.
func (r *rig) start(account string, scopes ...string) connect.Started {
	r.t.Helper()
	s, err := r.flow.Start(context.Background(), connect.Request{Platform: "sandbox", AccountID: account, ReturnURL: r.app + "?from=app", Scopes: scopes, Key: "app"})
	if err != nil {
		r.t.Fatalf("Start: %v", err)
	}
	return s
}

// noFollow is a browser that shows each redirect instead of following it.
var noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// consent opens the authorize URL, as a browser does, then posts form
// (decision=allow, ...) to the same URL, and returns where the sandbox
// sends the browser: Herald's callback.
func (r *rig) consent(authorizeURL string, form url.Values) string {
	r.t.Helper()
	page := r.get(authorizeURL, http.StatusOK)
	if !strings.Contains(page.body, `value="allow"`) {
		r.t.Fatalf("the consent page has no Allow button:\n%s", page.body)
	}
	resp, err := noFollow.PostForm(authorizeURL, form)
	if err != nil {
		r.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		r.t.Fatalf("consent POST: %d, want 303", resp.StatusCode)
	}
	return resp.Header.Get("Location")
}

type answer struct {
	status   int
	location string
	body     string
	header   http.Header
}

func (r *rig) get(u string, want int) answer {
	r.t.Helper()
	resp, err := noFollow.Get(u)
	if err != nil {
		r.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, location: resp.Header.Get("Location"), body: string(b), header: resp.Header}
	if want != 0 && a.status != want {
		r.t.Fatalf("GET %s: %d, want %d:\n%s", u, a.status, want, a.body)
	}
	return a
}

// result is the outcome the app reads in its return URL.
func (r *rig) result(a answer) url.Values {
	r.t.Helper()
	if a.status != http.StatusSeeOther || !strings.HasPrefix(a.location, r.app+"?") {
		r.t.Fatalf("callback answered %d to %q, want 303 to %s:\n%s", a.status, a.location, r.app, a.body)
	}
	u, _ := url.Parse(a.location)
	return u.Query()
}

func allow() url.Values { return url.Values{"decision": {"allow"}} }

// stateOf is the state an authorize URL carries.
func stateOf(t *testing.T, authorizeURL string) string {
	t.Helper()
	u, err := url.Parse(authorizeURL)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("state")
}

// httptestRecorder serves the callback u with f, in process.
func httptestRecorder(f *connect.Flow, u string) *httptest.ResponseRecorder {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/oauth/{platform}/callback", f.ServeCallback)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", u, nil))
	return rec
}
