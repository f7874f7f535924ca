package jobs

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/publishers"
)

// guardStore is a store over a private database with one post, p1, due
// a second ago.
func guardStore(t *testing.T) (*store, *redistest.DB) {
	t.Helper()
	db := redistest.New(t)
	st := newStore(db.Client, time.Now, 0, nil)
	p := Post{ID: "p1", AccountID: "acct-1", Platform: "sandbox", PublishAt: time.Now().Add(-time.Second), Content: publishers.Content{Text: "hi"}}
	if _, _, _, _, err := st.create(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	return st, db
}

// TestBeginBusyBeforeLate: a post whose deadline passed while an attempt
// holds its lock is busy, not late: a task redelivered then must not mark
// failed a post the running attempt may be publishing.
func TestBeginBusyBeforeLate(t *testing.T) {
	st, db := guardStore(t)
	ctx := context.Background()
	if b, err := st.begin(ctx, "p1", "owner-1", time.Hour, nil); err != nil || b.Verdict != "begun" {
		t.Fatalf("begin = %+v, %v", b, err)
	}
	// The deadline passes while owner-1 runs.
	past := unixMilli(time.Now().Add(-time.Minute))
	if err := db.Client.HSet(ctx, recordKey("p1"), "not_after", past).Err(); err != nil {
		t.Fatal(err)
	}
	b, err := st.begin(ctx, "p1", "owner-2", time.Hour, nil)
	if err != nil || b.Verdict != "busy" {
		t.Fatalf("second begin = %+v, %v; want busy", b, err)
	}
	if rec, _, _ := st.load(ctx, "p1"); rec.State != StatePublishing {
		t.Errorf("state %s, want publishing", rec.State)
	}
}

// TestBeginGuards: begin starts no attempt at a post that is gone,
// final, not due, held by another attempt, or too late, and changes
// nothing of its record.
func TestBeginGuards(t *testing.T) {
	future := unixMilli(time.Now().Add(time.Hour))
	past := unixMilli(time.Now().Add(-time.Minute))
	for _, tc := range []struct {
		name    string
		set     func(ctx context.Context, st *store, db *redistest.DB) error
		verdict string
	}{
		{"missing", func(ctx context.Context, _ *store, db *redistest.DB) error {
			return db.Client.Del(ctx, recordKey("p1")).Err()
		}, "missing"},
		{"published", func(ctx context.Context, _ *store, db *redistest.DB) error {
			return db.Client.HSet(ctx, recordKey("p1"), "state", string(StatePublished)).Err()
		}, "final"},
		{"failed", func(ctx context.Context, _ *store, db *redistest.DB) error {
			return db.Client.HSet(ctx, recordKey("p1"), "state", string(StateFailed)).Err()
		}, "final"},
		{"canceled", func(ctx context.Context, _ *store, db *redistest.DB) error {
			return db.Client.HSet(ctx, recordKey("p1"), "state", string(StateCanceled)).Err()
		}, "final"},
		{"early", func(ctx context.Context, _ *store, db *redistest.DB) error {
			return db.Client.HSet(ctx, recordKey("p1"), "publish_at", future).Err()
		}, "early"},
		{"busy", func(ctx context.Context, st *store, _ *redistest.DB) error {
			_, err := st.begin(ctx, "p1", "owner-1", time.Hour, nil)
			return err
		}, "busy"},
		{"late", func(ctx context.Context, _ *store, db *redistest.DB) error {
			return db.Client.HSet(ctx, recordKey("p1"), "not_after", past).Err()
		}, "late"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, db := guardStore(t)
			ctx := context.Background()
			if err := tc.set(ctx, st, db); err != nil {
				t.Fatal(err)
			}
			before := db.Client.HGetAll(ctx, recordKey("p1")).Val()
			b, err := st.begin(ctx, "p1", "owner-2", time.Hour, nil)
			if err != nil || b.Verdict != tc.verdict {
				t.Fatalf("begin = %+v, %v; want %s", b, err, tc.verdict)
			}
			if tc.verdict == "early" && (b.Wait <= 0 || b.Wait > time.Hour) {
				t.Errorf("early: wait %s, want the time until the post is due", b.Wait)
			}
			after := db.Client.HGetAll(ctx, recordKey("p1")).Val()
			if len(after) != len(before) || after["state"] != before["state"] || after["attempts"] != before["attempts"] || after["lock_owner"] != before["lock_owner"] {
				t.Errorf("begin changed the record:\n before %v\n  after %v", before, after)
			}
		})
	}
}

// TestFinishGuards: finish writes only from an allowed state, only for
// the attempt that holds the post (or, for a write on no attempt's
// behalf, while none holds it), and appends its event only when it
// wrote.
func TestFinishGuards(t *testing.T) {
	published := func() *events.Event {
		return &events.Event{Type: events.PostPublished, PostID: "p1", AccountID: "acct-1", State: string(StatePublished)}
	}
	t.Run("state not allowed", func(t *testing.T) {
		st, db := guardStore(t)
		ctx := context.Background()
		tr, err := st.finish(ctx, "p1", "", []State{StatePublishing}, published(), "state", string(StatePublished))
		if err != nil || tr.Changed || tr.Prev != StateScheduled {
			t.Fatalf("finish = %+v, %v; want scheduled, unchanged", tr, err)
		}
		if s := db.Client.HGet(ctx, recordKey("p1"), "state").Val(); s != string(StateScheduled) {
			t.Errorf("state %s", s)
		}
		if n := db.Client.XLen(ctx, events.Stream).Val(); n != 0 {
			t.Errorf("%d events appended by a refused finish", n)
		}
	})
	t.Run("another owner", func(t *testing.T) {
		st, db := guardStore(t)
		ctx := context.Background()
		if b, err := st.begin(ctx, "p1", "owner-2", time.Hour, nil); err != nil || b.Verdict != "begun" {
			t.Fatalf("begin = %+v, %v", b, err)
		}
		n0 := db.Client.XLen(ctx, events.Stream).Val()
		tr, err := st.finish(ctx, "p1", "owner-1", nil, published(), "state", string(StatePublished), "remote_id", "stale")
		if err != nil || tr.Changed || !tr.Fenced {
			t.Fatalf("finish by a stale owner = %+v, %v; want fenced", tr, err)
		}
		h := db.Client.HGetAll(ctx, recordKey("p1")).Val()
		if h["state"] != string(StatePublishing) || h["remote_id"] != "" || h["lock_owner"] != "owner-2" {
			t.Errorf("a stale owner's finish wrote: %v", h)
		}
		if n := db.Client.XLen(ctx, events.Stream).Val(); n != n0 {
			t.Errorf("a refused finish appended %d events", n-n0)
		}
	})
	t.Run("erased", func(t *testing.T) {
		st, db := guardStore(t)
		ctx := context.Background()
		if err := db.Client.Del(ctx, recordKey("p1")).Err(); err != nil {
			t.Fatal(err)
		}
		tr, err := st.finish(ctx, "p1", "", nil, published(), "state", string(StatePublished))
		if err != nil || tr.Changed || tr.Prev != "" {
			t.Fatalf("finish of an erased post = %+v, %v", tr, err)
		}
		if n := db.Client.Exists(ctx, recordKey("p1")).Val(); n != 0 {
			t.Error("finish brought an erased post's record back")
		}
	})
	t.Run("no owner while held", func(t *testing.T) {
		st, db := guardStore(t)
		ctx := context.Background()
		if b, err := st.begin(ctx, "p1", "owner-2", time.Hour, nil); err != nil || b.Verdict != "begun" {
			t.Fatalf("begin = %+v, %v", b, err)
		}
		tr, err := st.finish(ctx, "p1", "", []State{StateScheduled, StatePublishing}, nil, "state", string(StateFailed))
		if err != nil || tr.Changed || !tr.Fenced {
			t.Fatalf("finish without owner while held = %+v, %v; want fenced", tr, err)
		}
		if s := db.Client.HGet(ctx, recordKey("p1"), "state").Val(); s != string(StatePublishing) {
			t.Errorf("state %s", s)
		}
	})
}

// TestCheckpointSaveGuards: a checkpoint is saved only by the attempt
// that holds the post, while it is publishing; a save for an erased post
// is permanent.
func TestCheckpointSaveGuards(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  func(ctx context.Context, db *redistest.DB) error
		lost bool // else permanent
	}{
		{"another owner", func(ctx context.Context, db *redistest.DB) error {
			return db.Client.HSet(ctx, recordKey("p1"), "lock_owner", "owner-2").Err()
		}, true},
		{"canceled", func(ctx context.Context, db *redistest.DB) error {
			return db.Client.HSet(ctx, recordKey("p1"), "state", string(StateCanceled)).Err()
		}, true},
		{"erased", func(ctx context.Context, db *redistest.DB) error {
			return db.Client.Del(ctx, recordKey("p1")).Err()
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, db := guardStore(t)
			ctx := context.Background()
			b, err := st.begin(ctx, "p1", "owner-1", time.Hour, nil)
			if err != nil || b.Verdict != "begun" {
				t.Fatalf("begin = %+v, %v", b, err)
			}
			var lost error
			cps, err := openCheckpoints(st, nil, b.Record, "owner-1", func(err error) { lost = err })
			if err != nil {
				t.Fatal(err)
			}
			if err := cps.Save(ctx, "draft", "d1"); err != nil {
				t.Fatalf("save while holding the post: %v", err)
			}
			if err := tc.set(ctx, db); err != nil {
				t.Fatal(err)
			}
			err = cps.Save(ctx, "draft", "d2")
			if tc.lost {
				if !errors.Is(err, errLockLost) || !errors.Is(lost, errLockLost) {
					t.Errorf("save = %v, lose heard %v; want errLockLost for both", err, lost)
				}
			} else if publishers.ClassOf(err) != publishers.ClassPermanent {
				t.Errorf("save = %v, want a permanent error", err)
			}
			if v := db.Client.HGet(ctx, recordKey("p1"), "cp:draft").Val(); v == "d2" {
				t.Error("a refused save was written")
			}
			if tc.lost && cps.Get("draft") != "d1" {
				t.Errorf("Get = %q after a refused save, want the saved d1", cps.Get("draft"))
			}
		})
	}
}

// TestBeginRunsInTheStateItBegan: begin reads the record right after its
// script, in the same round trip. A cancel that lands between the two
// makes the post cancel_requested, yet the attempt runs as the
// publishing attempt it began (its renewal is then refused and stops
// it); it must not take the cancel for its own and turn into the
// attempt that resolves it, which the record names another's (none).
// An erasure there leaves nothing to publish.
func TestBeginRunsInTheStateItBegan(t *testing.T) {
	st, _ := guardStore(t)
	ctx := context.Background()
	// Loaded, so that the hook's write comes after the script, not after
	// a NOSCRIPT.
	if err := beginScript.Load(ctx, st.rdb).Err(); err != nil {
		t.Fatal(err)
	}
	st.beforeRead = func(pipe redis.Pipeliner) { pipe.HSet(ctx, recordKey("p1"), "state", string(StateCancelRequested)) }
	b, err := st.begin(ctx, "p1", "owner-1", time.Hour, nil)
	if err != nil || b.Verdict != "begun" {
		t.Fatalf("begin = %+v, %v", b, err)
	}
	if b.Record.State != StatePublishing || b.Record.Post.Content.Text != "hi" || b.Record.Attempts != 1 {
		t.Errorf("attempt runs %+v, want the publishing attempt 1 of the post", b.Record)
	}

	st, _ = guardStore(t)
	st.beforeRead = func(pipe redis.Pipeliner) { pipe.Del(ctx, recordKey("p1")) }
	if b, err := st.begin(ctx, "p1", "owner-1", time.Hour, nil); err != nil || b.Verdict != "missing" {
		t.Errorf("begin of a post erased meanwhile = %+v, %v; want missing", b, err)
	}
}
