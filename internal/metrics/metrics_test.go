package metrics_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/heraldhq/herald/internal/metrics"
	"github.com/heraldhq/herald/internal/metrics/metricstest"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/tenant"
)

func TestPublishObserveCountsOutcomesAndAttemptsPerPost(t *testing.T) {
	reg := prometheus.NewRegistry()
	p := metrics.NewPublish(reg)
	p.Observe(jobs.Outcome{PostID: "p1", Platform: "youtube", State: jobs.StateScheduled, Class: "transient", Attempt: 1, Duration: time.Second, Lag: 2 * time.Second})
	p.Observe(jobs.Outcome{PostID: "p1", Platform: "youtube", State: jobs.StatePublished, Attempt: 2, Duration: time.Second, Lag: time.Minute})
	p.Observe(jobs.Outcome{PostID: "p2", Platform: "youtube", State: jobs.StateFailed, Class: "too_late", Attempt: 1, Lag: -time.Second})
	p.Observe(jobs.Outcome{PostID: "p3", Platform: "Evil Platform", State: jobs.StateFailed, Class: "a class someone made up"})

	want := attemptsHead + `
herald_publish_attempts_total{class="",outcome="published",platform="youtube",tenant="default"} 1
herald_publish_attempts_total{class="other",outcome="failed",platform="other",tenant="default"} 1
herald_publish_attempts_total{class="too_late",outcome="failed",platform="youtube",tenant="default"} 1
herald_publish_attempts_total{class="transient",outcome="retry",platform="youtube",tenant="default"} 1
`
	compare(t, reg, want, "herald_publish_attempts_total")
	if n := testutil.CollectAndCount(reg, "herald_publish_attempts_per_post"); n != 1 {
		t.Errorf("attempts per post series = %d, want 1 (published posts only)", n)
	}
	h := histogram(t, reg, "herald_publish_attempts_per_post")
	if h.GetSampleCount() != 1 || h.GetSampleSum() != 2 {
		t.Errorf("attempts per post: count %d sum %v, want 1 post of 2 attempts", h.GetSampleCount(), h.GetSampleSum())
	}
	if h := histogram(t, reg, "herald_schedule_lag_seconds"); h.GetSampleCount() != 3 {
		t.Errorf("lag samples = %d, want 3 (the negative lag left out)", h.GetSampleCount())
	}
}

func TestPublishPlatformsStartsSeriesAtZero(t *testing.T) {
	reg := prometheus.NewRegistry()
	p := metrics.NewPublish(reg)
	p.Platforms("youtube", "sandbox")
	if n := testutil.CollectAndCount(reg, "herald_publish_attempts_total"); n != 2 {
		t.Errorf("series = %d, want 2", n)
	}
	// Each configured tenant's too, whichever is set first.
	p.Tenants(tenants(t))
	p.Platforms("tiktok")
	if n := testutil.CollectAndCount(reg, "herald_publish_attempts_total"); n != 9 {
		t.Errorf("series = %d, want 3 platforms × 3 tenants", n)
	}
}

// tenants is a configuration of the tenants shop and blog.
func tenants(t *testing.T) tenant.Config {
	t.Helper()
	c, err := tenant.Parse("shop:shop-hooks;blog:blog-hooks", nil, []string{"shop-hooks", "blog-hooks"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestTenantLabelIsBounded: a post's tenant becomes the label only when
// configured; any other tenant an id in Redis names is "other".
func TestTenantLabelIsBounded(t *testing.T) {
	reg := prometheus.NewRegistry()
	p := metrics.NewPublish(reg)
	p.Tenants(tenants(t))
	e := metrics.NewEvents(reg)
	e.Tenants(tenants(t))
	for _, id := range []string{"shop~p1", "blog~p1", "p1", "gone~p1", "x1~p1", "x2~p1"} {
		p.Observe(jobs.Outcome{PostID: id, Platform: "youtube", State: jobs.StatePublished})
		e.Delivered(tenant.Of(id), metrics.WebhookDelivered)
	}
	want := attemptsHead + `
herald_publish_attempts_total{class="",outcome="published",platform="youtube",tenant="blog"} 1
herald_publish_attempts_total{class="",outcome="published",platform="youtube",tenant="default"} 1
herald_publish_attempts_total{class="",outcome="published",platform="youtube",tenant="other"} 3
herald_publish_attempts_total{class="",outcome="published",platform="youtube",tenant="shop"} 1
` + deliveredHead + `
herald_webhooks_delivered_total{outcome="delivered",tenant="blog"} 1
herald_webhooks_delivered_total{outcome="delivered",tenant="default"} 1
herald_webhooks_delivered_total{outcome="delivered",tenant="other"} 3
herald_webhooks_delivered_total{outcome="delivered",tenant="shop"} 1
`
	compare(t, reg, want, "herald_publish_attempts_total", "herald_webhooks_delivered_total")
}

// A platform given to Platforms has its published attempts' series
// looked up once (Publish.published): they count as any other's.
func TestPublishObserveOfAKnownPlatform(t *testing.T) {
	reg := prometheus.NewRegistry()
	p := metrics.NewPublish(reg)
	p.Platforms("youtube")
	p.Tenants(tenants(t))
	p.Observe(jobs.Outcome{PostID: "p1", Platform: "youtube", State: jobs.StatePublished, Attempt: 1, Duration: time.Second, Lag: time.Second})
	p.Observe(jobs.Outcome{PostID: "shop~p1", Platform: "youtube", State: jobs.StatePublished, Attempt: 3, Duration: time.Second, Lag: -time.Second})
	p.Observe(jobs.Outcome{PostID: "gone~p1", Platform: "youtube", State: jobs.StatePublished, Duration: time.Second, Lag: -time.Second})
	p.Observe(jobs.Outcome{PostID: "p2", Platform: "youtube", State: jobs.StateScheduled, Class: "transient", Attempt: 1, Duration: time.Second})
	// The cached series are each tenant's: the tenant label is kept.
	want := attemptsHead + `
herald_publish_attempts_total{class="",outcome="published",platform="youtube",tenant="blog"} 0
herald_publish_attempts_total{class="",outcome="published",platform="youtube",tenant="default"} 1
herald_publish_attempts_total{class="",outcome="published",platform="youtube",tenant="other"} 1
herald_publish_attempts_total{class="",outcome="published",platform="youtube",tenant="shop"} 1
herald_publish_attempts_total{class="transient",outcome="retry",platform="youtube",tenant="default"} 1
`
	compare(t, reg, want, "herald_publish_attempts_total")
	if h := histogram(t, reg, "herald_publish_attempts_per_post"); h.GetSampleCount() != 2 || h.GetSampleSum() != 4 {
		t.Errorf("attempts per post: %d samples summing %v, want 2 summing 4", h.GetSampleCount(), h.GetSampleSum())
	}
	if h := histogram(t, reg, "herald_publish_duration_seconds"); h.GetSampleCount() != 4 {
		t.Errorf("duration samples = %d, want 4", h.GetSampleCount())
	}
	if h := histogram(t, reg, "herald_schedule_lag_seconds"); h.GetSampleCount() != 2 {
		t.Errorf("lag samples = %d, want 2 (the negative lag left out)", h.GetSampleCount())
	}
}

func TestTokensCountRefreshesAndCoalescedWaiters(t *testing.T) {
	reg := prometheus.NewRegistry()
	tk := metrics.NewTokens(reg)
	tk.Refreshed("youtube", metrics.RefreshOK)
	tk.Refreshed("youtube", metrics.RefreshOK)
	tk.Refreshed("tiktok", metrics.RefreshReauth)
	tk.Refreshed("tiktok", "invalid_grant: ya29.secret-ish")
	tk.Coalesced("youtube")
	tk.Coalesced("youtube")
	tk.Coalesced("youtube")

	want := `
# HELP herald_token_refreshes_total Calls to a platform's token endpoint, by platform and outcome (ok, reauth, error).
# TYPE herald_token_refreshes_total counter
herald_token_refreshes_total{outcome="ok",platform="youtube"} 2
herald_token_refreshes_total{outcome="other",platform="tiktok"} 1
herald_token_refreshes_total{outcome="reauth",platform="tiktok"} 1
# HELP herald_token_refresh_coalesced_total Callers that needed a refresh and got the token another caller (in this process or another) refreshed, by platform.
# TYPE herald_token_refresh_coalesced_total counter
herald_token_refresh_coalesced_total{platform="youtube"} 3
`
	compare(t, reg, want)

	var none *metrics.Tokens // a Vault without metrics
	none.Refreshed("youtube", metrics.RefreshOK)
	none.Coalesced("youtube")
}

func TestEventsCountAppendedAndDelivered(t *testing.T) {
	reg := prometheus.NewRegistry()
	e := metrics.NewEvents(reg)
	tc, err := tenant.Parse("shop:shop-api", []string{"shop-api"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	e.Tenants(tc)
	e.Appended(tenant.Default, "post.published")
	e.Appended(tenant.Default, "post.published")
	e.Appended("shop", "post.published")
	e.Appended("ghost", "post.published")                   // no configured tenant: must not become a label
	e.Appended(tenant.Default, "post:launch-42 for acct-7") // not a type: must not become a label
	e.Delivered(tenant.Default, metrics.WebhookDelivered)
	e.Delivered(tenant.Default, "https://hooks.example/secret")

	want := `
# HELP herald_events_appended_total Entries appended to the events streams (herald:events and each tenant's), by event type and tenant.
# TYPE herald_events_appended_total counter
herald_events_appended_total{tenant="default",type="other"} 1
herald_events_appended_total{tenant="default",type="post.published"} 2
herald_events_appended_total{tenant="other",type="post.published"} 1
herald_events_appended_total{tenant="shop",type="post.published"} 1
` + deliveredHead + `
herald_webhooks_delivered_total{outcome="delivered",tenant="default"} 1
herald_webhooks_delivered_total{outcome="other",tenant="default"} 1
`
	compare(t, reg, want)
	var none *metrics.Events
	none.Appended(tenant.Default, "post.published")
	none.Delivered(tenant.Default, metrics.WebhookFailed)
	none.ReadFailing(tenant.Default, true)
	none.Tenants(tenant.Config{})
}

func TestEndpointTemplates(t *testing.T) {
	for _, tc := range []struct{ method, url, want string }{
		{"POST", "https://sandbox.test/v1/drafts", "POST /v1/drafts"},
		{"POST", "https://sandbox.test/v1/drafts/d_42/publish", "POST /v1/drafts/:id/publish"},
		{"GET", "https://sandbox.test/v1/accounts/acct-7/stats", "GET /v1/accounts/:id/stats"},
		{"GET", "https://sandbox.test/v1/accounts/launch/stats", "GET /v1/accounts/:id/stats"},
		{"POST", "https://www.googleapis.com/upload/youtube/v3/videos?uploadType=resumable&part=snippet", "POST /upload/youtube/v3/videos"},
		{"PUT", "https://www.googleapis.com/upload/youtube/v3/videos?upload_id=AEnB2Ur", "PUT /upload/youtube/v3/videos"},
		{"POST", "https://www.googleapis.com/youtube/v3/thumbnails/set?videoId=dQw4w9WgXcQ", "POST /youtube/v3/thumbnails/set"},
		{"POST", "https://oauth2.googleapis.com/token", "POST /token"},
		{"POST", "https://graph.facebook.com/v24.0/17841400000000000/media", "POST /v24.0/:id/media"},
		{"GET", "https://graph.facebook.com/v24.0/17895695668004550?fields=status_code", "GET /v24.0/:id"},
		{"GET", "https://graph.instagram.com/refresh_access_token?access_token=IGQVJ-secret", "GET /refresh_access_token"},
		{"POST", "https://open.tiktokapis.com/v2/post/publish/video/init/", "POST /v2/post/publish/video/init/"},
		{"PUT", "https://open-upload.tiktokapis.com/upload/?upload_id=7&upload_token=secret", "PUT /upload/"},
		{"GET", "https://api.linkedin.com/rest/videos/urn%3Ali%3Avideo%3AC5505AQ", "GET /rest/videos/:id"},
		{"PUT", "https://www.linkedin.com/dms-uploads/sp/v2/D5610AQ/uploaded-video/0?ca=vector_feedshare&sync=0&v=beta&ut=secret", "PUT /:id/:id/v2/:id/:id/:id"},
		{"PUT", "https://x.test/a/b/c/d/e/f/g/h", "PUT /:id/:id/:id/:id/:id/:id/..."},
		{"GET", "https://x.test", "GET /"},
		{"BREW", "https://x.test/", "other /"},
	} {
		u, err := url.Parse(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		if got := metrics.Endpoint(tc.method, u); got != tc.want {
			t.Errorf("Endpoint(%s %s) = %q, want %q", tc.method, tc.url, got, tc.want)
		}
	}
}

func FuzzEndpointNeverLeaksAPathSegment(f *testing.F) {
	f.Add("/v1/drafts/d_42/publish")
	f.Add("/v24.0/1784/media_publish")
	f.Add("//a//b/")
	f.Fuzz(func(t *testing.T, path string) {
		got := metrics.Endpoint("GET", &url.URL{Path: path})
		for _, seg := range strings.Split(strings.TrimPrefix(got, "GET "), "/") {
			if seg != "" && seg != ":id" && seg != "..." && !strings.Contains(path, seg) {
				t.Fatalf("Endpoint(%q) = %q: segment %q from nowhere", path, got, seg)
			}
			if len(seg) > 40 {
				t.Fatalf("Endpoint(%q) = %q: segment %q too long to be an API word", path, got, seg)
			}
		}
	})
}

func TestTransportCountsRequestsAndUploadBytes(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if strings.HasSuffix(r.URL.Path, "/publish") {
			w.WriteHeader(http.StatusTooManyRequests)
		}
	}))
	defer srv.Close()
	reg := prometheus.NewRegistry()
	m := metrics.NewRequests(reg)
	c := &http.Client{Transport: m.Transport("sandbox", srv.Client().Transport)}

	do := func(method, path, ctype string, body []byte) {
		t.Helper()
		req, _ := http.NewRequestWithContext(context.Background(), method, srv.URL+path, bytes.NewReader(body))
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	do("POST", "/v1/drafts", "application/json", []byte(`{"text":"not media"}`))
	do("POST", "/v1/drafts/d_1/publish", "application/json", nil)
	do("POST", "/v1/drafts/d_2/publish", "application/json", nil)
	do("PUT", "/upload/abc?upload_token=secret", "video/mp4", make([]byte, 1000))
	do("PUT", "/upload/def", "application/octet-stream", make([]byte, 24))

	closed := &http.Client{Transport: m.Transport("sandbox", roundTripFunc(func(*http.Request) (*http.Response, error) {
		return nil, errors.New("connection refused")
	}))}
	req, _ := http.NewRequestWithContext(context.Background(), "GET", "http://unreachable.test/v1/accounts/acct-7/stats", nil)
	if _, err := closed.Do(req); err == nil {
		t.Fatal("want an error")
	}

	want := `
# HELP herald_platform_requests_total Requests to platform APIs by platform, endpoint (method and path template, ids as ":id") and status code ("error" when no answer came).
# TYPE herald_platform_requests_total counter
herald_platform_requests_total{code="200",endpoint="POST /v1/drafts",platform="sandbox"} 1
herald_platform_requests_total{code="200",endpoint="PUT /upload/:id",platform="sandbox"} 2
herald_platform_requests_total{code="429",endpoint="POST /v1/drafts/:id/publish",platform="sandbox"} 2
herald_platform_requests_total{code="error",endpoint="GET /v1/accounts/:id/stats",platform="sandbox"} 1
# HELP herald_upload_bytes_total Media bytes sent to platforms, by platform.
# TYPE herald_upload_bytes_total counter
herald_upload_bytes_total{platform="sandbox"} 1024
`
	compare(t, reg, want, "herald_platform_requests_total", "herald_upload_bytes_total")
	if n := testutil.CollectAndCount(reg, "herald_platform_request_duration_seconds"); n != 1 {
		t.Errorf("duration series = %d, want 1", n)
	}
	m.Uploaded("youtube", 10)
	if got := testutil.ToFloat64(mustVec(t, reg, "herald_upload_bytes_total", "youtube")); got != 10 {
		t.Errorf("Uploaded: %v bytes, want 10", got)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestQuotaCollectorReadsOnScrape(t *testing.T) {
	used := int64(0)
	fail := false
	reg := prometheus.NewRegistry()
	reg.MustRegister(metrics.QuotaCollector(func(context.Context) ([]metrics.Quota, error) {
		if fail {
			return nil, errors.New("redis down")
		}
		reset := time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)
		return []metrics.Quota{
			{Platform: "youtube", Project: "default", Bucket: "uploads", Used: used, Limit: 100, Reset: reset},
			{Platform: "youtube", Project: "default", Bucket: "units", Used: used * 50, Limit: 10000, Reset: reset},
		}, nil
	}))
	used = 3
	want := `
# HELP herald_platform_quota_limit Quota budget a day, by platform, project and bucket.
# TYPE herald_platform_quota_limit gauge
herald_platform_quota_limit{bucket="units",platform="youtube",project="default"} 10000
herald_platform_quota_limit{bucket="uploads",platform="youtube",project="default"} 100
` + scrapeErrorHead + `
herald_platform_quota_scrape_error 0
# HELP herald_platform_quota_used Quota spent today, by platform, project and bucket.
# TYPE herald_platform_quota_used gauge
herald_platform_quota_used{bucket="units",platform="youtube",project="default"} 150
herald_platform_quota_used{bucket="uploads",platform="youtube",project="default"} 3
`
	compareGathered(t, reg, want, "herald_platform_quota_used", "herald_platform_quota_limit", "herald_platform_quota_scrape_error")
	fail = true
	want = scrapeErrorHead + `
herald_platform_quota_scrape_error 1
`
	compareGathered(t, reg, want)
}

func TestAccountsCollectorFoldsUnknownLabels(t *testing.T) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(metrics.AccountsCollector(func(context.Context) ([]metrics.AccountCount, error) {
		return []metrics.AccountCount{
			{Platform: "youtube", Status: "active", N: 5},
			{Platform: "youtube", Status: "reauth_required", N: 1},
			{Platform: "Bad One", Status: "active", N: 1},
			{Platform: "Worse/One", Status: "active", N: 2},
			{Platform: "youtube", Status: "weird", N: 1},
		}, nil
	}))
	want := `
# HELP herald_accounts Connected accounts by platform and status (active, reauth_required, revoking, disconnected).
# TYPE herald_accounts gauge
herald_accounts{platform="other",status="active"} 3
herald_accounts{platform="youtube",status="active"} 5
herald_accounts{platform="youtube",status="other"} 1
herald_accounts{platform="youtube",status="reauth_required"} 1
`
	compareGathered(t, reg, want, "herald_accounts")
}

func TestCachedReadsOncePerTTL(t *testing.T) {
	now := time.Unix(1000, 0)
	calls := 0
	read := metrics.Cached(time.Minute, func() time.Time { return now }, func(context.Context) (int, error) {
		calls++
		if calls == 3 {
			return 0, errors.New("boom")
		}
		return calls, nil
	})
	ctx := context.Background()
	for range 3 {
		if v, _ := read(ctx); v != 1 {
			t.Fatalf("read = %d, want the cached 1", v)
		}
	}
	now = now.Add(time.Minute)
	if v, _ := read(ctx); v != 2 {
		t.Fatalf("after the ttl read = %d, want 2", v)
	}
	now = now.Add(time.Minute)
	if _, err := read(ctx); err == nil {
		t.Fatal("want the error, not a stale value")
	}
	if v, _ := read(ctx); v != 4 {
		t.Fatalf("after an error read = %d, want a fresh 4", v)
	}
}

func TestMuxServesProbesApart(t *testing.T) {
	reg := metrics.NewRegistry()
	srv := httptest.NewServer(metrics.NewMux(reg, metrics.Probes{
		Ready: func(context.Context) error { return errors.New("redis: connection refused") },
	}))
	defer srv.Close()
	if code, body := get(t, srv.URL+"/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz = %d %q", code, body)
	}
	if code, body := get(t, srv.URL+"/readyz"); code != 503 || !strings.Contains(body, "connection refused") {
		t.Errorf("/readyz = %d %q", code, body)
	}
	if code, body := get(t, srv.URL+"/metrics"); code != 200 || !strings.Contains(body, "go_goroutines") {
		t.Errorf("/metrics = %d", code)
	}
}

// TestMetricsPassPromtool runs `promtool check metrics` on what a
// process with every Herald metric serves.
// TestWebhooksReadFailingGauge: the gauge follows the dispatcher's
// readers per tenant, the tenant label bounded like the others.
func TestWebhooksReadFailingGauge(t *testing.T) {
	reg := prometheus.NewRegistry()
	e := metrics.NewEvents(reg)
	e.Tenants(tenants(t))
	e.ReadFailing(tenant.Default, false)
	e.ReadFailing("shop", false)
	e.ReadFailing("shop", true)
	e.ReadFailing("ghost", true) // no configured tenant: must not become a label
	want := `
# HELP herald_webhooks_read_failing 1 while this worker's webhook dispatcher cannot read the tenant's events stream (Redis unreachable: it retries, and no deliveries are enqueued meanwhile), else 0.
# TYPE herald_webhooks_read_failing gauge
herald_webhooks_read_failing{tenant="default"} 0
herald_webhooks_read_failing{tenant="other"} 1
herald_webhooks_read_failing{tenant="shop"} 1
`
	if err := testutil.CollectAndCompare(reg, strings.NewReader(want), "herald_webhooks_read_failing"); err != nil {
		t.Error(err)
	}
	e.ReadFailing("shop", false) // reads work again
	if err := testutil.CollectAndCompare(reg, strings.NewReader(strings.Replace(want, `{tenant="shop"} 1`, `{tenant="shop"} 0`, 1)), "herald_webhooks_read_failing"); err != nil {
		t.Error(err)
	}
}

func TestMetricsPassPromtool(t *testing.T) {
	promtool := metricstest.Promtool(t)
	reg := metrics.NewRegistry()
	p := metrics.NewPublish(reg)
	p.Platforms("youtube")
	p.Observe(jobs.Outcome{Platform: "youtube", State: jobs.StatePublished, Attempt: 1, Duration: time.Second, Lag: time.Second})
	p.Observe(jobs.Outcome{Platform: "youtube", State: jobs.StateFailed, Class: "reauth", Attempt: 1})
	tk := metrics.NewTokens(reg)
	tk.Platforms("youtube")
	tk.Coalesced("youtube")
	ev := metrics.NewEvents(reg)
	ev.Appended(tenant.Default, "post.published")
	ev.Delivered(tenant.Default, metrics.WebhookDelivered)
	ev.ReadFailing(tenant.Default, true)
	rq := metrics.NewRequests(reg)
	rq.Uploaded("youtube", 1)
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	if resp, err := (&http.Client{Transport: rq.Transport("youtube", nil)}).Get(srv.URL + "/youtube/v3/videos"); err == nil {
		resp.Body.Close()
	}
	reg.MustRegister(metrics.QuotaCollector(func(context.Context) ([]metrics.Quota, error) {
		return []metrics.Quota{{Platform: "youtube", Project: "default", Bucket: "units", Used: 1, Limit: 2, Reset: time.Now()}}, nil
	}))
	reg.MustRegister(metrics.AccountsCollector(func(context.Context) ([]metrics.AccountCount, error) {
		return []metrics.AccountCount{{Platform: "youtube", Status: "active", N: 1}}, nil
	}))
	ms := httptest.NewServer(metrics.NewMux(reg, metrics.Probes{}))
	defer ms.Close()
	metricstest.CheckMetrics(t, promtool, metricstest.Scrape(t, ms.URL+"/metrics"))
}

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), "GET", u, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
