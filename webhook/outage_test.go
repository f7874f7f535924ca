package webhook_test

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/internal/eventually"
	"github.com/heraldhq/herald/internal/redisserver"
	"github.com/heraldhq/herald/tenant"
	"github.com/heraldhq/herald/webhook"
)

// failedReads counts a client's stream reads that failed.
type failedReads struct{ n atomic.Int64 }

func (f *failedReads) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) { return next(ctx, network, addr) }
}

func (f *failedReads) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		err := next(ctx, cmd)
		if name := strings.ToLower(cmd.Name()); err != nil && !errors.Is(err, redis.Nil) && (name == "xreadgroup" || name == "xautoclaim") {
			f.n.Add(1)
		}
		return err
	}
}

func (f *failedReads) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

// TestDispatcherRidesOutARedisRestart: Redis goes away for far more
// failed reads than the minute of retries the dispatcher once gave up
// after (ending the worker), and comes back without its data. The
// dispatcher keeps running, joins its group again, enqueues the delivery
// of an event appended after the restart, and ReadFailing heard the
// outage begin and end.
func TestDispatcherRidesOutARedisRestart(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	srv, err := redisserver.Start(ctx, redisserver.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	o := srv.Options(0)
	// Each failed read counts once, and fails at once.
	o.MaxRetries, o.DialerRetries, o.DialerRetryTimeout = -1, 1, time.Millisecond
	rdb := redis.NewClient(o)
	t.Cleanup(func() { _ = rdb.Close() })
	failed := &failedReads{}
	rdb.AddHook(failed)

	var mu sync.Mutex
	var states []bool
	d := webhook.NewDispatcher(rdb, webhook.Config{
		Endpoints:    []webhook.Endpoint{{Name: "app", URL: "https://app.example/h", Secrets: []string{secret}}},
		ReadRetryMin: time.Millisecond, ReadRetryMax: 2 * time.Millisecond,
		ReadFailing: func(tn string, failing bool) {
			mu.Lock()
			defer mu.Unlock()
			if tn != tenant.Default {
				t.Errorf("ReadFailing heard of tenant %q", tn)
			}
			states = append(states, failing)
		},
		Logger: slog.New(slog.DiscardHandler),
	})
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	running := func() {
		t.Helper()
		select {
		case err := <-done:
			t.Fatalf("Run returned %v; the worker would exit", err)
		default:
		}
	}
	waitGroups(t, rdb, tenant.Default)

	srv.Kill()
	// The old reader gave up after 30 failed reads in a row.
	const outage = 60
	eventually.True(t, 20*time.Second, func() bool {
		running()
		return failed.n.Load() >= outage
	}, "%d failed reads while Redis is down", outage)
	if err := srv.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	running()
	// Redis came back empty: the event is the first of a new stream. The
	// client may take a second to dial again; the writer retries, as
	// jobs' do.
	w := events.NewWriter(rdb, events.WriterOptions{})
	eventually.True(t, 10*time.Second, func() bool {
		return w.Append(ctx, events.Event{Type: events.AccountConnected, AccountID: "acct-1", Platform: "sandbox"}) == nil
	}, "the event is appended once Redis is back")
	insp := asynq.NewInspectorFromRedisClient(rdb)
	eventually.True(t, 20*time.Second, func() bool {
		running()
		ts, err := insp.ListPendingTasks(webhook.Queue)
		return err == nil && len(ts) == 1
	}, "the delivery of the event appended after the restart is enqueued")
	eventually.True(t, 5*time.Second, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(states) > 0 && !states[len(states)-1]
	}, "ReadFailing heard reads work again")
	mu.Lock()
	if len(states) != 3 || states[0] || !states[1] || states[2] {
		t.Errorf("ReadFailing heard %v, want [false true false] (started, failing, reading again)", states)
	}
	mu.Unlock()
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run after cancel = %v, want nil", err)
	}
}
