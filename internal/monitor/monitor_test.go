package monitor_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/internal/metrics"
	"github.com/heraldhq/herald/internal/metrics/metricstest"
	"github.com/heraldhq/herald/internal/monitor"
	"github.com/heraldhq/herald/internal/redistest"
)

func TestMain(m *testing.M) { redistest.Main(m) }

// serve starts a monitor over db with o's auth and returns its URL.
func serve(t *testing.T, db *redistest.DB, o monitor.Options) string {
	t.Helper()
	o.RedisConnOpt, o.Redis, o.Registry = db.ConnOpt(), db.Client, metrics.NewRegistry()
	h := monitor.New(o)
	t.Cleanup(func() { h.Close() })
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func get(t *testing.T, url string, auth func(*http.Request)) (int, string) {
	t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), "GET", url, nil)
	if auth != nil {
		auth(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestMonitorServesUIMetricsAndHealth(t *testing.T) {
	db := redistest.New(t)
	q := asynq.NewClientFromRedisClient(db.Client)
	if _, err := q.Enqueue(asynq.NewTask("post:publish", []byte(`{}`)), asynq.Queue("publish")); err != nil {
		t.Fatal(err)
	}
	url := serve(t, db, monitor.Options{})

	for _, p := range []string{"/healthz", "/readyz"} {
		if code, body := get(t, url+p, nil); code != 200 || body != "ok\n" {
			t.Errorf("%s = %d %q", p, code, body)
		}
	}
	code, body := get(t, url+"/metrics", nil)
	if code != 200 {
		t.Fatalf("/metrics = %d", code)
	}
	for _, want := range []string{`asynq_queue_size{queue="publish"} 1`, "go_goroutines", "process_", "herald_accounts_scrape_error 0", "herald_redis_memory_scrape_error 0", "herald_redis_memory_used_bytes "} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if code, body := get(t, url+"/monitoring/", nil); code != 200 || !strings.Contains(body, "<html") {
		t.Errorf("/monitoring/ = %d, not asynqmon's page", code)
	}
	if code, body := get(t, url+"/monitoring/api/queues", nil); code != 200 || !strings.Contains(body, `"publish"`) {
		t.Errorf("/monitoring/api/queues = %d %.200s", code, body)
	}
}

func TestMonitorMetricsPassPromtool(t *testing.T) {
	promtool := metricstest.Promtool(t)
	db := redistest.New(t)
	q := asynq.NewClientFromRedisClient(db.Client)
	if _, err := q.Enqueue(asynq.NewTask("post:publish", []byte(`{}`)), asynq.Queue("publish")); err != nil {
		t.Fatal(err)
	}
	url := serve(t, db, monitor.Options{Quota: func(context.Context) ([]metrics.Quota, error) {
		return []metrics.Quota{{Platform: "youtube", Project: "default", Bucket: "uploads", Used: 1, Limit: 100}}, nil
	}})
	body := metricstest.Scrape(t, url+"/metrics")
	if !strings.Contains(body, "herald_platform_quota_used") {
		t.Error("/metrics lacks the quota gauges")
	}
	// asynq's x/metrics names two gauges *_total; asynqmon's charts query
	// them by name, so they stay.
	metricstest.CheckMetrics(t, promtool, body, "asynq_tasks_enqueued_total ", "asynq_queue_paused_total ")
}

func TestReadyzFailsWithoutRedis(t *testing.T) {
	gone := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 100 * time.Millisecond, MaxRetries: -1})
	defer gone.Close()
	h := monitor.New(monitor.Options{
		RedisConnOpt: asynq.RedisClientOpt{Addr: "127.0.0.1:1"}, Redis: gone, Registry: metrics.NewRegistry(), CensusEvery: -1,
	})
	defer h.Close()
	srv := httptest.NewServer(h)
	defer srv.Close()
	if code, _ := get(t, srv.URL+"/healthz", nil); code != 200 {
		t.Errorf("/healthz = %d, want 200: the process is alive", code)
	}
	if code, body := get(t, srv.URL+"/readyz", nil); code != 503 {
		t.Errorf("/readyz = %d %q, want 503", code, body)
	}
}

func TestAuthGuardsAsynqmonOnly(t *testing.T) {
	db := redistest.New(t)
	url := serve(t, db, monitor.Options{Auth: monitor.Auth{Username: "ops", Password: "correct horse battery", BearerToken: "t0ken-for-scripts"}})

	basic := func(u, p string) func(*http.Request) { return func(r *http.Request) { r.SetBasicAuth(u, p) } }
	bearer := func(tok string) func(*http.Request) {
		return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+tok) }
	}
	for _, tc := range []struct {
		name string
		auth func(*http.Request)
		want int
	}{
		{"none", nil, 401},
		{"wrong password", basic("ops", "correct horse"), 401},
		{"wrong user", basic("root", "correct horse battery"), 401},
		{"basic", basic("ops", "correct horse battery"), 200},
		{"bearer", bearer("t0ken-for-scripts"), 200},
		{"wrong bearer", bearer("t0ken-for-script"), 401},
		{"password as bearer", bearer("correct horse battery"), 401},
	} {
		for _, p := range []string{"/monitoring/", "/monitoring/api/queues"} {
			if code, _ := get(t, url+p, tc.auth); code != tc.want {
				t.Errorf("%s: %s = %d, want %d", tc.name, p, code, tc.want)
			}
		}
	}
	req, _ := http.NewRequestWithContext(context.Background(), "GET", url+"/monitoring/", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Basic ") {
		t.Errorf("WWW-Authenticate = %q, want a basic challenge for browsers", got)
	}
	for _, p := range []string{"/metrics", "/healthz", "/readyz"} {
		if code, _ := get(t, url+p, nil); code != 200 {
			t.Errorf("%s = %d without credentials, want 200 (scrapers and probes)", p, code)
		}
	}
}

func TestAuthCheck(t *testing.T) {
	for _, tc := range []struct {
		addr string
		auth monitor.Auth
		ok   bool
	}{
		{"127.0.0.1:8080", monitor.Auth{}, true},
		{"localhost:8080", monitor.Auth{}, true},
		{"[::1]:8080", monitor.Auth{}, true},
		{"0.0.0.0:8080", monitor.Auth{}, false},
		{":8080", monitor.Auth{}, false},
		{"10.0.0.5:8080", monitor.Auth{}, false},
		{"monitor.internal:8080", monitor.Auth{}, false},
		{"0.0.0.0:8080", monitor.Auth{Username: "ops", Password: "long enough pw"}, true},
		{"0.0.0.0:8080", monitor.Auth{BearerToken: "long enough token"}, true},
		{"0.0.0.0:8080", monitor.Auth{Username: "ops"}, false},
		{"127.0.0.1:8080", monitor.Auth{Password: "long enough pw"}, false},
		{"0.0.0.0:8080", monitor.Auth{Username: "ops", Password: "short"}, false},
		{"0.0.0.0:8080", monitor.Auth{BearerToken: "short"}, false},
	} {
		err := tc.auth.Check(tc.addr)
		if (err == nil) != tc.ok {
			t.Errorf("Auth%+v.Check(%q) = %v, want ok=%v", tc.auth, tc.addr, err, tc.ok)
		}
		if err != nil && (strings.Contains(err.Error(), tc.auth.Password) && tc.auth.Password != "" || strings.Contains(err.Error(), tc.auth.BearerToken) && tc.auth.BearerToken != "") {
			t.Errorf("Check error %q names the secret", err)
		}
	}
}
