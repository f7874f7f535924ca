package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldhq/herald/config"
	"github.com/heraldhq/herald/deauth/deauthtest"
	"github.com/heraldhq/herald/internal/eventually"
	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/tiktok"
	"github.com/heraldhq/herald/publishers/tiktok/tiktoktest"
)

// A public TikTok post is published while moderation withholds its id;
// TikTok's post.publish.publicly_available webhook, through the route
// `herald api` serves, has `herald worker` look the id up at once (the
// first backoff round is a minute away).
func TestTikTokWebhookFillsThePostIDThroughTheBinarysWiring(t *testing.T) {
	db := redistest.New(t)
	t.Setenv("HERALD_REDIS_URL", db.URL())
	t.Setenv("HERALD_TOKEN_KEYS", "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	t.Setenv("HERALD_WORKER_METRICS_ADDR", "")
	t.Setenv("HERALD_DELAYED_TASK_CHECK_INTERVAL", "100ms")
	// The API key acts for tenant shop: the webhook names the user, and
	// the lookup must run as the tenant of the account it finds.
	t.Setenv("HERALD_TENANTS", "shop:test")
	tt := tiktoktest.New()
	t.Cleanup(tt.Close)
	var skew atomic.Int64
	tt.SetClock(func() time.Time { return time.Now().Add(time.Duration(skew.Load())) })
	tt.SetVerifiedPrefixes("https://cdn.example.com/")
	tt.SetProcessing(tiktoktest.Processing{ModerationDelay: 30 * time.Minute})
	for k, v := range map[string]string{
		"HERALD_TIKTOK_URL": tt.URL(), "HERALD_TIKTOK_PULL_PREFIXES": "https://cdn.example.com/",
		"HERALD_TIKTOK_CLIENT_KEY": tiktoktest.DefaultClientKey, "HERALD_TIKTOK_CLIENT_SECRET": tiktoktest.DefaultClientSecret,
	} {
		t.Setenv(k, v)
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
	w := wiring{t: t, api: srv.URL}

	tok := tt.Issue("open-mod-1")
	w.call("POST", "/v1/accounts", map[string]any{"account_id": "tt-mod", "platform": "tiktok", "platform_user_id": "open-mod-1",
		"access_token": tok.AccessToken, "refresh_token": tok.RefreshToken, "expiry": tokenExpiry()}, http.StatusCreated)
	w.call("POST", "/v1/posts", map[string]any{"post_id": "tt-mod-post", "account_id": "tt-mod", "platform": "tiktok",
		"publish_at": time.Now().UTC().Format(time.RFC3339), "content": publishers.Content{Text: "moderated",
			Media:   []publishers.Media{{URL: "https://cdn.example.com/m.mp4", Kind: publishers.MediaVideo}},
			Options: map[string]string{tiktok.OptionPrivacyLevel: tiktok.PrivacyPublic}}}, http.StatusCreated)
	var st jobs.PostStatus
	status := func() jobs.PostStatus {
		st = jobs.PostStatus{}
		json.Unmarshal(w.call("GET", "/v1/posts/tt-mod-post", nil, http.StatusOK), &st)
		return st
	}
	eventually.True(t, 60*time.Second, func() bool { return status().State == jobs.StatePublished }, "the post published (last %+v)", &st)
	if !st.RemoteIDPending || st.RemoteID != "" {
		t.Fatalf("published %+v, want the id pending", st)
	}

	skew.Add(int64(45 * time.Minute)) // moderation ends
	content, _ := json.Marshal(`{"publish_id":"` + tt.Publishes()[0].ID + `","post_id":"` + tt.Posts()[0].ID + `","publish_type":"DIRECT_PUBLISH"}`)
	body := []byte(`{"client_key":"` + tiktoktest.DefaultClientKey + `","event":"post.publish.publicly_available","create_time":1,"user_openid":"open-mod-1","content":` + string(content) + `}`)
	req, _ := http.NewRequest("POST", srv.URL+"/v1/callbacks/tiktok", bytes.NewReader(body))
	req.Header.Set("TikTok-Signature", deauthtest.TikTokSignature(tiktoktest.DefaultClientSecret, time.Now(), body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("webhook: %d", resp.StatusCode)
	}
	eventually.True(t, 30*time.Second, func() bool { return status().RemoteID != "" }, "the post id filled in (last %+v)", &st)
	if st.RemoteID != tt.Posts()[0].ID || st.RemoteIDPending {
		t.Errorf("status %+v, want TikTok's post %s", st, tt.Posts()[0].ID)
	}
}
