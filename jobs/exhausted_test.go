package jobs_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers/sandbox/sandboxtest"
)

// events returns the events stream's entries about post id, by type.
func (e *env) events(id string) map[string][]map[string]any {
	e.t.Helper()
	out := map[string][]map[string]any{}
	for _, m := range e.rdb.XRange(context.Background(), events.Stream, "-", "+").Val() {
		if m.Values["post_id"] == id {
			typ, _ := m.Values["type"].(string)
			out[typ] = append(out[typ], m.Values)
		}
	}
	return out
}

// TestRetriesExhaustedFailsThePost: with two retries and a platform that
// always fails transiently, the third attempt is the last: the post ends
// failed, saying why, and the app hears post.failed.
func TestRetriesExhaustedFailsThePost(t *testing.T) {
	e := newEnv(t)
	e.client = jobs.NewClient(e.rdb, jobs.WithMaxRetry(2))
	e.sandbox.FailRef("doomed", -1, sandboxtest.Fault{Status: 503, Message: "down for maintenance"})
	e.startWorker(e.registry(nil), nil)
	e.schedule(e.post("doomed", time.Now()))

	st := e.waitState("doomed", jobs.StateFailed, 30*time.Second)
	if st.FailureClass != "transient" || !strings.HasPrefix(st.Reason, "retries exhausted: ") || !strings.Contains(st.Reason, "down for maintenance") {
		t.Errorf("failure %q %q, want transient, retries exhausted with the last reason", st.FailureClass, st.Reason)
	}
	if st.Attempts != 3 {
		t.Errorf("attempts = %d, want 3 (the first and two retries)", st.Attempts)
	}
	failed := e.events("doomed")[events.PostFailed]
	if len(failed) != 1 || !strings.HasPrefix(failed[0]["reason"].(string), "retries exhausted: ") {
		t.Errorf("post.failed events %v", failed)
	}
}

// reconcileFast runs the reconciler every 50ms with no grace.
func reconcileFast(c *jobs.WorkerConfig) {
	c.Reconcile = jobs.ReconcileConfig{Every: 50 * time.Millisecond, Grace: time.Nanosecond}
}

// TestReconcilerFailsArchivedOrphan: a post left publishing by an attempt
// that died, whose task asynq then archived, ends failed with the
// archive's reason and post.failed.
func TestReconcilerFailsArchivedOrphan(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.schedule(e.post("orphan", time.Now().Add(time.Hour)))
	if err := e.insp.ArchiveTask(jobs.QueuePublish, "publish:orphan"); err != nil {
		t.Fatal(err)
	}
	if err := e.rdb.HSet(ctx, "herald:{post:orphan}", "state", "publishing").Err(); err != nil {
		t.Fatal(err)
	}
	e.startWorker(e.registry(nil), reconcileFast)

	st := e.waitState("orphan", jobs.StateFailed, 20*time.Second)
	if st.FailureClass != jobs.ClassArchived || !strings.Contains(st.Reason, "archived") {
		t.Errorf("failure %q %q, want archived", st.FailureClass, st.Reason)
	}
	if n := len(e.events("orphan")[events.PostFailed]); n != 1 {
		t.Errorf("%d post.failed events, want 1", n)
	}
	if n := e.sandbox.Published("orphan"); n != 0 {
		t.Errorf("archived orphan published %d times", n)
	}
}

// TestReconcilerEnqueuesLostTask: a scheduled post whose task is gone is
// enqueued again and goes out once.
func TestReconcilerEnqueuesLostTask(t *testing.T) {
	e := newEnv(t)
	e.schedule(e.post("lost", time.Now().Add(time.Second)))
	if err := e.insp.DeleteTask(jobs.QueuePublish, "publish:lost"); err != nil {
		t.Fatal(err)
	}
	e.startWorker(e.registry(nil), reconcileFast)

	e.waitState("lost", jobs.StatePublished, 20*time.Second)
	if n := e.sandbox.Published("lost"); n != 1 {
		t.Errorf("published %d times, want 1", n)
	}
}
