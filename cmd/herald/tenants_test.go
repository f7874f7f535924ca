package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/heraldhq/herald/config"
	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/internal/eventually"
	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/tenant"
	"github.com/heraldhq/herald/webhook"
)

// appendTenantEvents appends n events of each tenant at once, with
// qualified ids as jobs writes them; every tenant uses the same app ids.
func appendTenantEvents(t *testing.T, w *events.Writer, n int, tenants ...string) {
	t.Helper()
	var wg sync.WaitGroup
	for _, tn := range tenants {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range n {
				e := events.Event{Type: events.PostPublished, AccountID: tenant.Qualify(tn, "acct-1"), PostID: tenant.Qualify(tn, fmt.Sprintf("p%d", i)), Platform: "sandbox", State: "published"}
				if err := w.Append(context.Background(), e); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
}

// TestEventsTailShowsOneTenant: `herald events tail --tenant T` prints T's
// events alone, with the app's ids; without --tenant, the default
// tenant's; a tenant HERALD_TENANTS does not name is refused.
func TestEventsTailShowsOneTenant(t *testing.T) {
	db := redistest.New(t)
	t.Setenv("HERALD_REDIS_URL", db.URL())
	t.Setenv("HERALD_TENANTS", "shop:shop-api;blog:blog-api")
	appendTenantEvents(t, events.NewWriter(db.Client, events.WriterOptions{}), 3, "shop", "blog", tenant.Default)
	for _, tt := range []struct {
		args   []string
		tenant string
	}{
		{[]string{"--tenant", "shop"}, "shop"},
		{[]string{"--tenant", "blog"}, "blog"},
		{nil, tenant.Default},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		out, stderr, err := herald(t, ctx, append([]string{"events", "tail", "--from", "0", "--count", "3", "--json"}, tt.args...)...)
		cancel()
		if err != nil {
			t.Fatalf("events tail %v: %v %s", tt.args, err, stderr)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != 3 {
			t.Fatalf("events tail %v printed %d lines, want 3:\n%s", tt.args, len(lines), out)
		}
		for _, l := range lines {
			var e events.Event
			if err := json.Unmarshal([]byte(l), &e); err != nil {
				t.Fatal(err)
			}
			if e.Tenant != tt.tenant || e.AccountID != "acct-1" || !strings.HasPrefix(e.PostID, "p") {
				t.Errorf("events tail %v printed %s", tt.args, l)
			}
		}
	}
	// Nothing more than its 3 in shop's stream: a fourth is not there.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if out, _, _ := herald(t, ctx, "events", "tail", "--tenant", "shop", "--from", "0", "--count", "4", "--json"); strings.Count(out, "\n") != 3 {
		t.Errorf("shop's tail printed %q, want its 3 events only", out)
	}
	_, _, err := herald(t, context.Background(), "events", "tail", "--tenant", "shops", "--count", "1")
	if err == nil || !strings.Contains(err.Error(), "HERALD_TENANTS") {
		t.Errorf("tail of a tenant HERALD_TENANTS does not name: %v", err)
	}
	if _, _, err := herald(t, context.Background(), "events", "tail", "--tenant", "Shop~x", "--count", "1"); err == nil || !strings.Contains(err.Error(), "--tenant") {
		t.Errorf("tail of a malformed tenant: %v", err)
	}
}

// receivers is one webhook receiver per path, each verifying its own
// secret and keeping what it received by path.
type receivers struct {
	*httptest.Server
	mu      sync.Mutex
	got     map[string][]events.Event
	refused int
}

func newReceivers(t *testing.T, secrets map[string]string) *receivers {
	r := &receivers{got: map[string][]events.Event{}}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		path := strings.TrimPrefix(req.URL.Path, "/")
		var e events.Event
		r.mu.Lock()
		defer r.mu.Unlock()
		if webhook.Verify(req.Header.Get(webhook.SignatureHeader), body, secrets[path], 0, time.Now()) != nil || json.Unmarshal(body, &e) != nil {
			r.refused++
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		r.got[path] = append(r.got[path], e)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receivers) count(path string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got[path])
}

// TestWorkerDeliversEachTenantItsEvents: `herald worker` with two tenants'
// endpoints and the default's (HERALD_TENANTS, no API keys, as a worker
// is configured) delivers to each endpoint exactly its tenant's events,
// appended by all three at once, signed with its own secret, with the
// app's ids and its tenant named.
func TestWorkerDeliversEachTenantItsEvents(t *testing.T) {
	db := redistest.New(t)
	secrets := map[string]string{"shop": "shop-secret-0123456789abcdef", "blog": "blog-secret-0123456789abcdef", "app": "app-secret-0123456789abcdefgh"}
	r := newReceivers(t, secrets)
	for k, v := range map[string]string{
		"HERALD_REDIS_URL": db.URL(), "HERALD_TOKEN_KEYS": "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
		"HERALD_SANDBOX_URL": "http://127.0.0.1:1", "HERALD_WORKER_METRICS_ADDR": "",
		"HERALD_WEBHOOKS":        "shop-hooks=" + r.URL + "/shop,blog-hooks=" + r.URL + "/blog,app=" + r.URL + "/app",
		"HERALD_WEBHOOK_SECRETS": "shop-hooks=" + secrets["shop"] + ",blog-hooks=" + secrets["blog"] + ",app=" + secrets["app"],
		"HERALD_TENANTS":         "shop:shop-api,shop-hooks;blog:blog-api,blog-hooks",
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
	eventually.True(t, 20*time.Second, func() bool {
		for _, tn := range []string{"shop", "blog", tenant.Default} {
			if gs, err := db.Client.XInfoGroups(ctx, events.StreamOf(tn)).Result(); err != nil || len(gs) != 1 {
				return false
			}
		}
		return true
	}, "the worker reads the three tenants' streams")
	const n = 40
	appendTenantEvents(t, events.NewWriter(db.Client, events.WriterOptions{}), n, "shop", "blog", tenant.Default, "quiet")
	eventually.True(t, 60*time.Second, func() bool {
		return r.count("shop") >= n && r.count("blog") >= n && r.count("app") >= n
	}, "%d events delivered to each endpoint", n)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.refused > 0 {
		t.Errorf("%d deliveries failed their endpoint's signature", r.refused)
	}
	for path, tn := range map[string]string{"shop": "shop", "blog": "blog", "app": tenant.Default} {
		ids := map[string]bool{}
		for _, e := range r.got[path] {
			ids[e.PostID] = true
			if e.Tenant != tn || e.AccountID != "acct-1" || !strings.HasPrefix(e.PostID, "p") {
				t.Errorf("endpoint %s (tenant %s) received %+v", path, tn, e)
			}
		}
		if len(ids) != n || len(r.got[path]) != n {
			t.Errorf("endpoint %s: %d deliveries of %d posts, want %d of %d", path, len(r.got[path]), len(ids), n, n)
		}
	}
}

// TestWorkerMetricsCarryTheTenant: the worker's wiring labels publish
// outcomes and webhook deliveries with the configured tenants, and
// folds any other into "other".
func TestWorkerMetricsCarryTheTenant(t *testing.T) {
	t.Setenv("HERALD_WEBHOOKS", "shop-hooks=https://shop.example/h")
	t.Setenv("HERALD_WEBHOOK_SECRETS", "shop-hooks=shop-secret-0123456789abcdef")
	t.Setenv("HERALD_TENANTS", "shop:shop-hooks")
	cfg, err := config.Load()
	if err != nil {
		t.Fatal(err)
	}
	tc, err := tenantsOf(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tel := newTelemetry()
	tel.tenants(tc)
	wc := workerConfig(cfg, nil, nil, tel)
	if eps := wc.Webhooks.Endpoints; len(eps) != 1 || eps[0].Tenant != "shop" {
		t.Fatalf("endpoints %+v, want shop-hooks serving shop", eps)
	}
	wc.Webhooks.Observe("shop", webhook.Delivered)
	wc.Webhooks.Observe("gone", webhook.Delivered)
	want := `
# HELP herald_webhooks_delivered_total Webhook delivery attempts by outcome (delivered, retry, failed: given up, disabled: the receiver answered 410) and the endpoint's tenant.
# TYPE herald_webhooks_delivered_total counter
herald_webhooks_delivered_total{outcome="delivered",tenant="other"} 1
herald_webhooks_delivered_total{outcome="delivered",tenant="shop"} 1
`
	if err := testutil.GatherAndCompare(tel.reg, strings.NewReader(want), "herald_webhooks_delivered_total"); err != nil {
		t.Error(err)
	}
}
