package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/config"
	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/publishers/tiktok/tiktoktest"
)

// TestCreatorInfoThroughTheBinarysWiring asks `herald api`, wired as the
// binary wires it, for a TikTok account's creator info: the fake's
// creator_info comes back; past TikTok's 20 calls a minute the API
// answers 429 with a Retry-After; a sandbox account has none (400); an account whose refresh token
// TikTok refuses needs reauthorization (409); a token TikTok refuses
// early is refreshed.
func TestCreatorInfoThroughTheBinarysWiring(t *testing.T) {
	db := redistest.New(t)
	tt := tiktoktest.New()
	t.Cleanup(tt.Close)
	tt.SetCreator(tiktoktest.Creator{Username: "ada", Nickname: "Ada L.", PrivacyLevelOptions: []string{"SELF_ONLY", "FOLLOWER_OF_CREATOR"},
		DuetDisabled: true, MaxVideoDurationSec: 300})
	for k, v := range map[string]string{
		"HERALD_REDIS_URL": db.URL(), "HERALD_TOKEN_KEYS": "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
		"HERALD_TIKTOK_URL":        tt.URL(),
		"HERALD_TIKTOK_CLIENT_KEY": tiktoktest.DefaultClientKey, "HERALD_TIKTOK_CLIENT_SECRET": tiktoktest.DefaultClientSecret,
	} {
		t.Setenv(k, v)
	}
	cfg, err := config.Load()
	if err != nil {
		t.Fatal(err)
	}
	rdb := cfg.Redis.NewClient()
	t.Cleanup(func() { rdb.Close() })
	h, err := apiHandler(cfg, rdb, map[string]string{testAPIKey: "test"}, 0, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	call := func(method, path, body string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+testAPIKey)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	tok := tt.Issue("open-ada")
	expiry := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	for _, acct := range []struct{ id, platform, access string }{{"tt-1", "tiktok", tok.AccessToken}, {"sb-1", "sandbox", "sb-token"}} {
		body := fmt.Sprintf(`{"account_id":%q,"platform":%q,"access_token":%q,"token_type":"Bearer","expiry":%q}`, acct.id, acct.platform, acct.access, expiry)
		if resp, b := call("POST", "/v1/accounts", body); resp.StatusCode != http.StatusCreated {
			t.Fatalf("connect %s: %d %s", acct.id, resp.StatusCode, b)
		}
	}

	resp, b := call("GET", "/v1/accounts/tt-1/creator-info", "")
	var ci struct {
		Username    string   `json:"creator_username"`
		Nickname    string   `json:"creator_nickname"`
		Options     []string `json:"privacy_level_options"`
		DuetOff     bool     `json:"duet_disabled"`
		CommentsOff bool     `json:"comment_disabled"`
		MaxSec      int64    `json:"max_video_post_duration_sec"`
	}
	if err := json.Unmarshal(b, &ci); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("creator info: %d %s %v", resp.StatusCode, b, err)
	}
	if ci.Username != "ada" || ci.Nickname != "Ada L." || !slices.Equal(ci.Options, []string{"SELF_ONLY", "FOLLOWER_OF_CREATOR"}) || !ci.DuetOff || ci.CommentsOff || ci.MaxSec != 300 {
		t.Errorf("creator info %s", b)
	}
	if strings.Contains(string(b), tok.AccessToken) {
		t.Errorf("the answer shows the token: %s", b)
	}

	if resp, b := call("GET", "/v1/accounts/sb-1/creator-info", ""); resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "sandbox") {
		t.Errorf("sandbox account: %d %s, want 400 naming the platform", resp.StatusCode, b)
	}
	if resp, b := call("GET", "/v1/accounts/nobody/creator-info", ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown account: %d %s", resp.StatusCode, b)
	}

	// A token TikTok refuses before its expiry is refreshed once, as a
	// publish would.
	tok2 := tt.Issue("open-bob")
	body2 := fmt.Sprintf(`{"account_id":"tt-2","platform":"tiktok","access_token":%q,"refresh_token":%q,"token_type":"Bearer","expiry":%q}`,
		tok2.AccessToken, tok2.RefreshToken, expiry)
	if resp, b := call("POST", "/v1/accounts", body2); resp.StatusCode != http.StatusCreated {
		t.Fatalf("connect tt-2: %d %s", resp.StatusCode, b)
	}
	tt.ExpireAccessToken(tok2.AccessToken)
	if resp, b := call("GET", "/v1/accounts/tt-2/creator-info", ""); resp.StatusCode != http.StatusOK {
		t.Errorf("a refused token is not refreshed: %d %s", resp.StatusCode, b)
	}
	if n := tt.Count(tiktoktest.EndpointToken); n != 1 {
		t.Errorf("%d refreshes, want 1", n)
	}

	// A token that expired, whose refresh token TikTok refuses: the
	// Vault marks the account, and the answer asks for a reconnect.
	body := fmt.Sprintf(`{"account_id":"tt-stale","platform":"tiktok","access_token":"act.stale","refresh_token":"rft.unknown","token_type":"Bearer","expiry":%q}`,
		time.Now().Add(-time.Minute).UTC().Format(time.RFC3339))
	if resp, b := call("POST", "/v1/accounts", body); resp.StatusCode != http.StatusCreated {
		t.Fatalf("connect tt-stale: %d %s", resp.StatusCode, b)
	}
	for range 2 {
		if resp, b := call("GET", "/v1/accounts/tt-stale/creator-info", ""); resp.StatusCode != http.StatusConflict ||
			!strings.Contains(string(b), "not_connected") || !strings.Contains(string(b), "needs reauthorization") {
			t.Errorf("account needing reauthorization: %d %s", resp.StatusCode, b)
		}
	}

	// TikTok allows 20 creator_info calls a minute per user; one was made.
	for range tiktoktest.PerMinute[tiktoktest.EndpointCreatorInfo] - 1 {
		if resp, b := call("GET", "/v1/accounts/tt-1/creator-info", ""); resp.StatusCode != http.StatusOK {
			t.Fatalf("within TikTok's limit: %d %s", resp.StatusCode, b)
		}
	}
	resp, b = call("GET", "/v1/accounts/tt-1/creator-info", "")
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" || !strings.Contains(string(b), "rate_limit_exceeded") {
		t.Errorf("past TikTok's limit: %d Retry-After %q %s", resp.StatusCode, resp.Header.Get("Retry-After"), b)
	}
}
