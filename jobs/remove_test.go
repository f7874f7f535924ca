package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/internal/eventually"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/sandbox/sandboxtest"
)

// deletes counts the DELETE calls the sandbox saw.
func (e *env) deletes() int {
	n := 0
	for _, c := range e.sandbox.Calls() {
		if c.Method == http.MethodDelete {
			n++
		}
	}
	return n
}

// published schedules post id now and waits until it is published.
func (e *env) published(id string) jobs.PostStatus {
	e.t.Helper()
	e.schedule(e.post(id, time.Now()))
	return e.waitState(id, jobs.StatePublished, 10*time.Second)
}

func TestUnpublishTakesThePostDown(t *testing.T) {
	e := newEnv(t)
	e.startWorker(e.registry(nil), nil)
	pub := e.published("rm-1")
	st, err := e.client.UnpublishPost(context.Background(), "rm-1")
	if err != nil {
		t.Fatal(err)
	}
	if st.State != jobs.StateRemoving && st.State != jobs.StateRemoved {
		t.Fatalf("UnpublishPost answered %s, want removing", st.State)
	}
	st = e.waitState("rm-1", jobs.StateRemoved, 10*time.Second)
	if st.RemovedAt.IsZero() || st.RemoteID != pub.RemoteID {
		t.Errorf("status %+v, want removed with its remote id", st)
	}
	if n := len(e.sandbox.Posts()); n != 0 || e.deletes() != 1 {
		t.Errorf("%d posts left, %d deletes; want none and one", n, e.deletes())
	}
	if n := len(e.ofType("acct-1", events.PostRemoved)); n != 1 {
		t.Errorf("%d post.removed, want 1", n)
	}
	if n := len(e.ofType("acct-1", events.PostRemoving)); n != 1 {
		t.Errorf("%d post.removing, want 1", n)
	}
	// Asking again changes nothing.
	if st, err := e.client.UnpublishPost(context.Background(), "rm-1"); err != nil || st.State != jobs.StateRemoved {
		t.Errorf("again: %+v, %v", st, err)
	}
}

// The take-down checkpoint: a delete whose answer was lost is settled by
// looking the post up, not by deleting again.
func TestLostDeleteAnswerIsSettledByLookingUp(t *testing.T) {
	e := newEnv(t)
	e.startWorker(e.registry(nil), nil)
	e.published("rm-2")
	e.sandbox.FailRef("rm-2", 1, sandboxtest.Fault{LoseResponse: true})
	if _, err := e.client.UnpublishPost(context.Background(), "rm-2"); err != nil {
		t.Fatal(err)
	}
	e.waitState("rm-2", jobs.StateRemoved, 20*time.Second)
	if n := e.deletes(); n != 1 {
		t.Errorf("%d DELETE calls at the platform, want 1 (the lost one)", n)
	}
	if n := len(e.ofType("acct-1", events.PostRemoved)); n != 1 {
		t.Errorf("%d post.removed, want 1", n)
	}
}

// A publish task that runs again after its post was taken down (asynq
// redelivers, a TaskID reused) publishes nothing; nor does a second
// take-down task delete anything.
func TestRemovedPostIsNotPublishedOrDeletedAgain(t *testing.T) {
	e := newEnv(t)
	e.startWorker(e.registry(nil), nil)
	e.published("rm-3")
	if _, err := e.client.UnpublishPost(context.Background(), "rm-3"); err != nil {
		t.Fatal(err)
	}
	e.waitState("rm-3", jobs.StateRemoved, 10*time.Second)
	q := asynq.NewClientFromRedisClient(e.rdb)
	pb, _ := json.Marshal(map[string]any{"post_id": "rm-3", "account_id": "acct-1", "platform": "sandbox"})
	rb, _ := json.Marshal(map[string]any{"post_id": "rm-3"})
	for _, task := range []struct {
		typ, id string
		body    []byte
	}{{jobs.TypePublish, "publish:rm-3", pb}, {jobs.TypeRemove, "remove-again", rb}} {
		if _, err := q.Enqueue(asynq.NewTask(task.typ, task.body), asynq.TaskID(task.id), asynq.Queue(jobs.QueuePublish)); err != nil {
			t.Fatal(err)
		}
		eventually.True(t, 10*time.Second, func() bool {
			info, err := e.insp.GetTaskInfo(jobs.QueuePublish, task.id)
			return errors.Is(err, asynq.ErrTaskNotFound) || err == nil && info.State == asynq.TaskStateCompleted
		}, "task %s ran", task.id)
	}
	created := 0
	for _, c := range e.sandbox.Calls() {
		if c.Created {
			created++
		}
	}
	if created != 1 {
		t.Errorf("published %d times, want 1", created)
	}
	if n := e.deletes(); n != 1 {
		t.Errorf("%d deletes, want 1", n)
	}
	if st := e.status("rm-3"); st.State != jobs.StateRemoved {
		t.Errorf("state %s, want removed", st.State)
	}
}

func TestRefusedTakeDownLeavesThePostPublished(t *testing.T) {
	e := newEnv(t)
	e.startWorker(e.registry(nil), nil)
	e.published("rm-4")
	e.sandbox.FailRef("rm-4", -1, sandboxtest.Fault{Status: 422, Message: "this post is pinned"})
	if _, err := e.client.UnpublishPost(context.Background(), "rm-4"); err != nil {
		t.Fatal(err)
	}
	var st jobs.PostStatus
	eventually.True(t, 10*time.Second, func() bool {
		st = e.status("rm-4")
		return st.State == jobs.StatePublished && st.LastError != ""
	}, "rm-4 back to published")
	if !strings.Contains(st.LastError, "pinned") {
		t.Errorf("last_error %q, want the platform's reason", st.LastError)
	}
	if evs := e.ofType("acct-1", events.PostRemoveFailed); len(evs) != 1 || !strings.Contains(evs[0].Reason, "pinned") {
		t.Errorf("post.remove_failed events %+v", evs)
	}
}

func TestUnpublishRefusals(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c := jobs.NewClient(e.rdb, jobs.WithCapabilities(map[string]publishers.Capabilities{"sandbox": {}}))
	e.schedule(e.post("later", time.Now().Add(time.Hour)))
	if _, err := c.UnpublishPost(ctx, "later"); !errors.Is(err, jobs.ErrCannotRemove) || !strings.Contains(err.Error(), "sandbox") {
		t.Errorf("a platform that cannot delete: %v, want ErrCannotRemove naming it", err)
	}
	if _, err := e.client.UnpublishPost(ctx, "later"); !errors.Is(err, jobs.ErrNotPublished) {
		t.Errorf("a scheduled post: %v, want ErrNotPublished", err)
	}
	if _, err := e.client.UnpublishPost(ctx, "nope"); !errors.Is(err, jobs.ErrNotFound) {
		t.Errorf("no such post: %v, want ErrNotFound", err)
	}
	if st := e.status("later"); st.State != jobs.StateScheduled {
		t.Errorf("refusals changed the post: %s", st.State)
	}
}
