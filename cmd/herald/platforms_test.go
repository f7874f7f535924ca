package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/config"
	"github.com/heraldhq/herald/internal/eventually"
	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/instagram/instagramtest"
	"github.com/heraldhq/herald/publishers/linkedin/linkedintest"
	"github.com/heraldhq/herald/publishers/sandbox/sandboxtest"
	"github.com/heraldhq/herald/publishers/tiktok"
	"github.com/heraldhq/herald/publishers/tiktok/tiktoktest"
	"github.com/heraldhq/herald/publishers/youtube/youtubetest"
	"github.com/heraldhq/herald/tokens"
)

// platformCase is one platform as the wiring test drives it: a fake of
// it, a grant the fake honours, a post it takes, and what the fake saw.
type platformCase struct {
	name string
	// grant returns new tokens the fake accepts for account, and the
	// account's id at the platform.
	grant func(account string) (access, refresh, platformUserID string)
	// content is a post the platform takes, saying text.
	content func(text string) publishers.Content
	// published counts the posts saying text that the fake made.
	published func(text string) int
	// refreshes counts the calls of the fake's token endpoint; nil: the
	// platform's tokens are not refreshed (the sandbox's never expire).
	refreshes func() int
	// revoked says whether the fake revoked the grant access belongs to;
	// nil: the platform has no revoke endpoint Herald calls.
	revoked func(access string) bool
}

const testAPIKey = "platforms-test-key-0123456789abcdef"

// startPlatforms starts a fake of every platform and points the
// configuration at them, as an operator would with HERALD_* variables.
func startPlatforms(t *testing.T) []platformCase {
	t.Helper()
	video := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "video/mp4")
		io.WriteString(w, strings.Repeat("frame", 2000))
	}))
	t.Cleanup(video.Close)
	yt, ig, tt, li, sb := youtubetest.New(), instagramtest.New(), tiktoktest.New(), linkedintest.New(), sandboxtest.New()
	for _, c := range []interface{ Close() }{yt, ig, tt, li, sb} {
		t.Cleanup(c.Close)
	}
	tt.SetVerifiedPrefixes("https://cdn.example.com/")
	li.SetClient("li-client", "li-secret")
	for k, v := range map[string]string{
		"HERALD_MEDIA_ALLOW_PRIVATE": "true", // the video is on loopback
		"HERALD_GOOGLE_CLIENT_ID":    youtubetest.ClientID, "HERALD_GOOGLE_CLIENT_SECRET": youtubetest.ClientSecret,
		"HERALD_GOOGLE_TOKEN_URL": yt.TokenURL(), "HERALD_GOOGLE_REVOKE_URL": yt.RevokeURL(),
		"HERALD_YOUTUBE_API_URL": yt.Endpoint(), "HERALD_YOUTUBE_UPLOAD_URL": yt.UploadEndpoint(),
		"HERALD_INSTAGRAM_GRAPH_URL": ig.URL(), "HERALD_INSTAGRAM_REFRESH_URL": ig.URL(),
		"HERALD_TIKTOK_URL": tt.URL(), "HERALD_TIKTOK_PULL_PREFIXES": "https://cdn.example.com/",
		"HERALD_TIKTOK_CLIENT_KEY": tiktoktest.DefaultClientKey, "HERALD_TIKTOK_CLIENT_SECRET": tiktoktest.DefaultClientSecret,
		"HERALD_LINKEDIN_URL": li.URL(), "HERALD_LINKEDIN_TOKEN_URL": li.TokenURL(),
		"HERALD_LINKEDIN_CLIENT_ID": "li-client", "HERALD_LINKEDIN_CLIENT_SECRET": "li-secret",
		"HERALD_SANDBOX_URL": sb.URL(),
	} {
		t.Setenv(k, v)
	}
	n := 0
	next := func(prefix string) string { n++; return fmt.Sprintf("%s-%d", prefix, n) }
	return []platformCase{{
		name: "youtube",
		grant: func(acct string) (string, string, string) {
			tok := yt.IssueToken(acct)
			return tok.AccessToken, tok.RefreshToken, "UC" + acct
		},
		content: func(text string) publishers.Content {
			return publishers.Content{Title: text, Media: []publishers.Media{{URL: video.URL + "/v.mp4", Kind: publishers.MediaVideo}}}
		},
		published: yt.VideosTitled,
		refreshes: func() int { return yt.Count(youtubetest.OpToken, 200) },
		revoked:   func(string) bool { return yt.Count(youtubetest.OpRevoke, 200) > 0 },
	}, {
		name:  "instagram",
		grant: func(string) (string, string, string) { return next("IGAAtoken"), "", "178414" + fmt.Sprint(n) },
		content: func(text string) publishers.Content {
			return publishers.Content{Text: text, Media: []publishers.Media{{URL: "https://cdn.example.com/1.jpg", Kind: publishers.MediaImage}}}
		},
		published: ig.Published,
		refreshes: func() int {
			return countCalls(ig.Calls(), func(c instagramtest.Call) bool { return c.Endpoint == instagramtest.EndpointRefresh })
		},
	}, {
		name: "tiktok",
		grant: func(string) (string, string, string) {
			tok := tt.Issue(next("openid"))
			return tok.AccessToken, tok.RefreshToken, ""
		},
		content: func(text string) publishers.Content {
			return publishers.Content{Title: text, Text: text,
				Media:   []publishers.Media{{URL: "https://cdn.example.com/t.mp4", Kind: publishers.MediaVideo}},
				Options: map[string]string{tiktok.OptionPrivacyLevel: tiktok.PrivacyFollowers}}
		},
		published: tt.Published,
		refreshes: func() int { return tt.Count(tiktoktest.EndpointToken) },
		revoked:   tt.Revoked,
	}, {
		name: "linkedin",
		// A partner app's grant, with a refresh token.
		grant: func(string) (string, string, string) {
			return next("li-access"), next("li-refresh"), "urn:li:organization:2414183"
		},
		content:   func(text string) publishers.Content { return publishers.Content{Text: text} },
		published: li.Created,
		refreshes: func() int {
			return countCalls(li.Calls(), func(c linkedintest.Call) bool { return c.Endpoint == linkedintest.EndpointToken })
		},
	}, {
		name:    "sandbox",
		grant:   func(string) (string, string, string) { return next("sb-token"), "", "" },
		content: func(text string) publishers.Content { return publishers.Content{Text: text} },
		published: func(text string) int {
			return countCalls(sb.Posts(), func(p sandboxtest.Post) bool { return p.Text == text })
		},
	}}
}

func countCalls[C any](calls []C, match func(C) bool) int {
	n := 0
	for _, c := range calls {
		if match(c) {
			n++
		}
	}
	return n
}

// TestEveryPlatformThroughTheBinarysWiring runs each platform through the
// code the binary runs: accounts connected with `herald accounts connect`
// and through the API server `herald api` builds, posts published by
// `herald worker` through the platform's fake, a forced token refresh in
// the Vault cmd/herald wires, and a disconnect that revokes at the
// platform where it has a revoke endpoint.
func TestEveryPlatformThroughTheBinarysWiring(t *testing.T) {
	db := redistest.New(t)
	t.Setenv("HERALD_REDIS_URL", db.URL())
	t.Setenv("HERALD_TOKEN_KEYS", "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	t.Setenv("HERALD_WORKER_METRICS_ADDR", "")
	t.Setenv("HERALD_DELAYED_TASK_CHECK_INTERVAL", "100ms")
	cases := startPlatforms(t)

	ctx, cancel := context.WithCancel(context.Background())
	worker := make(chan error, 1)
	go func() { _, _, err := herald(t, ctx, "worker"); worker <- err }()
	t.Cleanup(func() {
		cancel()
		if err := <-worker; err != nil {
			t.Errorf("worker: %v", err)
		}
	})

	cfg, err := config.Load()
	if err != nil {
		t.Fatal(err)
	}
	rdb := cfg.Redis.NewClient()
	t.Cleanup(func() { rdb.Close() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	h, err := apiHandler(cfg, rdb, map[string]string{testAPIKey: "test"}, 0, log)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	ps, err := platforms(cfg, rdb, nil)
	if err != nil {
		t.Fatal(err)
	}
	vault, _, err := newVault(cfg, rdb, ps, newClient(cfg, rdb, ps, nil), log, nil)
	if err != nil {
		t.Fatal(err)
	}

	if got, want := len(cases), len(ps); got != want {
		t.Fatalf("the test drives %d platforms, cmd/herald lists %d: add the new one here", got, want)
	}
	// The API's document names the same platforms as the list.
	var doc any
	json.Unmarshal(wiring{t: t, api: srv.URL}.call("GET", "/v1/openapi.json", nil, http.StatusOK), &doc)
	enums := platformEnums(doc)
	if len(enums) == 0 {
		t.Error("openapi.json lists no platform enum")
	}
	for _, e := range enums {
		if !slices.Equal(e, publishers.Names(ps)) {
			t.Errorf("openapi.json's platform enum %v, want %v", e, publishers.Names(ps))
		}
	}
	for _, pc := range cases {
		t.Run(pc.name, func(t *testing.T) {
			w := wiring{t: t, api: srv.URL, pc: pc}
			cliAcct, apiAcct := pc.name+"-cli", pc.name+"-api"
			cliAT := w.connectCLI(cliAcct)
			apiAT := w.connectAPI(apiAcct)

			w.schedule(cliAcct, true)
			w.schedule(apiAcct, false)
			for _, acct := range []string{cliAcct, apiAcct} {
				w.waitPublished(acct)
				if n := pc.published(postText(acct)); n != 1 {
					t.Errorf("the fake made %d posts of %s, want 1", n, acct)
				}
			}

			if pc.refreshes != nil {
				before := pc.refreshes()
				nt, err := vault.ForceRefresh(ctx, apiAcct, pc.name, &oauth2.Token{AccessToken: apiAT})
				if err != nil {
					t.Fatalf("forced refresh: %v", err)
				}
				if nt.AccessToken == apiAT || pc.refreshes() != before+1 {
					t.Errorf("forced refresh: new token %v, token endpoint calls %d -> %d", nt.AccessToken != apiAT, before, pc.refreshes())
				}
				apiAT = nt.AccessToken
			}

			if out, _, err := herald(t, context.Background(), "accounts", "disconnect", cliAcct); err != nil {
				t.Fatalf("accounts disconnect: %q %v", out, err)
			}
			w.call("POST", "/v1/accounts/"+apiAcct+"/disconnect", nil, http.StatusOK)
			for _, id := range []string{cliAcct, apiAcct} {
				if info, err := vault.Info(context.Background(), id); err == nil && info.Status == tokens.StatusActive {
					t.Errorf("%s still active after disconnect", id)
				}
			}
			if pc.revoked != nil {
				for _, at := range []string{cliAT, apiAT} {
					eventually.True(t, 20*time.Second, func() bool { return pc.revoked(at) }, "%s revoked the grant at the platform", pc.name)
				}
			}
		})
	}
}

// postText is what the post of account says: the fakes count posts by it.
func postText(account string) string { return "wired post of " + account }

// tokenExpiry is when connected tokens expire: far enough that no
// platform's skew makes the worker refresh them first (Instagram renews
// 20 days ahead), so the forced refresh is the one the test sees.
func tokenExpiry() string { return time.Now().Add(50 * 24 * time.Hour).UTC().Format(time.RFC3339) }

// platformEnums finds the enum of every "platform" property in an
// OpenAPI document.
func platformEnums(v any) [][]string {
	var out [][]string
	switch v := v.(type) {
	case map[string]any:
		if p, ok := v["platform"].(map[string]any); ok {
			if e, ok := p["enum"].([]any); ok {
				var names []string
				for _, n := range e {
					names = append(names, fmt.Sprint(n))
				}
				out = append(out, names)
			}
		}
		for _, c := range v {
			out = append(out, platformEnums(c)...)
		}
	case []any:
		for _, c := range v {
			out = append(out, platformEnums(c)...)
		}
	}
	return out
}

// wiring drives one platform through the CLI and the API.
type wiring struct {
	t   *testing.T
	api string
	pc  platformCase
}

// connectCLI connects account with `herald accounts connect --file` and
// returns its access token.
func (w wiring) connectCLI(account string) string {
	w.t.Helper()
	at, rt, puid := w.pc.grant(account)
	body, _ := json.Marshal(map[string]any{"account_id": account, "platform": w.pc.name, "platform_user_id": puid,
		"access_token": at, "refresh_token": rt, "expiry": tokenExpiry()})
	out, stderr, err := herald(w.t, context.Background(), "accounts", "connect", "--file", w.file("acct.json", body))
	if err != nil || !strings.Contains(out, "active") {
		w.t.Fatalf("accounts connect: %q %q %v", out, stderr, err)
	}
	return at
}

// connectAPI connects account with POST /v1/accounts and returns its
// access token.
func (w wiring) connectAPI(account string) string {
	w.t.Helper()
	at, rt, puid := w.pc.grant(account)
	w.call("POST", "/v1/accounts", map[string]any{"account_id": account, "platform": w.pc.name, "platform_user_id": puid,
		"access_token": at, "refresh_token": rt, "expiry": tokenExpiry()}, http.StatusCreated)
	return at
}

// schedule schedules a post of account for now, with `herald post
// schedule` or through the API.
func (w wiring) schedule(account string, cli bool) {
	w.t.Helper()
	post := map[string]any{"post_id": account + "-post", "account_id": account, "platform": w.pc.name,
		"publish_at": time.Now().UTC().Format(time.RFC3339), "content": w.pc.content(postText(account))}
	if !cli {
		w.call("POST", "/v1/posts", post, http.StatusCreated)
		return
	}
	body, _ := json.Marshal(post)
	if out, stderr, err := herald(w.t, context.Background(), "post", "schedule", "--file", w.file("post.json", body)); err != nil {
		w.t.Fatalf("post schedule: %q %q %v", out, stderr, err)
	}
}

// waitPublished waits for account's post to be published, reading its
// status through the API.
func (w wiring) waitPublished(account string) {
	w.t.Helper()
	var st jobs.PostStatus
	eventually.True(w.t, 60*time.Second, func() bool {
		json.Unmarshal(w.call("GET", "/v1/posts/"+account+"-post", nil, http.StatusOK), &st)
		return st.State == jobs.StatePublished || st.State == jobs.StateFailed
	}, "%s's post published", account)
	if st.State != jobs.StatePublished {
		w.t.Fatalf("%s's post: %s (%s: %s; last error %s)", account, st.State, st.FailureClass, st.Reason, st.LastError)
	}
}

// call makes an API request and wants status; it returns the body.
func (w wiring) call(method, path string, body any, status int) []byte {
	w.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, w.api+path, r)
	req.Header.Set("Authorization", "Bearer "+testAPIKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		w.t.Fatalf("%s %s: %d, want %d: %s", method, path, resp.StatusCode, status, b)
	}
	return b
}

func (w wiring) file(name string, body []byte) string {
	w.t.Helper()
	p := filepath.Join(w.t.TempDir(), name)
	if err := os.WriteFile(p, body, 0o600); err != nil {
		w.t.Fatal(err)
	}
	return p
}

// A LinkedIn member of an app without refresh tokens (most apps) publishes
// with the access token until it nears its end: the account is then due
// for a reconnect, and once expired it needs reauthorization, without a
// call to LinkedIn's token endpoint.
func TestLinkedInWithoutARefreshTokenAsksForAReconnect(t *testing.T) {
	db := redistest.New(t)
	t.Setenv("HERALD_REDIS_URL", db.URL())
	t.Setenv("HERALD_TOKEN_KEYS", "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	var li platformCase
	for _, pc := range startPlatforms(t) {
		if pc.name == "linkedin" {
			li = pc
		}
	}
	w := wiring{t: t, pc: li}
	ctx := context.Background()
	for id, expiry := range map[string]time.Duration{"li-expiring": time.Minute, "li-later": 5 * 24 * time.Hour} {
		body, _ := json.Marshal(map[string]any{"account_id": id, "platform": "linkedin", "platform_user_id": "urn:li:person:" + id,
			"access_token": "member-token-" + id, "expiry": time.Now().Add(expiry).UTC().Format(time.RFC3339)})
		if out, stderr, err := herald(t, ctx, "accounts", "connect", "--file", w.file("acct.json", body)); err != nil {
			t.Fatalf("accounts connect: %q %q %v", out, stderr, err)
		}
	}
	cfg, err := config.Load()
	if err != nil {
		t.Fatal(err)
	}
	rdb := cfg.Redis.NewClient()
	t.Cleanup(func() { rdb.Close() })
	ps, err := platforms(cfg, rdb, nil)
	if err != nil {
		t.Fatal(err)
	}
	vault, _, err := newVault(cfg, rdb, ps, newClient(cfg, rdb, ps, nil), slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if tok, err := vault.Token(ctx, "li-later", "linkedin"); err != nil || tok.AccessToken != "member-token-li-later" {
		t.Errorf("a valid member token: %v %v, want it as connected", tok, err)
	}
	if due, _, err := vault.ReconnectDue(ctx, "li-later", cfg.ReconnectLead); err != nil || !due {
		t.Errorf("reconnect due within HERALD_RECONNECT_LEAD: %v %v, want due", due, err)
	}
	if _, err := vault.Token(ctx, "li-expiring", "linkedin"); !errors.Is(err, tokens.ErrReauthRequired) {
		t.Errorf("an expiring member token: %v, want ErrReauthRequired", err)
	}
	if n := li.refreshes(); n != 0 {
		t.Errorf("LinkedIn's token endpoint was called %d times", n)
	}
}
