package monitor_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hibiken/asynq"

	"github.com/heraldhq/herald/internal/metrics"
	"github.com/heraldhq/herald/internal/monitor"
	"github.com/heraldhq/herald/internal/redistest"
)

func TestMain(m *testing.M) { redistest.Main(m) }

func TestMonitorServesUIMetricsAndHealth(t *testing.T) {
	db := redistest.New(t)
	q := asynq.NewClientFromRedisClient(db.Client)
	if _, err := q.Enqueue(asynq.NewTask("post:publish", []byte(`{}`)), asynq.Queue("publish")); err != nil {
		t.Fatal(err)
	}
	h := monitor.New(monitor.Options{RedisConnOpt: db.ConnOpt(), Redis: db.Client, Registry: metrics.NewRegistry()})
	defer h.Close()
	srv := httptest.NewServer(h)
	defer srv.Close()

	get := func(path string) (int, string) {
		t.Helper()
		req, _ := http.NewRequestWithContext(context.Background(), "GET", srv.URL+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	if code, body := get("/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz = %d %q", code, body)
	}
	code, body := get("/metrics")
	if code != 200 {
		t.Fatalf("/metrics = %d", code)
	}
	for _, want := range []string{`asynq_queue_size{queue="publish"} 1`, "go_goroutines", "process_"} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if code, body := get("/monitoring/"); code != 200 || !strings.Contains(body, "<html") {
		t.Errorf("/monitoring/ = %d, not asynqmon's page", code)
	}
	if code, body := get("/monitoring/api/queues"); code != 200 || !strings.Contains(body, `"publish"`) {
		t.Errorf("/monitoring/api/queues = %d %.200s", code, body)
	}
}
