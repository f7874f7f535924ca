package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/heraldhq/herald/internal/eventually"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/publisherstest"
)

// redeliver enqueues a raw post:publish task for post p under a task id
// of its own, as a second scheduler, an operator or a bug might, and
// returns that id.
func (e *env) redeliver(p jobs.Post) string {
	e.t.Helper()
	payload, err := json.Marshal(map[string]any{"v": 1, "post": p})
	if err != nil {
		e.t.Fatal(err)
	}
	id := "stray:" + p.ID
	_, err = asynq.NewClientFromRedisClient(e.rdb).Enqueue(asynq.NewTask(jobs.TypePublish, payload),
		asynq.TaskID(id), asynq.Queue(jobs.QueuePublish), asynq.MaxRetry(3), asynq.Retention(time.Hour))
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}

// waitTask waits until task id has run at least once and returns it
// (nil when asynq deleted it, as it does a revoked task).
func (e *env) waitTask(id string) *asynq.TaskInfo {
	e.t.Helper()
	var info *asynq.TaskInfo
	eventually.True(e.t, 20*time.Second, func() bool {
		var err error
		info, err = e.insp.GetTaskInfo(jobs.QueuePublish, id)
		if errors.Is(err, asynq.ErrTaskNotFound) {
			info = nil
			return true
		}
		return err == nil && (info.State == asynq.TaskStateCompleted || info.State == asynq.TaskStateRetry || info.State == asynq.TaskStateArchived)
	}, "task %s ran", id)
	return info
}

// TestRedeliveredTasksPublishNothingTwice delivers post:publish tasks
// under other task ids than the post's own, for posts that are
// published, canceled, not yet due, and being published elsewhere, to a
// platform with no idempotency of its own: only the record's guards stand
// between each and a second post.
func TestRedeliveredTasksPublishNothingTwice(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	holding, release := make(chan struct{}), make(chan struct{})
	platform := &publisherstest.Platform{Hook: func(_ context.Context, step string, req publishers.Request) error {
		if req.PostID == "running" && step == publisherstest.StepCreate && req.Attempt == 1 {
			close(holding)
			<-release
		}
		return nil
	}}
	reg := publishers.NewRegistry()
	reg.Register("sandbox", platform)
	e.startWorker(reg, nil)

	published := e.post("published", time.Now())
	e.schedule(published)
	e.waitState("published", jobs.StatePublished, 20*time.Second)
	canceled := e.post("canceled", time.Now().Add(time.Hour))
	e.schedule(canceled)
	if _, err := e.client.CancelPost(ctx, "canceled"); err != nil {
		t.Fatal(err)
	}
	early := e.post("early", time.Now().Add(time.Hour))
	e.schedule(early)
	running := e.post("running", time.Now())
	e.schedule(running)
	<-holding

	t.Run("published", func(t *testing.T) {
		if info := e.waitTask(e.redeliver(published)); info == nil || info.State != asynq.TaskStateCompleted {
			t.Errorf("stray task of a published post: %+v", info)
		}
		if posts := platform.Posts("published"); len(posts) != 1 {
			t.Errorf("platform has %v, want one post", posts)
		}
	})
	t.Run("canceled", func(t *testing.T) {
		if info := e.waitTask(e.redeliver(canceled)); info != nil {
			t.Errorf("stray task of a canceled post not revoked: %s", info.State)
		}
		if st := e.status("canceled"); st.State != jobs.StateCanceled || st.Attempts != 0 {
			t.Errorf("canceled post: %+v", st)
		}
	})
	t.Run("not yet due", func(t *testing.T) {
		if info := e.waitTask(e.redeliver(early)); info == nil || info.State != asynq.TaskStateRetry || info.Retried != 0 {
			t.Errorf("stray task of a post not due: %+v, want waiting for a retry that is not a failure", info)
		}
		if st := e.status("early"); st.State != jobs.StateScheduled || st.Attempts != 0 {
			t.Errorf("post not due: %+v", st)
		}
	})
	t.Run("running elsewhere", func(t *testing.T) {
		if info := e.waitTask(e.redeliver(running)); info == nil || info.State != asynq.TaskStateRetry || info.Retried != 0 {
			t.Errorf("stray task of a running post: %+v, want waiting", info)
		}
		if st := e.status("running"); st.State != jobs.StatePublishing || st.Attempts != 1 {
			t.Errorf("running post: %+v", st)
		}
	})
	close(release)
	e.waitState("running", jobs.StatePublished, 20*time.Second)
	for _, id := range []string{"canceled", "early"} {
		if posts := platform.Posts(id); len(posts) != 0 {
			t.Errorf("%s: platform has %v", id, posts)
		}
	}
	if posts := platform.Posts("running"); len(posts) != 1 || platform.Drafts() != 2 {
		t.Errorf("running: platform has %v and %d drafts in all, want one post and two drafts (published, running)", posts, platform.Drafts())
	}
}
