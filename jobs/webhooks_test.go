package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/internal/eventually"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/webhook"
)

const hookSecret = "whsec-0123456789abcdef01234567"

// receiver is a webhook endpoint that verifies every delivery and answers
// with the status its script gives (200 once the script runs out).
type receiver struct {
	*httptest.Server
	mu       sync.Mutex
	script   []int
	received []events.Event
	bad      []string
	outcomes []string
}

func newReceiver(t *testing.T, script ...int) *receiver {
	r := &receiver{script: script}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		if err := webhook.Verify(req.Header.Get(webhook.SignatureHeader), body, hookSecret, 0, time.Now()); err != nil {
			r.bad = append(r.bad, err.Error())
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		status := http.StatusOK
		if len(r.script) > 0 {
			status, r.script = r.script[0], r.script[1:]
		}
		if status == http.StatusOK {
			var ev events.Event
			if err := json.Unmarshal(body, &ev); err != nil || ev.ID != req.Header.Get(webhook.EventIDHeader) || ev.Type != req.Header.Get(webhook.EventTypeHeader) {
				r.bad = append(r.bad, "body and headers disagree: "+string(body))
			}
			r.received = append(r.received, ev)
		}
		w.WriteHeader(status)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) events() []events.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.received)
}

func (r *receiver) observe(_, outcome string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.outcomes = append(r.outcomes, outcome)
}

// startWebhookWorker runs a worker delivering to r and waits until its
// consumer group exists (events appended before that are not delivered).
func (e *env) startWebhookWorker(r *receiver, tweak func(*webhook.Config)) (stop func()) {
	e.t.Helper()
	stop = e.startWorker(e.registry(nil), func(c *jobs.WorkerConfig) {
		c.Webhooks = webhook.Config{
			Endpoints: []webhook.Endpoint{{Name: "app", URL: r.URL + "/hooks", Secrets: []string{"old-secret-0123456789abcdef", hookSecret}}},
			Observe:   r.observe,
		}
		if tweak != nil {
			tweak(&c.Webhooks)
		}
	})
	eventually.True(e.t, 10*time.Second, func() bool {
		groups, err := e.rdb.XInfoGroups(context.Background(), events.Stream).Result()
		return err == nil && len(groups) == 1 && groups[0].Name == webhook.Group
	}, "webhook consumer group created")
	return stop
}

func TestWebhooksDeliverEveryEventOnceSigned(t *testing.T) {
	e := newEnv(t)
	r := newReceiver(t, http.StatusInternalServerError) // the first delivery fails and is retried
	e.startWebhookWorker(r, nil)
	e.schedule(e.post("p1", time.Now()))
	e.waitState("p1", jobs.StatePublished, 20*time.Second)
	eventually.True(t, 20*time.Second, func() bool { return len(r.events()) >= 3 }, "three events delivered")
	var types []string
	ids := map[string]bool{}
	for _, ev := range r.events() {
		types = append(types, ev.Type)
		if ids[ev.ID] {
			t.Errorf("event %s delivered twice", ev.ID)
		}
		ids[ev.ID] = true
		if ev.PostID != "p1" || ev.AccountID != "acct-1" || ev.Platform != "sandbox" {
			t.Errorf("event %+v", ev)
		}
	}
	slices.Sort(types)
	if want := []string{events.PostPublished, events.PostPublishing, events.PostScheduled}; !slices.Equal(types, want) {
		t.Errorf("delivered %v, want %v", types, want)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.bad) > 0 {
		t.Errorf("bad deliveries: %v", r.bad)
	}
	if !slices.Contains(r.outcomes, webhook.Retry) || !slices.Contains(r.outcomes, webhook.Delivered) {
		t.Errorf("outcomes %v", r.outcomes)
	}
}

func TestWebhookEndpointThatAnswers410IsDisabled(t *testing.T) {
	e := newEnv(t)
	r := newReceiver(t, http.StatusGone)
	e.startWebhookWorker(r, nil)
	ctx := context.Background()
	_ = e.appendEvent(events.AccountConnected, "acct-1", "sandbox")
	eventually.True(t, 10*time.Second, func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		return slices.Contains(r.outcomes, webhook.Disabled)
	}, "endpoint disabled")
	// Events after the 410 are not sent: the marker event behind them
	// would be the first delivery otherwise.
	_ = e.appendEvent(events.AccountDisconnected, "acct-1", "sandbox")
	eventually.True(t, 10*time.Second, func() bool {
		p, err := e.rdb.XPending(ctx, events.Stream, webhook.Group).Result()
		info, _ := e.rdb.XInfoGroups(ctx, events.Stream).Result()
		return err == nil && p.Count == 0 && len(info) == 1 && info[0].Lag == 0
	}, "second event read and acknowledged")
	if n := len(r.events()); n != 0 {
		t.Errorf("%d events delivered to a disabled endpoint", n)
	}
	ep := []webhook.Endpoint{{Name: "app", URL: r.URL + "/hooks"}}
	if st, err := webhook.States(ctx, e.rdb, ep); err != nil || len(st) != 1 || !st[0].Disabled {
		t.Errorf("states %+v, %v; want app disabled", st, err)
	}
	// Another URL is another receiver: not disabled.
	if st, _ := webhook.States(ctx, e.rdb, []webhook.Endpoint{{Name: "app", URL: r.URL + "/new"}}); len(st) != 1 || st[0].Disabled {
		t.Errorf("states at a new URL %+v", st)
	}
	if err := webhook.Enable(ctx, e.rdb, "app"); err != nil {
		t.Fatal(err)
	}
	if st, _ := webhook.States(ctx, e.rdb, ep); len(st) != 1 || st[0].Disabled {
		t.Errorf("states after enable %+v", st)
	}
	if q, err := e.insp.GetQueueInfo(jobs.QueueWebhooks); err != nil || q.Completed != 1 || q.Pending+q.Scheduled+q.Retry+q.Archived != 0 {
		t.Errorf("webhook queue: %+v, %v; want the one completed delivery", q, err)
	}
}

func TestWebhookGivesUpPastMaxAge(t *testing.T) {
	e := newEnv(t)
	r := newReceiver(t, 503, 503, 503, 503, 503, 503, 503, 503, 503, 503, 503, 503)
	e.startWebhookWorker(r, func(c *webhook.Config) { c.MaxAge = 200 * time.Millisecond })
	ctx := context.Background()
	_ = e.appendEvent(events.AccountConnected, "acct-1", "sandbox")
	var archived []*asynq.TaskInfo
	eventually.True(t, 20*time.Second, func() bool {
		var err error
		archived, err = e.insp.ListArchivedTasks(jobs.QueueWebhooks)
		return err == nil && len(archived) == 1
	}, "delivery archived")
	if archived[0].LastErr == "" || len(r.events()) != 0 {
		t.Errorf("archived %+v, delivered %d", archived[0], len(r.events()))
	}
	// Erasing the account removes its deliveries too.
	n, err := e.sandboxVault().Erase(ctx, "acct-1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.insp.GetTaskInfo(jobs.QueueWebhooks, archived[0].ID); !errors.Is(err, asynq.ErrTaskNotFound) {
		t.Errorf("archived delivery still there after erase (%v, %v)", n, err)
	}
}

func TestWebhookDispatcherReadsEndpointStateOncePerBatch(t *testing.T) {
	e := newEnv(t)
	rdb, cmds := e.countingClient()
	e.rdb = rdb // the worker's client counts its commands
	r := newReceiver(t)
	other := newReceiver(t)
	e.startWebhookWorker(r, func(c *webhook.Config) {
		c.Endpoints = append(c.Endpoints, webhook.Endpoint{Name: "other", URL: other.URL + "/hooks", Secrets: []string{hookSecret}})
	})
	// Twenty events appended at once: the dispatcher reads them in one
	// batch.
	ctx := context.Background()
	const n = 20
	at := time.Now().UTC().Format(time.RFC3339Nano)
	if _, err := e.db.Client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		for range n {
			p.XAdd(ctx, &redis.XAddArgs{Stream: events.Stream, Values: []any{"type", events.AccountConnected, "account_id", "acct-1", "at", at}})
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	eventually.True(t, 20*time.Second, func() bool {
		return len(r.events()) == n && len(other.events()) == n
	}, "%d events delivered to both endpoints", n)
	// One pipeline read both endpoints' flags for the batch; each
	// delivery checked its endpoint's flag once more.
	for _, name := range []string{"app", "other"} {
		key := "herald:webhook:{" + name + "}:disabled"
		if got := cmds.get("pipeline get " + key); got != 1 {
			t.Errorf("the dispatcher read %s %d times for one batch, want 1", key, got)
		}
		if got := cmds.get("get "+key) - cmds.get("pipeline get "+key); got != n {
			t.Errorf("deliveries read %s %d times, want %d", key, got, n)
		}
	}
}
