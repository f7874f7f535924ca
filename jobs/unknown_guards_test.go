package jobs

import (
	"context"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/redistest"
)

// setRecord sets fields of p1's record.
func setRecord(t *testing.T, db *redistest.DB, fields ...any) {
	t.Helper()
	if err := db.Client.HSet(context.Background(), recordKey("p1"), fields...).Err(); err != nil {
		t.Fatal(err)
	}
}

// TestCancelScriptGuards: a cancel calls canceled only a post of which
// nothing was sent; one the platform may have becomes cancel_requested;
// a final or already requested one is left alone.
func TestCancelScriptGuards(t *testing.T) {
	for _, tc := range []struct {
		name    string
		fields  []any
		verdict string
		state   State
	}{
		{"scheduled, nothing sent", []any{"state", "scheduled"}, "canceled", StateCanceled},
		{"scheduled with a checkpoint", []any{"state", "scheduled", "cp:draft", "d1"}, "requested", StateCancelRequested},
		{"publishing, nothing sent", []any{"state", "publishing"}, "canceled", StateCanceled},
		{"publishing with a checkpoint", []any{"state", "publishing", "cp:draft", "d1"}, "requested", StateCancelRequested},
		{"unknown", []any{"state", "unknown"}, "requested", StateCancelRequested},
		{"cancel_requested", []any{"state", "cancel_requested"}, "none", StateCancelRequested},
		{"published", []any{"state", "published", "cp:draft", "d1"}, "none", StatePublished},
		{"failed", []any{"state", "failed"}, "none", StateFailed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, db := guardStore(t)
			setRecord(t, db, tc.fields...)
			_, verdict, err := st.cancelRecord(context.Background(), "p1")
			if err != nil || verdict != tc.verdict {
				t.Fatalf("cancel = %q, %v; want %q", verdict, err, tc.verdict)
			}
			if rec, _, _ := st.load(context.Background(), "p1"); rec.State != tc.state {
				t.Errorf("state %s, want %s", rec.State, tc.state)
			}
		})
	}
}

// TestSettleScriptGuards: an attempt that did not publish a
// cancel_requested post cancels it only when it holds the post and
// nothing says the platform may have it.
func TestSettleScriptGuards(t *testing.T) {
	for _, tc := range []struct {
		name    string
		fields  []any
		mode    string
		verdict string
		state   State
	}{
		{"nothing sent", []any{"state", "cancel_requested", "lock_owner", "me"}, "auto", "canceled", StateCancelRequested},
		{"a checkpoint", []any{"state", "cancel_requested", "lock_owner", "me", "cp:draft", "d1"}, "auto", "kept", StateCancelRequested},
		{"publisher found nothing", []any{"state", "cancel_requested", "lock_owner", "me", "cp:draft", "d1"}, "nothing", "canceled", StateCanceled},
		{"outcome unknown", []any{"state", "cancel_requested", "lock_owner", "me"}, "keep", "kept", StateCancelRequested},
		{"another attempt's", []any{"state", "cancel_requested", "lock_owner", "other"}, "nothing", "fenced", StateCancelRequested},
		{"not canceled", []any{"state", "publishing", "lock_owner", "me"}, "nothing", "not", StatePublishing},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, db := guardStore(t)
			setRecord(t, db, tc.fields...)
			verdict, err := st.settle(context.Background(), "p1", "me", tc.mode)
			if err != nil || verdict != tc.verdict {
				t.Fatalf("settle = %q, %v; want %q", verdict, err, tc.verdict)
			}
			want := tc.state
			if verdict == "canceled" {
				want = StateCanceled
			}
			rec, _, _ := st.load(context.Background(), "p1")
			if rec.State != want {
				t.Errorf("state %s, want %s", rec.State, want)
			}
			owner := db.Client.HGet(context.Background(), recordKey("p1"), "lock_owner").Val()
			if released := owner == ""; released != (verdict == "canceled" || verdict == "kept") {
				t.Errorf("lock_owner %q after %s", owner, verdict)
			}
		})
	}
}

// TestBeginResolvesACancelRequestedPost: an attempt at a cancel_requested
// post begins even past the post's deadline (it only looks; failing it as
// too late would hide a post the platform may show) and leaves the state
// as it is, with the attempt named as its resolver.
func TestBeginResolvesACancelRequestedPost(t *testing.T) {
	st, db := guardStore(t)
	setRecord(t, db, "state", "cancel_requested", "not_after", unixMilli(time.Now().Add(-time.Minute)), "cp:draft", "d1")
	b, err := st.begin(context.Background(), "p1", "me", time.Hour, nil)
	if err != nil || b.Verdict != "begun" {
		t.Fatalf("begin = %+v, %v; want begun", b, err)
	}
	if b.Record.State != StateCancelRequested {
		t.Errorf("attempt sees %s, want cancel_requested", b.Record.State)
	}
	h := db.Client.HGetAll(context.Background(), recordKey("p1")).Val()
	if h["state"] != "cancel_requested" || h["resolver"] != "me" || h["lock_owner"] != "me" {
		t.Errorf("record %v", h)
	}
}

// TestOnlyTheResolverWritesACancelRequestedPost: once a post is
// cancel_requested, the attempt that was publishing it can neither renew
// its lock nor save a checkpoint; the attempt resolving it can.
func TestOnlyTheResolverWritesACancelRequestedPost(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		resolver string
		ok       bool
	}{
		{"the publishing attempt", "", false},
		{"the resolving attempt", "me", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, db := guardStore(t)
			setRecord(t, db, "state", "cancel_requested", "lock_owner", "me", "resolver", tc.resolver)
			n, err := renewScript.Run(ctx, db.Client, []string{recordKey("p1")}, "me", 30000).Int()
			if err != nil || (n == 1) != tc.ok {
				t.Errorf("renew = %d, %v; want ok=%v", n, err, tc.ok)
			}
			err = st.saveCheckpoint(ctx, "p1", "me", "cp:x", "1")
			if (err == nil) != tc.ok {
				t.Errorf("save = %v; want ok=%v", err, tc.ok)
			}
		})
	}
}

// TestOrphanOfACancelRequestedPost: the recoverer retries a dead
// attempt whose post was canceled meanwhile: the look still has to be
// taken.
func TestOrphanOfACancelRequestedPost(t *testing.T) {
	_, db := guardStore(t)
	setRecord(t, db, "state", "cancel_requested", "lock_owner", "dead", "lock_until", unixMilli(time.Now().Add(-time.Second)))
	res, err := orphanScript.Run(context.Background(), db.Client, []string{recordKey("p1")}).StringSlice()
	if err != nil || res[0] != "orphan" {
		t.Fatalf("orphan = %v, %v; want orphan", res, err)
	}
}
