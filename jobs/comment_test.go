package jobs_test

import (
	"context"
	"encoding/json"
	"errors"
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

// commented schedules a post with a first comment, due now.
func (e *env) commented(id, comment string) jobs.Post {
	p := e.post(id, time.Now())
	p.Content.FirstComment = comment
	e.schedule(p)
	return p
}

// waitComment waits until post id's first comment is in state.
func (e *env) waitComment(id, state string) jobs.PostStatus {
	e.t.Helper()
	var st jobs.PostStatus
	eventually.True(e.t, 20*time.Second, func() bool {
		st = e.status(id)
		return st.CommentState == state
	}, "post %s comment %s (last: %+v)", id, state, &st)
	return st
}

// sandboxComments returns the comments on the sandbox post of Herald
// post ref.
func (e *env) sandboxComments(ref string) []sandboxtest.Comment {
	for _, p := range e.sandbox.Posts() {
		if p.Ref == ref {
			return p.Comments
		}
	}
	return nil
}

// ofType returns account's events of type typ.
func (e *env) ofType(account, typ string) []events.Event {
	var out []events.Event
	for _, ev := range e.streamEvents(account) {
		if ev.Type == typ {
			out = append(out, ev)
		}
	}
	return out
}

func TestFirstCommentFollowsThePost(t *testing.T) {
	e := newEnv(t)
	e.startWorker(e.registry(nil), nil)
	e.commented("fc-1", "#launch https://example.com/more")
	st := e.waitComment("fc-1", jobs.CommentPosted)
	if st.State != jobs.StatePublished || st.Warning != "" {
		t.Fatalf("status %+v, want published without warning", st)
	}
	got := e.sandboxComments("fc-1")
	if len(got) != 1 || got[0].Text != "#launch https://example.com/more" || got[0].ID != st.CommentID {
		t.Fatalf("sandbox comments %+v, want one with id %s", got, st.CommentID)
	}
	evs := e.ofType("acct-1", events.PostCommented)
	if len(evs) != 1 || evs[0].CommentID != st.CommentID || evs[0].PostID != "fc-1" || evs[0].RemoteID != st.RemoteID {
		t.Errorf("post.commented events %+v, want one naming comment %s", evs, st.CommentID)
	}
}

func TestPostWithoutFirstCommentHasNoCommentStep(t *testing.T) {
	e := newEnv(t)
	e.startWorker(e.registry(nil), nil)
	e.schedule(e.post("plain", time.Now()))
	st := e.waitState("plain", jobs.StatePublished, 10*time.Second)
	if st.CommentState != "" || len(e.sandboxComments("plain")) != 0 {
		t.Errorf("status %+v, comments %v: want no comment step", st, e.sandboxComments("plain"))
	}
}

// quickLooks shortens the wait before a lost comment is looked for
// again.
func quickLooks(c *jobs.WorkerConfig) { c.Comment.LookAgain = 100 * time.Millisecond }

func TestFirstCommentRetriedOnItsOwn(t *testing.T) {
	e := newEnv(t)
	e.sandbox.FailRef(sandboxtest.CommentRef("fc-2"), 2, sandboxtest.Fault{Status: 503})
	e.startWorker(e.registry(nil), quickLooks)
	e.commented("fc-2", "#retry")
	st := e.waitComment("fc-2", jobs.CommentPosted)
	if n := e.sandbox.Published("fc-2"); n != 1 {
		t.Errorf("published %d times, want 1: a comment's retry must not publish again", n)
	}
	if n := len(e.sandboxComments("fc-2")); n != 1 {
		t.Errorf("%d comments, want 1", n)
	}
	if st.Attempts != 1 {
		t.Errorf("%d publish attempts, want 1", st.Attempts)
	}
}

// The comment checkpoint: a comment whose answer was lost is found by
// reading the post's comments, not posted again.
func TestLostCommentAnswerIsNotPostedTwice(t *testing.T) {
	e := newEnv(t)
	e.sandbox.FailRef(sandboxtest.CommentRef("fc-3"), 1, sandboxtest.Fault{LoseResponse: true})
	e.startWorker(e.registry(nil), quickLooks)
	e.commented("fc-3", "#lost")
	st := e.waitComment("fc-3", jobs.CommentPosted)
	got := e.sandboxComments("fc-3")
	if len(got) != 1 {
		t.Fatalf("%d comments at the platform, want 1 (the lost answer's): %+v", len(got), got)
	}
	if got[0].ID != st.CommentID {
		t.Errorf("recorded comment %s, the platform has %s", st.CommentID, got[0].ID)
	}
}

// enqueueComment hands the worker a comment task for post id, as asynq
// does when it redelivers one.
func (e *env) enqueueComment(id, taskID string) {
	e.t.Helper()
	body, _ := json.Marshal(map[string]string{"post_id": id})
	q := asynq.NewClientFromRedisClient(e.rdb)
	if _, err := q.Enqueue(asynq.NewTask(jobs.TypeComment, body), asynq.TaskID(taskID), asynq.Queue(jobs.QueuePublish)); err != nil {
		e.t.Fatal(err)
	}
}

// A comment task that runs again after the comment was posted (asynq
// redelivers; a second task) comments no more.
func TestCommentedPostIsNotCommentedAgain(t *testing.T) {
	e := newEnv(t)
	e.startWorker(e.registry(nil), nil)
	e.commented("fc-4", "#once")
	e.waitComment("fc-4", jobs.CommentPosted)
	e.enqueueComment("fc-4", "again-1")
	eventually.True(t, 10*time.Second, func() bool {
		info, err := e.insp.GetTaskInfo(jobs.QueuePublish, "again-1")
		return errors.Is(err, asynq.ErrTaskNotFound) || err == nil && info.State == asynq.TaskStateCompleted
	}, "the second comment task ran")
	if n := len(e.sandboxComments("fc-4")); n != 1 {
		t.Fatalf("%d comments, want 1", n)
	}
	if n := len(e.ofType("acct-1", events.PostCommented)); n != 1 {
		t.Errorf("%d post.commented, want 1", n)
	}
}

func TestFailedCommentLeavesThePostPublished(t *testing.T) {
	e := newEnv(t)
	e.sandbox.FailRef(sandboxtest.CommentRef("fc-5"), -1, sandboxtest.Fault{Status: 422, Message: "comments are off on this post"})
	e.startWorker(e.registry(nil), nil)
	e.commented("fc-5", "#nope")
	st := e.waitComment("fc-5", jobs.CommentFailed)
	if st.State != jobs.StatePublished || !strings.Contains(st.Warning, "comments are off") || st.RemoteID == "" {
		t.Fatalf("status %+v, want published with a warning naming the platform's reason", st)
	}
	evs := e.ofType("acct-1", events.PostCommentFailed)
	if len(evs) != 1 || evs[0].Class != "permanent" || !strings.Contains(evs[0].Reason, "comments are off") {
		t.Errorf("post.comment_failed events %+v", evs)
	}
	if n := e.sandbox.Published("fc-5"); n != 1 {
		t.Errorf("published %d times, want 1", n)
	}
}

// A publish task that runs again after its post was published (its
// worker died before queueing the first comment) queues the comment.
func TestRedeliveredPublishTaskQueuesAPendingComment(t *testing.T) {
	e := newEnv(t)
	wrap := func(p publishers.Publisher) publishers.Publisher { return noComments{p} }
	stop := e.startWorker(e.registry(wrap), nil)
	e.commented("fc-6", "#later")
	e.waitState("fc-6", jobs.StatePublished, 10*time.Second)
	st := e.waitComment("fc-6", jobs.CommentFailed) // that worker's publisher cannot comment
	stop()
	// As if the comment had never been queued: pending, no task.
	e.rdb.HSet(context.Background(), "herald:{post:fc-6}", "cm_state", jobs.CommentPending, "warning", "")
	_ = e.insp.DeleteTask(jobs.QueuePublish, "comment:fc-6")
	e.startWorker(e.registry(nil), nil)
	q := asynq.NewClientFromRedisClient(e.rdb)
	body, _ := json.Marshal(map[string]any{"post_id": "fc-6", "account_id": "acct-1", "platform": "sandbox"})
	if _, err := q.Enqueue(asynq.NewTask(jobs.TypePublish, body), asynq.TaskID("publish:fc-6"), asynq.Queue(jobs.QueuePublish)); err != nil {
		t.Fatal(err)
	}
	st = e.waitComment("fc-6", jobs.CommentPosted)
	if n := len(e.sandboxComments("fc-6")); n != 1 || st.Attempts != 1 {
		t.Errorf("%d comments, %d attempts; want 1 and 1", n, st.Attempts)
	}
}

// noComments hides the publisher's Commenter.
type noComments struct{ publishers.Publisher }

func TestFirstCommentCheckedAtScheduling(t *testing.T) {
	e := newEnv(t)
	c := jobs.NewClient(e.rdb, jobs.WithCapabilities(map[string]publishers.Capabilities{
		"sandbox": {CommentLimit: 10}, "tiktok": {},
	}))
	cases := []struct {
		name, platform, comment, want string
	}{
		{"tiktok takes none", "tiktok", "#fyp", "tiktok takes no first comment"},
		{"over the platform's limit", "sandbox", "0123456789x", "sandbox takes at most 10"},
		{"white space", "sandbox", "  \n", "only white space"},
		{"over every platform's limit", "sandbox", strings.Repeat("x", jobs.MaxCommentLen+1), "at most 10000"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := e.post("v-"+tc.platform, time.Now().Add(time.Hour))
			p.Platform, p.Content.FirstComment = tc.platform, tc.comment
			_, err := c.SchedulePost(context.Background(), p)
			var fe *jobs.FieldError
			if !errors.As(err, &fe) || fe.Field != "content.first_comment" || !strings.Contains(fe.Problem, tc.want) {
				t.Fatalf("err = %v, want content.first_comment: %q", err, tc.want)
			}
		})
	}
	p := e.post("ok", time.Now().Add(time.Hour))
	p.Content.FirstComment = "#fine"
	if _, err := c.SchedulePost(context.Background(), p); err != nil {
		t.Fatal(err)
	}
}
