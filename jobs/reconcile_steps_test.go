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

// loseTask waits until task id's first try has failed (its retry an
// hour away), then deletes it (asynq lost it) or archives it.
func (e *env) loseTask(t *testing.T, id string, archive bool) {
	t.Helper()
	within(t, id+" failed once", func() bool {
		info, err := e.insp.GetTaskInfo(jobs.QueuePublish, id)
		return err == nil && info.State.String() == "retry"
	})
	var err error
	if archive {
		err = e.insp.ArchiveTask(jobs.QueuePublish, id)
	} else {
		err = e.insp.DeleteTask(jobs.QueuePublish, id)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// TestReconcilerFinishesAPendingComment: a published post whose first
// comment is pending and whose comment task asynq lost (deleted) or
// archived gets the task again from the reconciler, and the comment is
// posted exactly once, also when the lost run had sent it.
func TestReconcilerFinishesAPendingComment(t *testing.T) {
	for _, tc := range []struct {
		name    string
		fault   sandboxtest.Fault
		archive bool
	}{
		{"task deleted after a failed try", sandboxtest.Fault{Status: 503}, false},
		{"task deleted after a sent comment's lost answer", sandboxtest.Fault{LoseResponse: true}, false},
		{"task archived after a failed try", sandboxtest.Fault{Status: 503}, true},
		{"task archived after a sent comment's lost answer", sandboxtest.Fault{LoseResponse: true}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.sandbox.FailRef(sandboxtest.CommentRef("c"), 1, tc.fault)
			e.startWorker(e.registry(nil), func(c *jobs.WorkerConfig) { reconcileSlowRetries(c); quickLooks(c) })
			e.commented("c", "#again")
			e.loseTask(t, "comment:c", tc.archive)

			st := e.waitComment("c", jobs.CommentPosted)
			got := e.sandboxComments("c")
			if len(got) != 1 || got[0].ID != st.CommentID {
				t.Fatalf("the platform has %+v, the record says %q: want the one comment", got, st.CommentID)
			}
			if n := len(e.ofType("acct-1", events.PostCommented)); n != 1 {
				t.Errorf("%d post.commented, want 1", n)
			}
		})
	}
}

// TestReconcilerFailsACommentArchivedTwice: a comment task the
// reconciler enqueued again once and asynq archived again ends the
// comment failed (post.comment_failed, the post published with a
// warning that the comment may be there, since the failed try had saved
// that it was sending it): no third task.
func TestReconcilerFailsACommentArchivedTwice(t *testing.T) {
	e := newEnv(t)
	e.sandbox.FailRef(sandboxtest.CommentRef("c"), -1, sandboxtest.Fault{Status: 503})
	e.startWorker(e.registry(nil), reconcileSlowRetries)
	e.commented("c", "#never")
	if err := e.rdb.HSet(context.Background(), "herald:{post:c}", "cm_requeued", "1").Err(); err != nil {
		t.Fatal(err)
	}
	e.loseTask(t, "comment:c", true)
	st := e.waitComment("c", jobs.CommentFailed)
	// The failed try had saved cm_sent: the comment may be there.
	if st.State != jobs.StatePublished || !strings.Contains(st.Warning, "may or may not be on the post") || !strings.Contains(st.Warning, "archived") {
		t.Errorf("status %+v", st)
	}
	evs := e.ofType("acct-1", events.PostCommentFailed)
	if len(evs) != 1 || evs[0].Class != jobs.ClassArchived {
		t.Errorf("post.comment_failed events %+v", evs)
	}
	if n := len(e.sandboxComments("c")); n != 0 {
		t.Errorf("%d comments", n)
	}
}

// TestReconcilerFinishesATakeDown: a post left removing whose take-down
// task asynq lost or archived gets the task again; the post is deleted
// at the platform once and ends removed, also when the lost run's
// delete had gone through (no second DELETE, no failure reported).
func TestReconcilerFinishesATakeDown(t *testing.T) {
	for _, tc := range []struct {
		name    string
		fault   sandboxtest.Fault
		archive bool
		deletes int // DELETE calls the sandbox saw
	}{
		{"task deleted after a failed delete", sandboxtest.Fault{Status: 503}, false, 2},
		{"task deleted after a delete's lost answer", sandboxtest.Fault{LoseResponse: true}, false, 1},
		{"task archived after a failed delete", sandboxtest.Fault{Status: 503}, true, 2},
		{"task archived after a delete's lost answer", sandboxtest.Fault{LoseResponse: true}, true, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.startWorker(e.registry(nil), reconcileSlowRetries)
			e.published("r")
			e.sandbox.FailRef("r", 1, tc.fault)
			if _, err := e.client.UnpublishPost(context.Background(), "r"); err != nil {
				t.Fatal(err)
			}
			e.loseTask(t, "remove:r", tc.archive)

			e.waitState("r", jobs.StateRemoved, 20*time.Second)
			if n := e.sandbox.Deleted(); n != 1 {
				t.Errorf("the sandbox deleted %d posts, want 1", n)
			}
			if n := e.deletes(); n != tc.deletes {
				t.Errorf("%d DELETE calls, want %d", n, tc.deletes)
			}
			if n := len(e.ofType("acct-1", events.PostRemoved)); n != 1 {
				t.Errorf("%d post.removed, want 1", n)
			}
			if n := len(e.ofType("acct-1", events.PostRemoveFailed)); n != 0 {
				t.Errorf("%d post.remove_failed, want none", n)
			}
		})
	}
}

// TestReconcilerFailsATakeDownArchivedTwice: a take-down task enqueued
// again once and archived again puts the post back to published with
// post.remove_failed; the reason says the delete may have gone through
// (it was sent), and asking again starts a take-down of its own.
func TestReconcilerFailsATakeDownArchivedTwice(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.startWorker(e.registry(nil), reconcileSlowRetries)
	e.published("r")
	e.sandbox.FailRef("r", 1, sandboxtest.Fault{Status: 503})
	if _, err := e.client.UnpublishPost(ctx, "r"); err != nil {
		t.Fatal(err)
	}
	if err := e.rdb.HSet(ctx, "herald:{post:r}", "rm_requeued", "1").Err(); err != nil {
		t.Fatal(err)
	}
	e.loseTask(t, "remove:r", true)
	st := e.waitState("r", jobs.StatePublished, 20*time.Second)
	if !strings.Contains(st.LastError, "archived") || !strings.Contains(st.LastError, "may have gone through") {
		t.Errorf("last_error %q", st.LastError)
	}
	if n := len(e.ofType("acct-1", events.PostRemoveFailed)); n != 1 {
		t.Errorf("%d post.remove_failed, want 1", n)
	}
	// Asking again is a take-down of its own, with its own requeue
	// (rm_requeued cleared): removed this time.
	if _, err := e.client.UnpublishPost(ctx, "r"); err != nil {
		t.Fatal(err)
	}
	if v := e.rdb.HGet(ctx, "herald:{post:r}", "rm_requeued").Val(); v != "" {
		t.Errorf("rm_requeued %q after a new take-down was asked for", v)
	}
	e.waitState("r", jobs.StateRemoved, 20*time.Second)
	if n := e.sandbox.Deleted(); n != 1 {
		t.Errorf("the sandbox deleted %d posts, want 1", n)
	}
}
