package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/deauth"
	"github.com/heraldhq/herald/deauth/deauthtest"
	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/internal/eventually"
	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/sandbox"
	"github.com/heraldhq/herald/publishers/sandbox/sandboxtest"
	"github.com/heraldhq/herald/tokens"
)

const (
	metaSecret   = "meta-app-secret-do-not-leak-5e1d"
	tiktokSecret = "tiktok-secret-do-not-leak-8c2b"
	googleClient = "42-herald.apps.googleusercontent.com"
)

// callbackFixture is the API with platform callbacks set up, and a Vault
// that knows every platform, as the product app's connections would
// have filled it.
type callbackFixture struct {
	*fixture
	vault  *tokens.Vault // every platform
	google *deauthtest.Issuer
	events []deauth.Event
}

func newCallbackFixture(t *testing.T, tweak ...func(*deauth.Options)) *callbackFixture {
	t.Helper()
	return newCallbackFixtureWith(t, nil, tweak...)
}

// newCallbackFixtureWith is newCallbackFixture with the API's options
// changed by fix (if not nil) too.
func newCallbackFixtureWith(t *testing.T, fix func(*Options, *redistest.DB), tweak ...func(*deauth.Options)) *callbackFixture {
	t.Helper()
	cf := &callbackFixture{google: deauthtest.NewIssuer(googleClient)}
	t.Cleanup(cf.google.Close)
	cf.fixture = newFixture(t, func(o *Options, db *redistest.DB) {
		keys, err := tokens.ParseKeyring(testKeys)
		if err != nil {
			t.Fatal(err)
		}
		cf.vault = tokens.New(db.Client, keys, jobs.VaultHooks(o.Client, tokens.Options{
			Platforms: map[string]tokens.Platform{"youtube": {}, "instagram": {}, "tiktok": {}},
			Logger:    o.Logger,
		}))
		o.Vault = cf.vault // the API connects accounts of every platform
		risc, err := deauth.NewRISC(deauth.RISCOptions{JWKSURL: cf.google.JWKSURL(), Issuer: deauthtest.GoogleIssuer, Audiences: []string{googleClient}})
		if err != nil {
			t.Fatal(err)
		}
		do := deauth.Options{
			Redis: db.Client, Vault: cf.vault, Logger: o.Logger,
			Platforms:      map[string]string{deauth.SourceMeta: "instagram", deauth.SourceGoogle: "youtube", deauth.SourceTikTok: "tiktok"},
			MetaAppSecrets: []string{metaSecret}, PublicURL: "https://herald.example.com",
			RISC: risc, TikTokClientSecret: tiktokSecret,
			OnEvent: func(ctx context.Context, e deauth.Event) {
				cf.events = append(cf.events, e)
				_ = events.NewWriter(db.Client, events.WriterOptions{}).Append(ctx, events.Event{Type: events.AccountDeauthorized, AccountID: e.AccountID, Platform: e.Platform, Reason: e.Reason})
			},
		}
		for _, tw := range tweak {
			tw(&do)
		}
		rc, err := deauth.New(do)
		if err != nil {
			t.Fatal(err)
		}
		o.Callbacks = rc
		if fix != nil {
			fix(o, db)
		}
	})
	t.Cleanup(cf.checkNoSecrets)
	return cf
}

// checkNoSecrets fails the test if a secret reached a response or a log.
func (cf *callbackFixture) checkNoSecrets() {
	cf.mu.Lock()
	seen := strings.Join(cf.seen, "\n")
	cf.mu.Unlock()
	for _, s := range []string{metaSecret, tiktokSecret, accessTok, refreshT, "fb-user-", "google-sub-"} {
		if strings.Contains(seen, s) || strings.Contains(cf.logs.String(), s) {
			cf.t.Errorf("%q reached a response or the log", s)
		}
	}
}

// connectAs connects an account through POST /v1/accounts, as a product
// app does, login_user_id included.
func (cf *callbackFixture) connectAs(id, platform, platformUser, loginUser string) {
	cf.t.Helper()
	body := fmt.Sprintf(`{"account_id":%q,"platform":%q,"platform_user_id":%q,"login_user_id":%q,
		"access_token":%q,"refresh_token":%q,"expiry":%q}`,
		id, platform, platformUser, loginUser, accessTok, refreshT, time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
	expect(cf.t, cf.do("POST", "/v1/accounts", body), http.StatusCreated)
}

// form posts a signed_request as Meta does: no API key, a form body.
func (cf *callbackFixture) form(path, signedRequest string) response {
	cf.t.Helper()
	body := url.Values{"signed_request": {signedRequest}}.Encode()
	return cf.doWith("POST", path, body, map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
}

func signedRequest(userID string) string {
	return deauthtest.SignedRequest(metaSecret, deauthtest.MetaPayload(userID, time.Now()))
}

func TestMetaDeauthorizeThroughTheAPI(t *testing.T) {
	f := newCallbackFixture(t)
	f.connectAs("ig-1", "instagram", "17841400000000001", "fb-user-1")
	expect(t, f.do("POST", "/v1/posts", postBody("post-1", "ig-1", "instagram", time.Now().Add(time.Hour))), http.StatusCreated)

	r := f.form("/v1/callbacks/meta/deauthorize", signedRequest("fb-user-1"))
	expect(t, r, http.StatusOK)

	var info tokens.Info
	got := f.do("GET", "/v1/accounts/ig-1", "")
	expect(t, got, http.StatusOK)
	got.json(t, &info)
	if info.Status != tokens.StatusRevoking {
		t.Errorf("account status %s after a deauthorize, want revoking", info.Status)
	}
	var post jobs.PostStatus
	got = f.do("GET", "/v1/posts/post-1", "")
	got.json(t, &post)
	if post.State != jobs.StateCanceled {
		t.Errorf("post %s, want canceled", post.State)
	}
	if len(f.events) != 1 || f.events[0].AccountID != "ig-1" || f.events[0].Reason != "meta deauthorize" {
		t.Errorf("events %+v", f.events)
	}
	// Meta sends it again: 200, nothing more.
	expect(t, f.form("/v1/callbacks/meta/deauthorize", signedRequest("fb-user-1")), http.StatusOK)
	if len(f.events) != 1 {
		t.Errorf("the repeated notice was acted on again: events %+v", f.events)
	}
	f.do("GET", "/v1/posts/post-1", "").json(t, &post)
	if post.State != jobs.StateCanceled {
		t.Errorf("post %s after the repeated notice, want canceled", post.State)
	}
}

// TestCallbacksAreLoggedAtInfo: a platform's notice is public, as the
// probes are, but its request line shows at Info; only the probes' and
// the document's stay at Debug.
func TestCallbacksAreLoggedAtInfo(t *testing.T) {
	f := newCallbackFixture(t)
	expect(t, f.form("/v1/callbacks/meta/deauthorize", signedRequest("fb-user-1")), http.StatusOK)
	expect(t, f.doWith("GET", "/healthz", "", nil), http.StatusOK)
	expect(t, f.doWith("GET", "/v1/openapi.json", "", nil), http.StatusOK)
	for route, want := range map[string]string{
		"POST /v1/callbacks/meta/deauthorize": "INFO",
		"GET /healthz":                        "DEBUG",
		"GET /v1/openapi.json":                "DEBUG",
	} {
		eventually.True(t, 5*time.Second, func() bool { return f.requestLevel(route) != "" }, "%s logged", route)
		if got := f.requestLevel(route); got != want {
			t.Errorf("%s logged at %s, want %s", route, got, want)
		}
	}
}

// requestLevel is the level of route's request log line; "" if none.
func (f *fixture) requestLevel(route string) string {
	for _, line := range strings.Split(f.logs.String(), "\n") {
		var l struct{ Level, Msg, Route string }
		if json.Unmarshal([]byte(line), &l) == nil && l.Msg == "api request" && l.Route == route {
			return l.Level
		}
	}
	return ""
}

// TestCallbackProblems pins how each class of deauth error is answered:
// status, the API's code, message and Retry-After.
func TestCallbackProblems(t *testing.T) {
	notConfigured := fmt.Errorf("no TikTok client secret (HERALD_TIKTOK_CLIENT_SECRET): %w", deauth.ErrNotConfigured)
	expired := &deauth.InvalidError{Source: "meta", Code: deauth.CodeExpired, Msg: "signed_request was issued 48h0m0s ago"}
	for _, tc := range []struct {
		err        error
		status     int
		code, msg  string
		retryAfter int
	}{
		{fmt.Errorf("wrapped: %w", expired), http.StatusBadRequest, "expired", "wrapped: meta: signed_request was issued 48h0m0s ago", 0},
		{&http.MaxBytesError{Limit: 1}, http.StatusRequestEntityTooLarge, codeTooLarge, "the body is larger than a platform notice can be", 0},
		{deauth.ErrNotFound, http.StatusNotFound, codeNotFound, "no data deletion request has this confirmation code", 0},
		{deauth.ErrInProgress, http.StatusServiceUnavailable, codeUnavailable, "the same notice is being handled now; try again shortly", 30},
		{notConfigured, http.StatusServiceUnavailable, codeUnavailable, notConfigured.Error(), 0},
		{fmt.Errorf("google: %w", deauth.ErrUnavailable), http.StatusServiceUnavailable, codeUnavailable, "the notice cannot be verified now; try again later", 60},
	} {
		p, ok := callbackProblem(tc.err).(*problem)
		if !ok || p.status != tc.status || p.code != tc.code || p.message != tc.msg || p.retryAfter != tc.retryAfter {
			t.Errorf("%v: answered %+v, want %d %s %q Retry-After %d", tc.err, p, tc.status, tc.code, tc.msg, tc.retryAfter)
		}
	}
	internal := errors.New("redis: connection refused")
	if got := callbackProblem(internal); got != internal {
		t.Errorf("an internal error became %v; fail must log and hide it", got)
	}
	if callbackProblem(nil) != nil {
		t.Error("nil became an error")
	}
}

func TestMetaCallbacksRefuseBadRequests(t *testing.T) {
	f := newCallbackFixture(t)
	f.connectAs("ig-1", "instagram", "17841400000000001", "fb-user-1")
	forged := deauthtest.SignedRequest("not-the-secret", deauthtest.MetaPayload("fb-user-1", time.Now()))
	old := deauthtest.SignedRequest(metaSecret, deauthtest.MetaPayload("fb-user-1", time.Now().Add(-48*time.Hour)))
	for _, tc := range []struct {
		name, signed, code string
	}{
		{"forged", forged, "authentication_failed"},
		{"expired", old, "expired"},
		{"malformed", "x.y", "invalid_request"},
		{"missing", "", "invalid_request"},
	} {
		for _, path := range []string{"/v1/callbacks/meta/deauthorize", "/v1/callbacks/meta/data-deletion"} {
			r := f.form(path, tc.signed)
			expect(t, r, http.StatusBadRequest)
			if e := r.error(t); e.Code != tc.code {
				t.Errorf("%s at %s: code %s, want %s (%s)", tc.name, path, e.Code, tc.code, e.Message)
			}
		}
	}
	r := f.doWith("POST", "/v1/callbacks/meta/deauthorize", `{"signed_request":"x"}`, nil)
	expect(t, r, http.StatusBadRequest)
	if e := r.error(t); !strings.Contains(e.Message, "form") {
		t.Errorf("a JSON body: %s", e.Message)
	}
	huge := url.Values{"signed_request": {strings.Repeat("a", 100<<10)}}.Encode()
	expect(t, f.doWith("POST", "/v1/callbacks/meta/deauthorize", huge, map[string]string{"Content-Type": "application/x-www-form-urlencoded"}), http.StatusRequestEntityTooLarge)
	if info, _ := f.vault.Info(context.Background(), "ig-1"); info.Status != tokens.StatusActive {
		t.Errorf("a refused request touched the account: %s", info.Status)
	}
}

func TestMetaDataDeletionThroughTheAPI(t *testing.T) {
	f := newCallbackFixture(t)
	f.connectAs("ig-gone", "instagram", "17841400000000001", "fb-user-9")
	f.connectAs("ig-stays", "instagram", "17841400000000002", "fb-user-8")
	expect(t, f.do("POST", "/v1/posts", postBody("post-gone", "ig-gone", "instagram", time.Now().Add(time.Hour))), http.StatusCreated)

	sr := signedRequest("fb-user-9")
	r := f.form("/v1/callbacks/meta/data-deletion", sr)
	expect(t, r, http.StatusOK)
	var d struct {
		URL  string `json:"url"`
		Code string `json:"confirmation_code"`
	}
	r.json(t, &d)
	if d.URL != "https://herald.example.com/v1/callbacks/meta/data-deletion/"+d.Code || len(d.Code) != 32 {
		t.Fatalf("answer %s", r.body)
	}
	for k, v := range f.dump() {
		for _, s := range []string{"ig-gone", "post-gone", "17841400000000001", "fb-user-9"} {
			if strings.Contains(k, s) || strings.Contains(v, s) {
				t.Errorf("after the deletion request, %s holds %q: %.300s", k, s, v)
			}
		}
	}
	expect(t, f.do("GET", "/v1/accounts/ig-gone", ""), http.StatusNotFound)
	expect(t, f.do("GET", "/v1/accounts/ig-stays", ""), http.StatusOK)

	// The status page: public, JSON or HTML, naming nothing but the code.
	path := strings.TrimPrefix(d.URL, "https://herald.example.com")
	st := f.doWith("GET", path, "", nil)
	expect(t, st, http.StatusOK)
	var status struct {
		Code   string `json:"confirmation_code"`
		Status string `json:"status"`
	}
	st.json(t, &status)
	if status.Code != d.Code || status.Status != "completed" {
		t.Errorf("status %s", st.body)
	}
	html := f.doWith("GET", path, "", map[string]string{"Accept": "text/html,application/xhtml+xml"})
	expect(t, html, http.StatusOK)
	if ct := html.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") || !strings.Contains(string(html.body), "completed") {
		t.Errorf("HTML status: %s %s", ct, html.body)
	}
	for _, page := range []response{st, html} {
		if strings.Contains(string(page.body), "ig-gone") || strings.Contains(string(page.body), "instagram") {
			t.Errorf("the status page tells whose request it was: %s", page.body)
		}
	}
	expect(t, f.doWith("GET", "/v1/callbacks/meta/data-deletion/0123456789abcdef0123456789abcdef", "", nil), http.StatusNotFound)
	expect(t, f.doWith("GET", "/v1/callbacks/meta/data-deletion/not-a-code", "", nil), http.StatusNotFound)

	// Meta repeats the request: the same answer.
	again := f.form("/v1/callbacks/meta/data-deletion", sr)
	expect(t, again, http.StatusOK)
	if string(again.body) != string(r.body) {
		t.Errorf("the repeated request answered %s, first %s", again.body, r.body)
	}
}

func TestMetaDataDeletionWithoutPublicURL(t *testing.T) {
	f := newCallbackFixture(t, func(o *deauth.Options) { o.PublicURL = "" })
	f.connectAs("ig-1", "instagram", "17841400000000001", "fb-user-1")
	r := f.form("/v1/callbacks/meta/data-deletion", signedRequest("fb-user-1"))
	expect(t, r, http.StatusServiceUnavailable)
	if e := r.error(t); !strings.Contains(e.Message, "HERALD_PUBLIC_URL") {
		t.Errorf("message %q does not say what to set", e.Message)
	}
	if info, _ := f.vault.Info(context.Background(), "ig-1"); info.Status != tokens.StatusActive {
		t.Errorf("the account was touched: %s", info.Status)
	}
}

func TestGoogleRISCThroughTheAPI(t *testing.T) {
	f := newCallbackFixture(t)
	f.connectAs("yt-1", "youtube", "UC-1", "google-sub-1")
	post := func(token string) response {
		return f.doWith("POST", "/v1/callbacks/google/risc", token, map[string]string{"Content-Type": "application/secevent+jwt"})
	}
	r := post(f.google.Forge(f.google.Claims(deauth.RISCAccountDisabled, "google-sub-1")))
	expect(t, r, http.StatusBadRequest)
	if e := r.error(t); e.Code != "authentication_failed" {
		t.Errorf("forged token: code %s", e.Code)
	}
	other := f.google.Claims(deauth.RISCAccountDisabled, "google-sub-1")
	other["aud"] = "another-app"
	r = post(f.google.Sign(other))
	expect(t, r, http.StatusBadRequest)
	if e := r.error(t); e.Code != "invalid_audience" {
		t.Errorf("another app's token: code %s", e.Code)
	}
	expect(t, post(f.google.SET(deauth.RISCVerification, "")), http.StatusAccepted)
	expect(t, post(f.google.SET("https://schemas.openid.net/secevent/risc/event-type/account-credential-change-required", "google-sub-1")), http.StatusAccepted)
	if info, _ := f.vault.Info(context.Background(), "yt-1"); info.Status != tokens.StatusActive {
		t.Fatalf("status %s before any revocation", info.Status)
	}
	set := f.google.SET(deauth.RISCAccountDisabled, "google-sub-1")
	expect(t, post(set), http.StatusAccepted)
	expect(t, post(set), http.StatusAccepted)
	if info, _ := f.vault.Info(context.Background(), "yt-1"); info.Status != tokens.StatusRevoking {
		t.Errorf("status %s after account-disabled", info.Status)
	}
	if len(f.events) != 1 || f.events[0].Reason != "google risc account-disabled" {
		t.Errorf("events %+v", f.events)
	}
}

func TestTikTokWebhookThroughTheAPI(t *testing.T) {
	f := newCallbackFixture(t)
	f.connectAs("tt-1", "tiktok", "open-1", "")
	body := deauthtest.TikTokBody("key", "open-1", 1, time.Now())
	bad := f.doWith("POST", "/v1/callbacks/tiktok", string(body), map[string]string{"TikTok-Signature": deauthtest.TikTokSignature("guess", time.Now(), body)})
	expect(t, bad, http.StatusBadRequest)
	expect(t, f.doWith("POST", "/v1/callbacks/tiktok", string(body), nil), http.StatusBadRequest)
	ok := f.doWith("POST", "/v1/callbacks/tiktok", string(body), map[string]string{"TikTok-Signature": deauthtest.TikTokSignature(tiktokSecret, time.Now(), body)})
	expect(t, ok, http.StatusOK)
	if info, _ := f.vault.Info(context.Background(), "tt-1"); info.Status != tokens.StatusRevoking {
		t.Errorf("status %s after authorization.removed", info.Status)
	}
}

func TestCallbacksNotSetUp(t *testing.T) {
	f := newFixture(t)
	for _, path := range []string{"/v1/callbacks/meta/deauthorize", "/v1/callbacks/meta/data-deletion", "/v1/callbacks/google/risc", "/v1/callbacks/tiktok"} {
		r := f.doWith("POST", path, "x", nil)
		expect(t, r, http.StatusServiceUnavailable)
		if e := r.error(t); e.Code != codeUnavailable {
			t.Errorf("%s: %+v", path, e)
		}
	}
	expect(t, f.doWith("GET", "/v1/callbacks/meta/data-deletion/0123456789abcdef0123456789abcdef", "", nil), http.StatusServiceUnavailable)
}

// TestDeauthorizeStopsAnInFlightPublish: Meta's notice arrives while a
// post of the account is at the platform. When the callback has answered,
// the attempt has stopped, the post is canceled, and the platform never
// got it.
func TestDeauthorizeStopsAnInFlightPublish(t *testing.T) {
	f := newCallbackFixture(t)
	sb := sandboxtest.New()
	t.Cleanup(sb.Close)
	sb.SetLatency(time.Minute) // the platform call hangs until canceled
	reg := publishers.NewRegistry()
	reg.Register("instagram", sandbox.New(sb.URL(), nil)) // the sandbox speaks for Instagram here
	w, err := jobs.NewWorker(f.db.Client, jobs.WorkerConfig{
		Concurrency: 2, ShutdownTimeout: 2 * time.Second, DelayedTaskCheckInterval: 100 * time.Millisecond,
		Publishers: reg, Tokens: f.vault, Logger: f.logger,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	f.connectAs("ig-1", "instagram", "17841400000000001", "fb-user-1")
	expect(t, f.do("POST", "/v1/posts", postBody("post-1", "ig-1", "instagram", time.Now())), http.StatusCreated)
	var post jobs.PostStatus
	eventually.True(t, 15*time.Second, func() bool {
		f.do("GET", "/v1/posts/post-1", "").json(t, &post)
		return post.State == jobs.StatePublishing
	}, "post-1 at the platform (last: %+v)", &post)

	expect(t, f.form("/v1/callbacks/meta/deauthorize", signedRequest("fb-user-1")), http.StatusOK)

	f.do("GET", "/v1/posts/post-1", "").json(t, &post)
	if post.State != jobs.StateCanceled {
		t.Errorf("post %s after the deauthorize answered, want canceled", post.State)
	}
	if n := len(sb.Posts()); n != 0 {
		t.Errorf("the platform has %d posts", n)
	}
	if locked, _ := f.db.Client.HGet(context.Background(), "herald:{post:post-1}", "lock_owner").Result(); locked != "" {
		t.Error("an attempt still holds the post")
	}
}
