package jobs

import (
	"context"

	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/heraldhq/herald/internal/eventually"
	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/publisherstest"
)

// TestRecovererTakesOverADeadWorkersPost: an attempt whose worker died
// (its lock no longer renewed) is handed to a live worker soon after its
// lock expired, under a fresh task id, without waiting for asynq's own
// recovery of the dead task; the post goes out once.
func TestRecovererTakesOverADeadWorkersPost(t *testing.T) {
	db := redistest.New(t)
	ctx := context.Background()
	c := NewClient(db.Client)
	p := Post{ID: "p1", AccountID: "acct-1", Platform: "sandbox", PublishAt: time.Now().Add(time.Hour), Content: publishers.Content{Text: "hi"}}
	if _, err := c.SchedulePost(ctx, p); err != nil {
		t.Fatal(err)
	}
	// The post is due, and a worker that has since died began it: its
	// task (here still scheduled an hour ahead) is in asynq's hands.
	if err := db.Client.HSet(ctx, recordKey("p1"), "publish_at", unixMilli(time.Now().Add(-time.Second))).Err(); err != nil {
		t.Fatal(err)
	}
	dead := newStore(db.Client, time.Now, 0, nil)
	dead.lockTTL, dead.trackAttempts = fenceTTL, true
	if b, err := dead.begin(ctx, "p1", "dead-owner", time.Hour, nil); err != nil || b.Verdict != "begun" {
		t.Fatalf("begin = %+v, %v", b, err)
	}

	platform := &publisherstest.Platform{}
	reg := publishers.NewRegistry()
	reg.Register("sandbox", platform)
	w, err := NewWorker(db.Client, WorkerConfig{
		Concurrency: 2, ShutdownTimeout: time.Second, Publishers: reg, Tokens: testTokens(db.Client),
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
		Recover: RecoverConfig{Every: 50 * time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	wctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- w.Run(wctx) }()
	t.Cleanup(func() { stop(); <-done })

	var rec record
	eventually.True(t, 15*time.Second, func() bool {
		rec, _, _ = c.store.load(ctx, "p1")
		return rec.State == StatePublished
	}, "post published after its worker died (last: %+v)", &rec.PostStatus)
	if posts := platform.Posts("p1"); len(posts) != 1 {
		t.Errorf("platform has %v, want one post", posts)
	}
	if rec.Attempts != 2 {
		t.Errorf("attempts = %d, want 2 (the dead one, the recovered one)", rec.Attempts)
	}
	if info, err := c.insp.GetTaskInfo(QueuePublish, publishTaskID("p1")); err != nil || info.State != asynq.TaskStateScheduled {
		t.Errorf("the post's own task: %+v, %v; want it untouched (the recoverer's task published)", info, err)
	}
	if n := db.Client.ZCard(ctx, attemptsKey).Val(); n != 0 {
		t.Errorf("%d attempts left in the recoverer's index, want none", n)
	}
}
