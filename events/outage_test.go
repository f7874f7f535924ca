package events_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/internal/eventually"
	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/tenant"
)

// unreachable makes a client's stream reads fail while it is set, as
// they do while Redis restarts, and counts the reads it failed.
type unreachable struct {
	down   atomic.Bool
	failed atomic.Int64
}

var errUnreachable = errors.New("dial unix /redis.sock: connect: connection refused")

func (u *unreachable) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) { return next(ctx, network, addr) }
}

func (u *unreachable) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if name := strings.ToLower(cmd.Name()); u.down.Load() && (name == "xreadgroup" || name == "xautoclaim") {
			u.failed.Add(1)
			cmd.SetErr(errUnreachable)
			return errUnreachable
		}
		return next(ctx, cmd)
	}
}

func (u *unreachable) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

// TestConsumeOutlastsFailingReads: reads that fail far more often than
// the minute of retries the reader once gave up after do not end
// ConsumeBatches; once they work again it delivers what was appended
// meanwhile, and OnFailing heard the outage begin and end.
func TestConsumeOutlastsFailingReads(t *testing.T) {
	db := redistest.New(t)
	o := db.ConnOpt()
	rdb := redis.NewClient(&redis.Options{Network: o.Network, Addr: o.Addr, Username: o.Username, Password: o.Password, DB: o.DB, TLSConfig: o.TLSConfig})
	t.Cleanup(func() { _ = rdb.Close() })
	u := &unreachable{}
	rdb.AddHook(u)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r, err := events.NewReader(ctx, rdb, tenant.Default, "app", "a")
	if err != nil {
		t.Fatal(err)
	}
	r.Block, r.RetryMin, r.RetryMax = 10*time.Millisecond, time.Millisecond, 2*time.Millisecond
	var mu sync.Mutex
	var states []bool
	r.OnFailing = func(failing bool) {
		mu.Lock()
		defer mu.Unlock()
		states = append(states, failing)
	}
	got := make(chan string, 10)
	done := make(chan error, 1)
	go func() {
		done <- r.Consume(ctx, func(_ context.Context, e events.Event) error {
			got <- e.AccountID
			return nil
		})
	}()

	u.down.Store(true)
	// The old reader returned after 30 failed reads in a row.
	const outage = 100
	eventually.True(t, 10*time.Second, func() bool {
		select {
		case err := <-done:
			t.Fatalf("Consume returned %v while Redis was unreachable", err)
		default:
		}
		return u.failed.Load() >= outage
	}, "%d failed reads", outage)
	if err := appendConnected(ctx, db.Client, "acct-during"); err != nil {
		t.Fatal(err)
	}
	u.down.Store(false)

	select {
	case a := <-got:
		if a != "acct-during" {
			t.Fatalf("got an event about %q, want acct-during", a)
		}
	case err := <-done:
		t.Fatalf("Consume returned %v instead of reading again", err)
	case <-time.After(10 * time.Second):
		t.Fatal("the event appended during the outage was not delivered once Redis was back")
	}
	eventually.True(t, 5*time.Second, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(states) == 2
	}, "OnFailing heard the outage start and end")
	mu.Lock()
	if states[0] != true || states[1] != false {
		t.Errorf("OnFailing heard %v, want [true false]", states)
	}
	mu.Unlock()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Consume after cancel = %v, want context.Canceled", err)
	}
}

// TestReaderJoinsALostGroupAgain: a group that vanished with its stream
// (Redis restarted without its data) is created again from the start of
// the new stream, so the events appended since the loss are read.
func TestReaderJoinsALostGroupAgain(t *testing.T) {
	rdb := newDB(t)
	ctx := context.Background()
	r, err := events.NewReader(ctx, rdb, tenant.Default, "app", "a")
	if err != nil {
		t.Fatal(err)
	}
	r.Block = 10 * time.Millisecond
	// Redis lost everything; a writer appended to a new stream before
	// the reader's next read.
	if err := rdb.FlushDB(ctx).Err(); err != nil {
		t.Fatal(err)
	}
	if err := appendConnected(ctx, rdb, "acct-after-loss"); err != nil {
		t.Fatal(err)
	}
	var got []events.Event
	eventually.True(t, 5*time.Second, func() bool {
		evs, err := r.Read(ctx, 10)
		if err != nil {
			t.Fatalf("Read = %v", err)
		}
		got = append(got, evs...)
		return len(got) > 0
	}, "the event appended after the loss is read")
	if len(got) != 1 || got[0].AccountID != "acct-after-loss" {
		t.Fatalf("read %+v, want the one event about acct-after-loss", got)
	}
}
