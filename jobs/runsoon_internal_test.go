package jobs

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/heraldhq/herald/internal/eventually"
	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/publishers"
)

// A cancel of a post whose attempt has just ended finds its task still
// running (asynq refuses to run it now), and the task moves into retry,
// with its backoff, before runSoon looks at it. runSoon asks again, so
// the attempt that settles the cancel comes now, not after the backoff
// (an hour here).
func TestRunSoonCatchesATaskMovingIntoRetry(t *testing.T) {
	db := redistest.New(t)
	ctx := context.Background()
	c := NewClient(db.Client)
	p := Post{ID: "moving", AccountID: "acct", Platform: "sandbox", PublishAt: time.Now(), Content: publishers.Content{Text: "hi"}}
	if _, err := c.SchedulePost(ctx, p); err != nil {
		t.Fatal(err)
	}
	started, release := make(chan struct{}), make(chan struct{})
	srv := asynq.NewServerFromRedisClient(db.Client, asynq.Config{
		Concurrency:     1,
		ShutdownTimeout: time.Second,
		// The post is due now: the forwarder moves it to pending at once.
		DelayedTaskCheckInterval: 50 * time.Millisecond,
		Queues:                   map[string]int{QueuePublish: 1},
		RetryDelayFunc:           func(int, error, *asynq.Task) time.Duration { return time.Hour },
		Logger:                   asynqLogger{slog.New(slog.NewTextHandler(io.Discard, nil))},
	})
	if err := srv.Start(asynq.HandlerFunc(func(context.Context, *asynq.Task) error {
		close(started)
		<-release
		return errors.New("attempt ended")
	})); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the task never started")
	}
	insp := asynq.NewInspectorFromRedisClient(db.Client)
	state := func() asynq.TaskState {
		info, err := insp.GetTaskInfo(QueuePublish, publishTaskID(p.ID))
		if err != nil {
			t.Fatal(err)
		}
		return info.State
	}
	refused := 0
	c.opts.afterRunRefused = func() {
		if refused++; refused > 1 {
			return
		}
		close(release)
		eventually.True(t, 10*time.Second, func() bool { return state() == asynq.TaskStateRetry }, "the task in retry")
		srv.Stop() // takes no more tasks: what runSoon did stays to be seen
	}
	if err := c.runSoon(ctx, p.ID); err != nil {
		t.Fatal(err)
	}
	if refused != 1 {
		t.Fatalf("asynq refused to run the task %d times, want once (while it ran)", refused)
	}
	if s := state(); s != asynq.TaskStatePending {
		t.Errorf("the post's task is %s after runSoon, want pending (run now, not after its backoff)", s)
	}
}
