package jobs

import (
	"context"
	"maps"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/internal/eventually"
	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/publishers"
)

// TestAttemptEventsSameInlineOrNot: the attempt scripts append their
// events themselves on one Redis, and the store appends them after the
// script on Redis Cluster. Both must write the same events.
func TestAttemptEventsSameInlineOrNot(t *testing.T) {
	streams := map[bool][]map[string]any{}
	t0 := time.Now().UTC()
	for _, inline := range []bool{true, false} {
		db := redistest.New(t)
		ctx := context.Background()
		// Due by Redis's clock, which begin reads; the same for both runs.
		now := t0
		var observed []string
		st := newStore(db.Client, func() time.Time { return now }, 0, func(tn, typ string) { observed = append(observed, tn+" "+typ) })
		st.inlineEvents = inline
		p := Post{ID: "p1", AccountID: "acct-1", Platform: "sandbox", PublishAt: now.Add(-time.Second), Content: publishers.Content{Text: "hi"}}
		if _, _, _, _, err := st.create(ctx, p); err != nil {
			t.Fatal(err)
		}
		// Pipelined with another read, after Redis forgot its scripts
		// (a restart): begin loads the script again and both answer.
		if err := db.Client.ScriptFlush(ctx).Err(); err != nil {
			t.Fatal(err)
		}
		var other *redis.StringCmd
		b, err := st.begin(ctx, "p1", "owner-1", time.Hour, func(pipe redis.Pipeliner) { other = pipe.Get(ctx, "elsewhere") })
		if err != nil || b.Verdict != "begun" {
			t.Fatalf("begin = %+v, %v", b, err)
		}
		if err := other.Err(); err != redis.Nil {
			t.Errorf("the read pipelined with begin: %v", err)
		}
		// A second begin finds the post busy and appends nothing.
		if b, _ := st.begin(ctx, "p1", "owner-2", time.Hour, nil); b.Verdict != "busy" {
			t.Fatalf("second begin %s", b.Verdict)
		}
		ev := &events.Event{Type: events.PostPublished, PostID: "p1", AccountID: "acct-1", Platform: "sandbox", State: string(StatePublished), Attempt: 1, RemoteID: "r1", URL: "https://sandbox/r1"}
		if tr, err := st.finish(ctx, "p1", "owner-1", nil, ev, "state", string(StatePublished)); err != nil || !tr.Changed {
			t.Fatalf("finish = %+v, %v", tr, err)
		}
		// A finish from a state not allowed writes no event.
		late := &events.Event{Type: events.PostFailed, PostID: "p1", AccountID: "acct-1", State: string(StateFailed)}
		if tr, _ := st.finish(ctx, "p1", "", []State{StatePublishing}, late, "state", string(StateFailed)); tr.Changed {
			t.Fatal("finish changed a published post")
		}
		for _, m := range db.Client.XRange(ctx, events.Stream, "-", "+").Val() {
			streams[inline] = append(streams[inline], m.Values)
		}
		if want := []string{"default " + events.PostPublishing, "default " + events.PostPublished}; len(observed) != 2 || observed[0] != want[0] || observed[1] != want[1] {
			t.Errorf("inline=%v: observed %v, want %v", inline, observed, want)
		}
	}
	a, b := streams[true], streams[false]
	if len(a) != 2 || len(b) != 2 {
		t.Fatalf("events inline %v, after the script %v", a, b)
	}
	for i := range a {
		if !maps.Equal(a[i], b[i]) {
			t.Errorf("event %d:\n inline %v\n  after %v", i, a[i], b[i])
		}
	}
}

// TestLockRenewedWhileAttemptRuns: a running attempt keeps its post's
// lock alive past its lifetime, and gives it up when it ends, so a crashed
// worker's lock expires and a finished one's is gone at once.
func TestLockRenewedWhileAttemptRuns(t *testing.T) {
	db := redistest.New(t)
	ctx := context.Background()
	t0 := time.Now()
	st := newStore(db.Client, time.Now, 0, nil)
	st.lockTTL, st.renewEvery = 300*time.Millisecond, 20*time.Millisecond
	if _, _, _, _, err := st.create(ctx, Post{ID: "p1", AccountID: "acct-1", Platform: "sandbox", PublishAt: t0, Content: publishers.Content{Text: "hi"}}); err != nil {
		t.Fatal(err)
	}
	if b, err := st.begin(ctx, "p1", "owner-1", time.Hour, nil); err != nil || b.Verdict != "begun" {
		t.Fatalf("begin = %+v, %v", b, err)
	}
	lockUntil := func() time.Time { return parseMilli(db.Client.HGet(ctx, recordKey("p1"), "lock_until").Val()) }
	first := lockUntil()
	if d := first.Sub(t0); d < st.lockTTL-time.Second || d > st.lockTTL+time.Second {
		t.Fatalf("lock_until after begin is %s after the start, want about %s", d, st.lockTTL)
	}

	actx, _, stop := st.keepLocked(ctx, "p1", "owner-1")
	// Renewed at a time (by Redis's clock) when the first lock had run out.
	eventually.True(t, 10*time.Second, func() bool { return !lockUntil().Before(first.Add(st.lockTTL)) }, "lock_until renewed past %s (is %s)", first.Add(st.lockTTL), lockUntil())
	// After the first lock would have run out, a second attempt still
	// finds the post busy.
	if b, _ := st.begin(ctx, "p1", "owner-2", time.Hour, nil); b.Verdict != "busy" {
		t.Fatalf("second begin while renewed = %s, want busy", b.Verdict)
	}
	if actx.Err() != nil {
		t.Fatalf("attempt's context ended while its lock was renewed: %v", context.Cause(actx))
	}
	stop()
	if _, err := st.finish(ctx, "p1", "owner-1", nil, nil, "state", string(StatePublished)); err != nil {
		t.Fatal(err)
	}
	if locked, err := st.locked(ctx, "p1"); err != nil || locked {
		t.Errorf("after finish locked = %v, %v; want the lock released", locked, err)
	}
}

// TestLockNotRenewedAfterTheAttemptsContext: once the attempt's context
// has ended (shutdown, timeout, cancel), its lock is not renewed: the
// attempt is over, and its lock runs out so another can begin.
func TestLockNotRenewedAfterTheAttemptsContext(t *testing.T) {
	db := redistest.New(t)
	t0 := time.Now()
	st := newStore(db.Client, time.Now, 0, nil)
	st.renewEvery = 5 * time.Millisecond
	var renewals atomic.Int32
	st.renewed = func() { renewals.Add(1) }
	bg := context.Background()
	if _, _, _, _, err := st.create(bg, Post{ID: "p1", AccountID: "acct-1", Platform: "sandbox", PublishAt: t0, Content: publishers.Content{Text: "hi"}}); err != nil {
		t.Fatal(err)
	}
	if b, err := st.begin(bg, "p1", "owner-1", time.Hour, nil); err != nil || b.Verdict != "begun" {
		t.Fatalf("begin = %+v, %v", b, err)
	}
	want := db.Client.HGet(bg, recordKey("p1"), "lock_until").Val()
	ctx, cancel := context.WithCancel(bg)
	cancel()
	_, _, stop := st.keepLocked(ctx, "p1", "owner-1")
	defer stop()
	eventually.True(t, 10*time.Second, func() bool { return renewals.Load() >= 1 }, "the renewal timer fired")
	if got := db.Client.HGet(bg, recordKey("p1"), "lock_until").Val(); got != want {
		t.Errorf("lock_until = %s after the attempt's context ended, want %s (not renewed)", got, want)
	}
}
