package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/logging/logtest"
	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers/linkedin"
	"github.com/heraldhq/herald/tokens"
)

func TestMain(m *testing.M) { redistest.Main(m) }

const (
	testKey   = "test-key-0123456789abcdefghijklmnop"
	otherKey  = "other-key-0123456789abcdefghijklmno"
	testKeys  = "k2:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	accessTok = "ya29.ACCESS-do-not-leak-4f1c2e"
	refreshT  = "1//REFRESH-do-not-leak-9b7d3a"
)

// fixture is one test's API over a private Redis database, served by
// httptest. It keeps every response it saw, so a test can look for
// secrets in all of them.
type fixture struct {
	t      *testing.T
	db     *redistest.DB
	client *jobs.Client
	vault  *tokens.Vault
	keys   *tokens.Keyring
	api    *API
	srv    *httptest.Server
	logs   *logtest.Buffer
	logger *slog.Logger

	mu   sync.Mutex
	seen []string // every response: status line, headers and body
}

func newFixture(t *testing.T, tweak ...func(*Options, *redistest.DB)) *fixture {
	t.Helper()
	db := redistest.New(t)
	logs := &logtest.Buffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	client := jobs.NewClient(db.Client, jobs.WithMaxRetry(3), jobs.WithPlatforms("youtube", "instagram", "tiktok", "linkedin", "sandbox"))
	keys, err := tokens.ParseKeyring(testKeys)
	if err != nil {
		t.Fatal(err)
	}
	vault := tokens.New(db.Client, keys, jobs.VaultHooks(client, tokens.Options{
		Platforms: map[string]tokens.Platform{"youtube": {}, "linkedin": {Organization: linkedin.CheckOrganization}, "sandbox": {}},
		Logger:    logger,
	}))
	o := Options{
		Client: client,
		Vault:  vault,
		Tokens: map[string]string{testKey: "app", otherKey: "ci"},
		Ready:  func(ctx context.Context) error { return db.Client.Ping(ctx).Err() },
		Logger: logger,
	}
	for _, f := range tweak {
		f(&o, db)
	}
	a, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a)
	t.Cleanup(srv.Close)
	return &fixture{t: t, db: db, client: client, vault: vault, keys: keys, api: a, srv: srv, logs: logs, logger: logger}
}

// response is what a request got back.
type response struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the body into v, failing the test if it does not.
func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("response %d %s: %v", r.status, r.body, err)
	}
}

// apiError is the error member of an error response.
type apiError struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Fields  []fieldProblem `json:"fields"`
}

func (r response) error(t *testing.T) apiError {
	t.Helper()
	var b struct {
		Type   string   `json:"type"`
		Title  string   `json:"title"`
		Status int      `json:"status"`
		Detail string   `json:"detail"`
		Error  apiError `json:"error"`
	}
	r.json(t, &b)
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("error Content-Type %q", ct)
	}
	if b.Status != r.status || b.Type != "about:blank" || b.Title == "" || b.Detail != b.Error.Message || b.Error.Code == "" {
		t.Errorf("error body is not a consistent problem document: %s", r.body)
	}
	return b.Error
}

// do sends a request with the test key; body "" sends none.
func (f *fixture) do(method, path, body string) response {
	f.t.Helper()
	return f.doWith(method, path, body, map[string]string{"Authorization": "Bearer " + testKey})
}

func (f *fixture) doWith(method, path, body string, header map[string]string) response {
	f.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, f.srv.URL+path, rd)
	if err != nil {
		f.t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := f.srv.Client().Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s %s -> %d\n", method, path, res.StatusCode)
	_ = res.Header.Write(&sb)
	sb.Write(b)
	f.mu.Lock()
	f.seen = append(f.seen, sb.String())
	f.mu.Unlock()
	return response{res.StatusCode, res.Header, b}
}

// expect fails the test unless r has status want.
func expect(t *testing.T, r response, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("status %d, want %d: %s", r.status, want, r.body)
	}
}

// connectBody is a valid POST /v1/accounts body.
func connectBody(id, platform string) string {
	return fmt.Sprintf(`{"account_id":%q,"platform":%q,"platform_user_id":"UC-%s","scopes":["youtube.upload"],
		"access_token":%q,"refresh_token":%q,"token_type":"Bearer","expiry":%q}`,
		id, platform, id, accessTok, refreshT, time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
}

func (f *fixture) connect(id, platform string) {
	f.t.Helper()
	expect(f.t, f.do("POST", "/v1/accounts", connectBody(id, platform)), http.StatusCreated)
}

// postBody is a valid POST /v1/posts body.
func postBody(id, account, platform string, at time.Time) string {
	return fmt.Sprintf(`{"post_id":%q,"account_id":%q,"platform":%q,"publish_at":%q,
		"content":{"title":"Hello","text":"Post %s","media":[{"url":"https://cdn.example.com/a.jpg","kind":"image"}]}}`,
		id, account, platform, at.UTC().Format(time.RFC3339Nano), id)
}

// dump returns every key and value in the test's database as text.
func (f *fixture) dump() map[string]string {
	f.t.Helper()
	return f.db.Dump(f.t)
}
