package webhook_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/internal/eventually"
	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/tenant"
	"github.com/heraldhq/herald/webhook"
)

// waitGroups waits until the dispatcher has joined the webhook group of
// each tenant's stream: events appended before are not its to deliver.
func waitGroups(t *testing.T, rdb *redis.Client, tenants ...string) {
	t.Helper()
	eventually.True(t, 10*time.Second, func() bool {
		for _, tn := range tenants {
			gs, err := rdb.XInfoGroups(context.Background(), events.StreamOf(tn)).Result()
			if err != nil || len(gs) != 1 || gs[0].Name != webhook.Group {
				return false
			}
		}
		return true
	}, "webhook groups on the streams of %v", tenants)
}

// TestDispatcherHandsEachEndpointItsTenantsEvents: under events appended
// at once by three tenants, each endpoint gets a delivery of exactly its
// own tenant's events, with the app's ids and its tenant named.
func TestDispatcherHandsEachEndpointItsTenantsEvents(t *testing.T) {
	rdb := redistest.New(t).Client
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	d := webhook.NewDispatcher(rdb, webhook.Config{Endpoints: []webhook.Endpoint{
		{Name: "shop-hooks", URL: "https://shop.example/h", Secrets: []string{secret}, Tenant: "shop"},
		{Name: "shop-audit", URL: "https://audit.shop.example/h", Secrets: []string{secret}, Tenant: "shop"},
		{Name: "blog-hooks", URL: "https://blog.example/h", Secrets: []string{secret}, Tenant: "blog"},
		{Name: "app", URL: "https://app.example/h", Secrets: []string{secret}}, // the default tenant's
	}})
	go func() { done <- d.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run = %v", err)
		}
	})
	tenants := []string{"shop", "blog", tenant.Default}
	waitGroups(t, rdb, tenants...)
	// A tenant without endpoints: its events go nowhere.
	w := events.NewWriter(rdb, events.WriterOptions{})
	const n = 60
	var wg sync.WaitGroup
	for _, tn := range append(tenants, "quiet") {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range n {
				// Qualified ids, as jobs writes them; the same app ids in
				// every tenant.
				if err := w.Append(ctx, events.Event{Type: events.PostPublished, AccountID: tenant.Qualify(tn, "acct-1"), PostID: tenant.Qualify(tn, fmt.Sprintf("p%d", i)), State: "published"}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	insp := asynq.NewInspectorFromRedisClient(rdb)
	want := map[string]string{"shop-hooks": "shop", "shop-audit": "shop", "blog-hooks": "blog", "app": tenant.Default}
	var tasks []*asynq.TaskInfo
	eventually.True(t, 20*time.Second, func() bool {
		tasks = tasks[:0]
		for page := 1; ; page++ {
			ts, err := insp.ListPendingTasks(webhook.Queue, asynq.Page(page), asynq.PageSize(100))
			if err != nil {
				return false
			}
			tasks = append(tasks, ts...)
			if len(ts) < 100 {
				break
			}
		}
		return len(tasks) >= n*len(want)
	}, "%d deliveries enqueued", n*len(want))
	per := map[string]int{}
	for _, task := range tasks {
		var p struct {
			Endpoint string       `json:"endpoint"`
			Event    events.Event `json:"event"`
		}
		if err := json.Unmarshal(task.Payload, &p); err != nil {
			t.Fatal(err)
		}
		per[p.Endpoint]++
		if p.Event.Tenant != want[p.Endpoint] || p.Event.AccountID != "acct-1" || len(p.Event.PostID) < 2 || p.Event.PostID[0] != 'p' {
			t.Errorf("endpoint %s (tenant %s) is to get %+v", p.Endpoint, want[p.Endpoint], p.Event)
		}
	}
	for ep := range want {
		if per[ep] != n {
			t.Errorf("endpoint %s: %d deliveries, want %d", ep, per[ep], n)
		}
	}
	if len(tasks) != n*len(want) {
		t.Errorf("%d deliveries, want %d", len(tasks), n*len(want))
	}
	if gs, _ := rdb.XInfoGroups(ctx, events.StreamOf("quiet")).Result(); len(gs) != 0 {
		t.Errorf("groups %v on the stream of a tenant without endpoints", gs)
	}
}

// TestDelivererDropsAnotherTenantsEvent: a delivery task whose event is
// not of its endpoint's tenant (the endpoint moved to another tenant
// after the event was read) is dropped, not sent.
func TestDelivererDropsAnotherTenantsEvent(t *testing.T) {
	rdb := redistest.New(t).Client
	h := newHook(t, http.StatusNoContent)
	var outcomes []string
	d := webhook.NewDeliverer(rdb, webhook.Config{
		Endpoints: []webhook.Endpoint{{Name: "app", URL: h.URL + "/hooks", Secrets: []string{secret}, Tenant: "blog"}},
		Observe:   func(tn, o string) { outcomes = append(outcomes, tn+":"+o) },
	})
	for _, tt := range []struct {
		tenant string
		sent   int
	}{
		{"shop", 0}, {"", 0}, {tenant.Default, 0}, {"blog", 1},
	} {
		outcomes = nil
		if err := deliver(t, d, events.Event{ID: "1-0", Type: events.AccountConnected, Tenant: tt.tenant, AccountID: "acct-1", At: time.Now()}); err != nil {
			t.Fatal(err)
		}
		h.mu.Lock()
		hits := h.hits
		h.hits, h.verified = 0, nil
		h.mu.Unlock()
		if hits != tt.sent {
			t.Errorf("event of tenant %q: %d deliveries to blog's endpoint, want %d", tt.tenant, hits, tt.sent)
		}
		if want := "blog:" + map[int]string{0: webhook.Failed, 1: webhook.Delivered}[tt.sent]; len(outcomes) != 1 || outcomes[0] != want {
			t.Errorf("event of tenant %q: outcomes %v, want [%s]", tt.tenant, outcomes, want)
		}
	}
}

func TestTaskAbout(t *testing.T) {
	payload := func(tn, account string) []byte {
		b, _ := json.Marshal(map[string]any{"v": 1, "endpoint": "app", "event": events.Event{ID: "1-0", Type: events.AccountConnected, Tenant: tn, AccountID: account}})
		return b
	}
	old := []byte(`{"v":1,"endpoint":"app","event":{"id":"1-0","type":"account.connected","at":"2026-01-01T00:00:00Z","account_id":"acct-1"}}`)
	for _, tt := range []struct {
		name    string
		body    []byte
		account string
		want    bool
	}{
		{"shop's account", payload("shop", "acct-1"), "shop~acct-1", true},
		{"blog's account of the same app id", payload("blog", "acct-1"), "shop~acct-1", false},
		{"default's account of the same app id", payload(tenant.Default, "acct-1"), "shop~acct-1", false},
		{"the default's own", payload(tenant.Default, "acct-1"), "acct-1", true},
		{"shop's, erasing the default's", payload("shop", "acct-1"), "acct-1", false},
		{"another account", payload("shop", "acct-10"), "shop~acct-1", false},
		{"enqueued before tenants", old, "acct-1", true},
		{"enqueued before tenants, erasing shop's", old, "shop~acct-1", false},
		{"not JSON", []byte(`"account_id":"acct-1"`), "acct-1", false},
	} {
		if got := webhook.TaskAbout(tt.body, tt.account); got != tt.want {
			t.Errorf("%s: TaskAbout(%s, %s) = %v, want %v", tt.name, tt.body, tt.account, got, tt.want)
		}
	}
}
