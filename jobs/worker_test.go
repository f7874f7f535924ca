package jobs_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/internal/eventually"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/webhook"
)

// TestWorkerRunReturnsTheDispatchersError: a webhook dispatcher that
// cannot run (here the events stream's key holds a string) stops the
// worker with its error, instead of leaving a worker that delivers
// nothing and says nothing.
func TestWorkerRunReturnsTheDispatchersError(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if err := e.rdb.Set(ctx, events.Stream, "not a stream", 0).Err(); err != nil {
		t.Fatal(err)
	}
	w, err := jobs.NewWorker(e.rdb, jobs.WorkerConfig{
		Concurrency: 1, ShutdownTimeout: time.Second, Publishers: e.registry(nil), Tokens: e.sandboxVault(),
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
		Webhooks: webhook.Config{Endpoints: []webhook.Endpoint{{Name: "app", URL: "http://127.0.0.1:1/hooks", Secrets: []string{hookSecret}}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	err = w.Run(runCtx)
	if err == nil || !strings.Contains(err.Error(), "webhook dispatcher") || runCtx.Err() != nil {
		t.Fatalf("Run = %v (context: %v), want the dispatcher's error before the context ended", err, runCtx.Err())
	}
}

// TestWorkerRestartsLeaveNoConsumers: each worker reads the events
// stream as a consumer of the webhook group (Redis adds the consumer when
// it first hands it an event); one that stops leaves the group, so
// restarts do not pile up consumers in Redis.
func TestWorkerRestartsLeaveNoConsumers(t *testing.T) {
	e := newEnv(t)
	r := newReceiver(t)
	ctx := context.Background()
	consumers := func() int {
		cs, err := e.rdb.XInfoConsumers(ctx, events.Stream, webhook.Group).Result()
		if err != nil {
			t.Fatal(err)
		}
		return len(cs)
	}
	for cycle := range 3 {
		stop := e.startWebhookWorker(r, nil)
		if err := e.appendEvent(events.AccountConnected, "acct-1", "sandbox"); err != nil {
			t.Fatal(err)
		}
		eventually.True(t, 10*time.Second, func() bool { return len(r.events()) == cycle+1 }, "cycle %d: event delivered", cycle)
		if n := consumers(); n != 1 {
			t.Fatalf("cycle %d: %d consumers while the worker runs, want 1", cycle, n)
		}
		stop()
		if n := consumers(); n != 0 {
			t.Fatalf("after %d stops: %d consumers left in %s", cycle+1, n, webhook.Group)
		}
	}
}
