package jobs

import (
	"context"
	"testing"
	"time"

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
