package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/publisherstest"
)

// lookFails is a platform whose looks (ResolveOnly) fail transiently.
type lookFails struct{ *publisherstest.Platform }

func (p lookFails) Publish(ctx context.Context, req publishers.Request) (publishers.Result, error) {
	if req.ResolveOnly {
		return publishers.Result{}, publishers.Transient(errors.New("look: 503 from the platform"))
	}
	return p.Platform.Publish(ctx, req)
}

// failAt is a platform whose step fails with err on every attempt.
func failAt(step string, err error) *publisherstest.Platform {
	return &publisherstest.Platform{Hook: func(_ context.Context, s string, req publishers.Request) error {
		if s == step && !req.ResolveOnly {
			return err
		}
		return nil
	}}
}

// TestLastTryLooksBeforeFailing: a post's retries run out (MaxRetry 0:
// the first try is the last) while the platform may have the post.
// The post is never failed without a last look where one can happen:
// published when the platform has it, failed with the try's own class
// when it has none, outcome_unknown when the look cannot tell. Failed
// posts end as any: post.failed with the reason, the lock released, the
// record's expiry set, the task archived.
func TestLastTryLooksBeforeFailing(t *testing.T) {
	lost := publishers.Transient(fmt.Errorf("answer lost: %w", publishers.ErrOutcomeUnknown))
	for _, tc := range []struct {
		name     string
		platform func() (publishers.Publisher, *publisherstest.Platform)
		state    jobs.State
		class    string
		reason   []string // substrings of the reason
		posts    int
	}{
		{"lost answer, the platform has the post", func() (publishers.Publisher, *publisherstest.Platform) {
			p := lostAnswers()
			return p, p
		}, jobs.StatePublished, "", nil, 1},
		// The guard's case: the platform took the post but the try
		// failed as an ordinary transient error after it.
		{"an error after the platform took the post", func() (publishers.Publisher, *publisherstest.Platform) {
			p := failAt(publisherstest.StepPublished, publishers.Transient(errors.New("502 after the commit")))
			return p, p
		}, jobs.StatePublished, "", nil, 1},
		{"lost answer before the post was made", func() (publishers.Publisher, *publisherstest.Platform) {
			p := failAt(publisherstest.StepPublish, lost)
			return p, p
		}, jobs.StateFailed, "transient", []string{"retries exhausted: ", "answer lost", "a last look found no post"}, 0},
		{"a draft, then a transient error", func() (publishers.Publisher, *publisherstest.Platform) {
			p := failAt(publisherstest.StepPublish, publishers.Transient(errors.New("platform down")))
			return p, p
		}, jobs.StateFailed, "transient", []string{"retries exhausted: ", "platform down", "a last look found no post"}, 0},
		{"the look fails", func() (publishers.Publisher, *publisherstest.Platform) {
			p := lostAnswers()
			return lookFails{p}, p
		}, jobs.StateFailed, jobs.ClassOutcomeUnknown, []string{"retries exhausted: ", "answer lost", "could not be learned", "look: 503"}, 1},
		{"the platform cannot look", func() (publishers.Publisher, *publisherstest.Platform) {
			p := lostAnswers()
			return notResolver{p}, p
		}, jobs.StateFailed, jobs.ClassOutcomeUnknown, []string{"retries exhausted: ", "could not be learned", "cannot look"}, 1},
		{"nothing sent", func() (publishers.Publisher, *publisherstest.Platform) {
			p := failAt(publisherstest.StepCreate, publishers.Transient(errors.New("platform down")))
			return p, p
		}, jobs.StateFailed, "transient", []string{"retries exhausted: ", "platform down"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.client = jobs.NewClient(e.rdb, jobs.WithMaxRetry(0))
			pub, platform := tc.platform()
			reg := publishers.NewRegistry()
			reg.Register("sandbox", pub)
			e.startWorker(reg, nil)
			e.schedule(e.post("p", time.Now()))

			st := e.waitState("p", tc.state, 10*time.Second)
			if n := len(platform.Posts("p")); n != tc.posts {
				t.Errorf("the platform has %d posts, want %d", n, tc.posts)
			}
			failed := e.events("p")[events.PostFailed]
			if tc.state == jobs.StatePublished {
				if len(failed) != 0 || st.RemoteID == "" {
					t.Errorf("published %q with post.failed %v", st.RemoteID, failed)
				}
				return
			}
			if st.FailureClass != tc.class {
				t.Errorf("class %q, want %q (reason %q)", st.FailureClass, tc.class, st.Reason)
			}
			for _, want := range tc.reason {
				if !strings.Contains(st.Reason, want) {
					t.Errorf("reason %q lacks %q", st.Reason, want)
				}
			}
			if tc.class != jobs.ClassOutcomeUnknown && strings.Contains(st.Reason, "could not be learned") {
				t.Errorf("reason %q", st.Reason)
			}
			if len(failed) != 1 || failed[0]["reason"] != st.Reason || failed[0]["class"] != tc.class {
				t.Errorf("post.failed events %v", failed)
			}
			ctx := context.Background()
			if owner := e.rdb.HGet(ctx, "herald:{post:p}", "lock_owner").Val(); owner != "" {
				t.Errorf("lock still held by %q", owner)
			}
			if d := e.rdb.PTTL(ctx, "herald:{post:p}").Val(); d <= 0 {
				t.Errorf("record TTL %v, want the retention", d)
			}
			within(t, "task archived", func() bool {
				info := e.taskInfo("p")
				return info != nil && info.State.String() == "archived"
			})
		})
	}
}

// reconcileSlowRetries: failed attempts are retried an hour later, and
// the reconciler runs every 50ms.
func reconcileSlowRetries(c *jobs.WorkerConfig) {
	slowRetries(c)
	reconcileFast(c)
}

// TestReconcilerLooksBeforeFailingArchivedPosts: a post the platform may
// have whose task asynq archived is not failed as archived blindly: the
// reconciler enqueues it again for a look only, which ends it published
// when the platform has it (never posting again) and failed, class
// archived, when it has none.
func TestReconcilerLooksBeforeFailingArchivedPosts(t *testing.T) {
	for _, tc := range []struct {
		name     string
		platform *publisherstest.Platform
		before   jobs.State // after the first attempt
		want     jobs.State
		posts    int
	}{
		{"unknown, the platform has it", lostAnswers(), jobs.StateUnknown, jobs.StatePublished, 1},
		{"a checkpoint, the platform has none", failAt(publisherstest.StepPublish, publishers.Transient(errors.New("platform down"))), jobs.StateScheduled, jobs.StateFailed, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			reg := publishers.NewRegistry()
			reg.Register("sandbox", tc.platform)
			e.startWorker(reg, reconcileSlowRetries)
			e.schedule(e.post("p", time.Now()))
			within(t, "first attempt failed", func() bool { st := e.status("p"); return st.State == tc.before && st.Attempts == 1 })
			e.loseTask(t, "publish:p", true)

			st := e.waitState("p", tc.want, 20*time.Second)
			if n := len(tc.platform.Posts("p")); n != tc.posts {
				t.Errorf("the platform has %d posts, want %d", n, tc.posts)
			}
			if tc.want == jobs.StateFailed {
				if st.FailureClass != jobs.ClassArchived || !strings.Contains(st.Reason, "a last look found no post") {
					t.Errorf("failure %q %q, want archived after a last look", st.FailureClass, st.Reason)
				}
				if n := len(e.events("p")[events.PostFailed]); n != 1 {
					t.Errorf("%d post.failed events", n)
				}
			}
		})
	}
}

// TestReconcilerFailsAnArchivedLastLook: a post already given its last
// look whose task is archived again ends outcome_unknown: the reconciler
// does not enqueue it for ever.
func TestReconcilerFailsAnArchivedLastLook(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.schedule(e.post("p", time.Now().Add(time.Hour)))
	if err := e.insp.ArchiveTask(jobs.QueuePublish, "publish:p"); err != nil {
		t.Fatal(err)
	}
	if err := e.rdb.HSet(ctx, "herald:{post:p}", "state", "unknown", "cp:draft", "d1", "last_look", "archived:task archived").Err(); err != nil {
		t.Fatal(err)
	}
	e.startWorker(e.registry(nil), reconcileFast)

	st := e.waitState("p", jobs.StateFailed, 20*time.Second)
	if st.FailureClass != jobs.ClassOutcomeUnknown || !strings.Contains(st.Reason, "could not be learned") {
		t.Errorf("failure %q %q, want outcome_unknown", st.FailureClass, st.Reason)
	}
	if n := len(e.events("p")[events.PostFailed]); n != 1 {
		t.Errorf("%d post.failed events", n)
	}
}
