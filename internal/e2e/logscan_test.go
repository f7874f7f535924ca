package e2e_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/internal/eventually"
	"github.com/heraldhq/herald/internal/logging"
	"github.com/heraldhq/herald/internal/logging/logtest"
	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/sandbox"
	"github.com/heraldhq/herald/publishers/sandbox/sandboxtest"
	"github.com/heraldhq/herald/publishers/youtube"
	"github.com/heraldhq/herald/tokens"
	"github.com/heraldhq/herald/tokens/tokenstest"
)

// A whole cycle runs in one process with the JSON logger the real
// processes use, at debug level so that every line a process can write is
// written: an expired token refreshed at the (fake) OAuth endpoint, posts
// published, one retried, one refused for good, one refused with a 401,
// one whose account's refresh token was revoked, and the account
// disconnected with its token revoked after one failed try. Both the
// token endpoint and the platform echo back what they were sent when they
// refuse it, as some do. Then every token of the run, the OAuth client
// secret and the token-encryption key are looked for in everything
// logged: none may appear, not even in part. The job lines must still
// carry what operators search by.
func TestFullCycleLogsNoSecret(t *testing.T) {
	db := redistest.New(t)
	ctx := context.Background()
	var logs logtest.Buffer
	log := logging.New(&logs, "json", slog.LevelDebug)

	// This run's secrets: nothing here is a fixed string a test could
	// pass by accident, and none has a shape logging's last guard knows
	// (no "Bearer ", no "access_token=", no ya29.), so the guard cannot
	// hide a leak of the code before it.
	clientSecret := randomHex(t, 24)
	rawKey := make([]byte, tokens.KeySize)
	if _, err := rand.Read(rawKey); err != nil {
		t.Fatal(err)
	}
	tokenKey := base64.StdEncoding.EncodeToString(rawKey)
	keys, err := tokens.ParseKeyring("e2e:" + tokenKey)
	if err != nil {
		t.Fatal(err)
	}

	oauth := tokenstest.New()
	t.Cleanup(oauth.Close)
	oauth.Rotate = true // every refresh also issues a new refresh token: more secrets in play
	tokenTap := &tokenEndpointTap{next: http.DefaultTransport}
	platformTap := &platformTap{next: http.DefaultTransport}

	sb := sandboxtest.New()
	t.Cleanup(sb.Close)
	sb.FailRef("retry.1", 1, sandboxtest.Fault{Status: 503})
	sb.FailRef("refused.1", -1, sandboxtest.Fault{Status: 422, Message: "text is longer than the platform allows"})
	sb.FailRef("unauthorized.1", -1, sandboxtest.Fault{Status: 401})

	client := jobs.NewClient(db.Client, jobs.WithMaxRetry(5))
	// Wired as cmd/herald's newVault does, with the fake's endpoint.
	vault := tokens.New(db.Client, keys, jobs.VaultHooks(client, tokens.Options{
		Platforms: map[string]tokens.Platform{"sandbox": {
			OAuth: &oauth2.Config{ClientID: "herald-e2e", ClientSecret: clientSecret, Endpoint: oauth.Endpoint()},
			// Google's revocation: a form POST of the refresh token.
			Revoke: youtube.Revoke(oauth.RevokeURL()),
		}},
		HTTPClient: &http.Client{Timeout: 10 * time.Second, Transport: tokenTap},
		Logger:     log,
	}))

	// Two accounts whose access tokens expired a minute ago: the first
	// post of each forces a refresh. The second account's user removed
	// the app, so its refresh token is refused.
	issued := map[string]*oauth2.Token{}
	for _, acct := range []string{"acct.main", "acct.revoked"} {
		tok := oauth.Issue(time.Now().Add(-time.Minute))
		issued[acct] = tok
		if err := vault.Connect(ctx, tokens.Account{ID: acct, Platform: "sandbox", PlatformUserID: "user." + acct, Token: tok}); err != nil {
			t.Fatalf("Connect(%s): %v", acct, err)
		}
	}
	oauth.RevokeRefreshToken(issued["acct.revoked"].RefreshToken)

	posts := []struct {
		id, account string
		state       jobs.State
		class       string
		attempts    int
	}{
		{"ok.1", "acct.main", jobs.StatePublished, "", 1},
		{"retry.1", "acct.main", jobs.StatePublished, "", 2},
		{"refused.1", "acct.main", jobs.StateFailed, "permanent", 1},
		{"unauthorized.1", "acct.main", jobs.StateFailed, "reauth", 1},
		{"revoked.1", "acct.revoked", jobs.StateFailed, "reauth", 1},
	}
	for _, p := range posts {
		_, err := client.SchedulePost(ctx, jobs.Post{
			ID: p.id, AccountID: p.account, Platform: "sandbox", PublishAt: time.Now(),
			Content: publishers.Content{Title: "Cycle", Text: "Post " + p.id},
		})
		if err != nil {
			t.Fatalf("SchedulePost(%s): %v", p.id, err)
		}
	}

	// The worker as cmd/herald's worker wires it (workerConfig, then the
	// Vault as Tokens and Sealer), with fast retries.
	reg := publishers.NewRegistry()
	reg.Register("sandbox", sandbox.New(sb.URL(), &http.Client{Timeout: sandbox.DefaultTimeout, Transport: platformTap}))
	stopWorker := runWorker(t, db, jobs.WorkerConfig{
		Concurrency:              4,
		ShutdownTimeout:          5 * time.Second,
		DelayedTaskCheckInterval: 100 * time.Millisecond,
		Retry:                    jobs.RetryPolicy{Base: 10 * time.Millisecond, Cap: 50 * time.Millisecond},
		Publishers:               reg,
		Tokens:                   vault,
		Sealer:                   keys,
		Logger:                   log,
	})

	var reasons []string // what product apps and asynqmon are told
	for _, p := range posts {
		var st jobs.PostStatus
		eventually.True(t, 20*time.Second, func() bool {
			var err error
			st, err = client.PostStatus(ctx, p.id)
			return err == nil && (st.State == jobs.StatePublished || st.State == jobs.StateFailed)
		}, "post %s published or failed (last: %+v)", p.id, &st)
		if st.State != p.state || st.FailureClass != p.class || st.Attempts != p.attempts {
			t.Errorf("post %s: %s %q after %d attempts (%s), want %s %q after %d", p.id, st.State, st.FailureClass, st.Attempts, st.Reason, p.state, p.class, p.attempts)
		}
		reasons = append(reasons, st.Reason)
	}
	if info, err := vault.Info(ctx, "acct.revoked"); err != nil || info.Status != tokens.StatusReauthRequired {
		t.Errorf("acct.revoked: %+v, %v; want status %s", info, err, tokens.StatusReauthRequired)
	}

	// Disconnect: the revocation fails once at the endpoint, then works.
	oauth.FailNext(1)
	if err := vault.Disconnect(ctx, "acct.main"); err != nil {
		t.Fatal(err)
	}
	eventually.True(t, 20*time.Second, func() bool {
		info, err := vault.Info(ctx, "acct.main")
		return err == nil && info.Status == tokens.StatusDisconnected
	}, "acct.main disconnected and its token revoked")

	// Every job's outcome has its line; then the worker stops, so that
	// nothing writes while the log is scanned.
	want := []jobLine{
		{"task done", jobs.TypePublish, "ok.1", "acct.main", 1},
		{"task failed", jobs.TypePublish, "retry.1", "acct.main", 1},
		{"task done", jobs.TypePublish, "retry.1", "acct.main", 2},
		{"task failed", jobs.TypePublish, "refused.1", "acct.main", 1},
		{"task failed", jobs.TypePublish, "unauthorized.1", "acct.main", 1},
		{"task failed", jobs.TypePublish, "revoked.1", "acct.revoked", 1},
		{"task failed", jobs.TypeAccountRevoke, "", "acct.main", 1},
		{"task done", jobs.TypeAccountRevoke, "", "acct.main", 2},
	}
	var missing []jobLine
	eventually.True(t, 10*time.Second, func() bool {
		missing = missingLines(t, logs.String(), want)
		return len(missing) == 0
	}, "job lines logged (missing: %+v)", &missing)
	stopWorker()
	out := logs.String()

	// The refresh really happened and the platform saw only its result.
	minted := tokenTap.minted()
	if len(minted) == 0 {
		t.Fatal("the token endpoint issued no token: the expired access token was never refreshed")
	}
	sent := platformTap.sentTokens()
	for _, tok := range sent {
		if tok == issued["acct.main"].AccessToken || tok == issued["acct.revoked"].AccessToken {
			t.Errorf("the platform got an expired access token: the refresh was not used")
		} else if !slices.Contains(minted, tok) {
			t.Errorf("the platform got an access token the token endpoint never issued")
		}
	}
	if len(sent) == 0 {
		t.Error("the platform was never called")
	}
	if !revokedAny(oauth, minted) {
		t.Error("acct.main's refresh token was not revoked at disconnect")
	}

	secrets := map[string]string{"client secret": clientSecret, "token key": tokenKey, "token key (hex)": hex.EncodeToString(rawKey)}
	for acct, tok := range issued {
		secrets[acct+" access token"] = tok.AccessToken
		secrets[acct+" refresh token"] = tok.RefreshToken
	}
	for i, tok := range minted {
		secrets[fmt.Sprintf("refreshed token %d", i+1)] = tok
	}
	for what, secret := range secrets {
		if line, frag := findSecret(out, secret); frag != "" {
			t.Errorf("the log holds the %s (as %q) in: %s", what, frag, line)
		}
		for _, r := range reasons {
			if _, frag := findSecret(r, secret); frag != "" {
				t.Errorf("a post's failure reason holds the %s (as %q): %s", what, frag, r)
			}
		}
	}
	if t.Failed() {
		t.Logf("the whole log:\n%s", out)
	} else {
		t.Logf("%d log lines, %d secrets (%d of them refreshed tokens): none logged", strings.Count(out, "\n"), len(secrets), len(minted))
	}

	// The Vault names the account it gave up on, not its token.
	if !hasLine(t, out, func(m map[string]any) bool {
		return m["msg"] == "tokens: account needs reauthorization" && m["account_id"] == "acct.revoked" && m["platform"] == "sandbox"
	}) {
		t.Error(`no "account needs reauthorization" line naming acct.revoked`)
	}
}

// jobLine is a line the worker's task logging must write.
type jobLine struct {
	Msg, Type, PostID, AccountID string
	Attempt                      int
}

// missingLines returns the lines of want that log lacks. A job line has
// its task id, platform and duration besides the fields of jobLine.
func missingLines(t *testing.T, log string, want []jobLine) []jobLine {
	var missing []jobLine
	for _, w := range want {
		found := hasLine(t, log, func(m map[string]any) bool {
			taskID, _ := m["task_id"].(string)
			if m["msg"] != w.Msg || m["type"] != w.Type || m["account_id"] != w.AccountID ||
				m["attempt"] != float64(w.Attempt) || m["platform"] != "sandbox" || taskID == "" || m["duration"] == nil {
				return false
			}
			if w.PostID == "" {
				_, has := m["post_id"]
				return !has
			}
			return m["post_id"] == w.PostID && taskID == "publish:"+w.PostID
		})
		if !found {
			missing = append(missing, w)
		}
	}
	return missing
}

// hasLine reports whether a line of the JSON log matches. Every line must
// be a JSON object: the log is what the real processes write.
func hasLine(t *testing.T, log string, match func(map[string]any) bool) bool {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(log))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line is not JSON: %v: %s", err, sc.Text())
		}
		if match(m) {
			return true
		}
	}
	return false
}

// fragment is the length of the shortest piece of a secret that counts as
// leaked: a cut-down token (an error message truncated mid-token, a
// prefix logged "for debugging") is a leak too. Twelve random hex or
// base64 characters do not turn up by chance.
const fragment = 12

// findSecret returns the line of s holding a piece of secret, and the
// piece; frag is empty when there is none.
func findSecret(s, secret string) (line, frag string) {
	for i := 0; i+fragment <= len(secret); i++ {
		if at := strings.Index(s, secret[i:i+fragment]); at >= 0 {
			start := strings.LastIndexByte(s[:at], '\n') + 1
			end := strings.IndexByte(s[at:], '\n')
			if end < 0 {
				end = len(s) - at
			}
			return s[start : at+end], secret[i : i+fragment]
		}
	}
	return "", ""
}

// runWorker runs a worker until the returned stop is called (at the
// latest when the test ends). stop returns once the worker has finished
// its running tasks.
func runWorker(t *testing.T, db *redistest.DB, cfg jobs.WorkerConfig) (stop func()) {
	t.Helper()
	w, err := jobs.NewWorker(db.Client, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("worker: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// tokenEndpointTap sits between the Vault and the OAuth endpoint. It
// notes every token the endpoint issues, and makes a refusal echo the
// refresh token it was sent, as some providers do in error_description.
type tokenEndpointTap struct {
	next   http.RoundTripper
	mu     sync.Mutex
	tokens []string
}

func (tt *tokenEndpointTap) RoundTrip(r *http.Request) (*http.Response, error) {
	var form url.Values
	if r.Body != nil {
		b, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return nil, err
		}
		form, _ = url.ParseQuery(string(b))
		r = r.Clone(r.Context())
		r.Body = io.NopCloser(bytes.NewReader(b))
	}
	resp, err := tt.next.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	var answer map[string]any
	if json.Unmarshal(body, &answer) == nil {
		if resp.StatusCode/100 == 2 {
			tt.mu.Lock()
			for _, k := range []string{"access_token", "refresh_token"} {
				if s, _ := answer[k].(string); s != "" {
					tt.tokens = append(tt.tokens, s)
				}
			}
			tt.mu.Unlock()
		} else if rt := form.Get("refresh_token"); rt != "" {
			answer["error_description"] = "refresh token " + rt + " has been expired or revoked"
			body, _ = json.Marshal(answer)
		}
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Del("Content-Length")
	return resp, nil
}

// minted returns the tokens the endpoint issued, in order.
func (tt *tokenEndpointTap) minted() []string {
	tt.mu.Lock()
	defer tt.mu.Unlock()
	return append([]string(nil), tt.tokens...)
}

// platformTap sits between the publisher and the platform. It notes the
// access token of every call, and makes a 401 echo the token it refused.
type platformTap struct {
	next http.RoundTripper
	mu   sync.Mutex
	sent []string
}

func (pt *platformTap) RoundTrip(r *http.Request) (*http.Response, error) {
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	pt.mu.Lock()
	pt.sent = append(pt.sent, tok)
	pt.mu.Unlock()
	resp, err := pt.next.RoundTrip(r)
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	body, _ := json.Marshal(map[string]any{"error": map[string]string{
		"code": "invalid_token", "message": "access token " + tok + " is not valid for this account",
	}})
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Del("Content-Length")
	return resp, nil
}

// sentTokens returns the distinct access tokens the platform was sent.
func (pt *platformTap) sentTokens() []string {
	pt.mu.Lock()
	defer pt.mu.Unlock()
	var out []string
	for _, s := range pt.sent {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// revokedAny reports whether the endpoint revoked one of toks.
func revokedAny(s *tokenstest.Server, toks []string) bool {
	for _, tok := range toks {
		if s.Revoked(tok) {
			return true
		}
	}
	return false
}
