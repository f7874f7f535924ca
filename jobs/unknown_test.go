package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/internal/eventually"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/publisherstest"
)

// slowRetries keeps a failed attempt's retry an hour away: what happens
// next is the cancel's doing.
func slowRetries(c *jobs.WorkerConfig) {
	c.Retry = jobs.RetryPolicy{Base: time.Hour, Cap: time.Hour}
}

// within waits up to 10 s for cond.
func within(t *testing.T, what string, cond func() bool) {
	t.Helper()
	eventually.True(t, 10*time.Second, cond, "%s", what)
}

// eventsInOrder waits until post id's events include want in order (a
// post's final state is written before some of its events are appended)
// and returns them.
func (e *env) eventsInOrder(t *testing.T, id string, want ...string) []string {
	t.Helper()
	var types []string
	eventually.True(t, 10*time.Second, func() bool {
		types = e.postEventTypes(id)
		return inOrder(types, want...)
	}, "events of %s in order %v; have %v", id, want, types)
	return types
}

// postEventTypes returns the stream's events about post id, by type.
func (e *env) postEventTypes(id string) []string {
	var types []string
	for _, ev := range e.streamEvents("acct-1") {
		if ev.PostID == id {
			types = append(types, ev.Type)
		}
	}
	return types
}

// inOrder reports whether want appear in got in this order.
func inOrder(got []string, want ...string) bool {
	i := 0
	for _, g := range got {
		if i < len(want) && g == want[i] {
			i++
		}
	}
	return i == len(want)
}

// TestLostAnswerThenCancelEndsPublished: the platform took the post but
// its answer was lost; the app cancels. The record must not say canceled:
// the next attempt only looks, finds the post, and the app hears
// post.published and post.cancel_failed.
func TestLostAnswerThenCancelEndsPublished(t *testing.T) {
	e := newEnv(t)
	var attempts atomic.Int32
	platform := &publisherstest.Platform{Hook: func(_ context.Context, step string, req publishers.Request) error {
		switch {
		case req.ResolveOnly:
			t.Error("a look reached a step that sends")
		case step == publisherstest.StepCreate:
			attempts.Add(1)
		case step == publisherstest.StepPublished && attempts.Load() == 1:
			return publishers.Transient(fmt.Errorf("answer lost: %w", publishers.ErrOutcomeUnknown))
		case step == publisherstest.StepPublish && req.Attempt > 1:
			t.Error("an attempt after the lost answer sent the post again")
		}
		return nil
	}}
	reg := publishers.NewRegistry()
	reg.Register("sandbox", platform)
	e.startWorker(reg, slowRetries)
	e.schedule(e.post("lost", time.Now()))
	e.waitState("lost", jobs.StateUnknown, 10*time.Second)

	st, err := e.client.CancelPost(context.Background(), "lost")
	if err != nil {
		t.Fatalf("CancelPost: %v", err)
	}
	if st.State != jobs.StateCancelRequested {
		t.Fatalf("after the cancel the post is %s, want cancel_requested (the platform may have it)", st.State)
	}
	st = e.waitState("lost", jobs.StatePublished, 10*time.Second)
	posts := platform.Posts("lost")
	if len(posts) != 1 || st.RemoteID != posts[0] {
		t.Errorf("platform has %v, record says %q", posts, st.RemoteID)
	}
	types := e.eventsInOrder(t, "lost", events.PostUnknown, events.PostCancelRequested, events.PostPublished, events.PostCancelFailed)
	if slices.Contains(types, events.PostCanceled) {
		t.Errorf("post.canceled for a post the platform has: %v", types)
	}
}

// TestCancelAfterADraftEndsCanceled: an attempt left a draft (a
// checkpoint) but no post; the cancel waits for the look, which finds
// nothing, and the post ends canceled.
func TestCancelAfterADraftEndsCanceled(t *testing.T) {
	e := newEnv(t)
	platform := &publisherstest.Platform{Hook: func(_ context.Context, step string, req publishers.Request) error {
		if req.ResolveOnly {
			t.Error("a look reached a step that sends")
		}
		if step == publisherstest.StepPublish {
			return publishers.Transient(fmt.Errorf("platform down"))
		}
		return nil
	}}
	reg := publishers.NewRegistry()
	reg.Register("sandbox", platform)
	e.startWorker(reg, slowRetries)
	e.schedule(e.post("draft", time.Now()))
	within(t, "first attempt failed", func() bool { st := e.status("draft"); return st.State == jobs.StateScheduled && st.Attempts == 1 })

	st, err := e.client.CancelPost(context.Background(), "draft")
	if err != nil || st.State != jobs.StateCancelRequested {
		t.Fatalf("CancelPost = %s, %v; want cancel_requested", st.State, err)
	}
	e.waitState("draft", jobs.StateCanceled, 10*time.Second)
	if posts := platform.Posts("draft"); len(posts) != 0 {
		t.Errorf("posted: %v", posts)
	}
	e.eventsInOrder(t, "draft", events.PostCancelRequested, events.PostCanceled)
}

// TestCancelBeforeAnythingSentIsCanceled: no checkpoint, nothing sent:
// the cancel is immediate.
func TestCancelBeforeAnythingSentIsCanceled(t *testing.T) {
	e := newEnv(t)
	platform := &publisherstest.Platform{Hook: func(_ context.Context, step string, req publishers.Request) error {
		if step == publisherstest.StepCreate {
			return publishers.Transient(fmt.Errorf("platform down"))
		}
		return nil
	}}
	reg := publishers.NewRegistry()
	reg.Register("sandbox", platform)
	e.startWorker(reg, slowRetries)
	e.schedule(e.post("early", time.Now()))
	within(t, "first attempt failed", func() bool { return e.status("early").Attempts == 1 && e.status("early").State == jobs.StateScheduled })
	st, err := e.client.CancelPost(context.Background(), "early")
	if err != nil || st.State != jobs.StateCanceled {
		t.Fatalf("CancelPost = %s, %v; want canceled", st.State, err)
	}
}

// TestDisconnectWhilePlatformTakesThePost: Disconnect arrives while the
// platform is taking the post (the answer is on its way back). The post
// ends published with post.cancel_failed, not canceled.
func TestDisconnectWhilePlatformTakesThePost(t *testing.T) {
	e := newVaultEnv(t)
	e.connect("acct-1", time.Now().Add(time.Hour))
	reached, release := make(chan struct{}), make(chan struct{})
	platform := &publisherstest.Platform{Hook: func(_ context.Context, step string, _ publishers.Request) error {
		if step == publisherstest.StepPublished {
			close(reached)
			<-release // the answer is late, and does not heed cancellation
		}
		return nil
	}}
	reg := publishers.NewRegistry()
	reg.Register("sandbox", platform)
	e.env.startWorker(reg, func(c *jobs.WorkerConfig) { c.Tokens = e.vault })
	e.schedule(e.post("live", time.Now()))
	<-reached

	done := make(chan error, 1)
	go func() { done <- e.vault.Disconnect(context.Background(), "acct-1") }()
	within(t, "cancel requested", func() bool { return e.status("live").State == jobs.StateCancelRequested })
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("Disconnect: %v", err)
	}
	st := e.status("live")
	if st.State != jobs.StatePublished || len(platform.Posts("live")) != 1 {
		t.Fatalf("post %s, platform has %v; want published", st.State, platform.Posts("live"))
	}
	e.env.eventsInOrder(t, "live", events.PostCancelRequested, events.PostPublished, events.PostCancelFailed)
}

// lostAnswers is a platform whose answers to publishing are always lost.
func lostAnswers() *publisherstest.Platform {
	return &publisherstest.Platform{Hook: func(_ context.Context, step string, req publishers.Request) error {
		if step == publisherstest.StepPublished {
			return publishers.Transient(fmt.Errorf("answer lost: %w", publishers.ErrOutcomeUnknown))
		}
		return nil
	}}
}

// TestUnknownOutcomeOnTheLastTryIsNotFailed: retries running out on an
// unknown outcome do not fail the post blindly (the platform may show
// it) nor leave it unknown for ever: the last try looks, finds the post,
// and ends it published, once.
func TestUnknownOutcomeOnTheLastTryIsNotFailed(t *testing.T) {
	e := newEnv(t)
	e.client = jobs.NewClient(e.rdb, jobs.WithMaxRetry(0))
	platform := lostAnswers()
	reg := publishers.NewRegistry()
	reg.Register("sandbox", platform)
	e.startWorker(reg, nil)
	e.schedule(e.post("last", time.Now()))
	st := e.waitState("last", jobs.StatePublished, 10*time.Second)
	if posts := platform.Posts("last"); len(posts) != 1 || st.RemoteID != posts[0] {
		t.Errorf("platform has %v, record says %q", posts, st.RemoteID)
	}
	if types := e.postEventTypes("last"); slices.Contains(types, events.PostFailed) {
		t.Errorf("post.failed for a post the platform has: %v", types)
	}
}

// notResolver hides a publisher's Resolver side, as a platform publisher
// that cannot look without posting.
type notResolver struct{ publishers.Publisher }

// TestCancelOfAnUnknownPostOnAPlatformThatCannotLook: the publisher
// cannot look a post up without posting it, so no attempt may run for
// the canceled post: it ends failed, class outcome_unknown (the app is
// told, with post.failed, to check the platform), its task is archived,
// and the platform gets nothing more.
func TestCancelOfAnUnknownPostOnAPlatformThatCannotLook(t *testing.T) {
	e := newEnv(t)
	platform := lostAnswers()
	reg := publishers.NewRegistry()
	reg.Register("sandbox", notResolver{platform})
	e.startWorker(reg, slowRetries)
	e.schedule(e.post("blind", time.Now()))
	e.waitState("blind", jobs.StateUnknown, 10*time.Second)
	if _, err := e.client.CancelPost(context.Background(), "blind"); err != nil {
		t.Fatal(err)
	}
	within(t, "task archived", func() bool {
		info := e.taskInfo("blind")
		return info != nil && info.State.String() == "archived"
	})
	if st := e.status("blind"); st.State != jobs.StateFailed || st.FailureClass != jobs.ClassOutcomeUnknown {
		t.Errorf("state %s (%s), want failed (outcome_unknown)", st.State, st.FailureClass)
	}
	e.eventsInOrder(t, "blind", events.PostCancelRequested, events.PostFailed)
	if posts := platform.Posts("blind"); len(posts) != 1 {
		t.Errorf("platform has %v, want the one post", posts)
	}
}

// TestCancelOfAnUnknownPostWithNothingSent: an outcome unknown before any
// checkpoint means nothing was sent: the cancel ends canceled without
// asking the platform, even one whose publisher cannot look.
func TestCancelOfAnUnknownPostWithNothingSent(t *testing.T) {
	e := newEnv(t)
	platform := &publisherstest.Platform{Hook: func(_ context.Context, step string, req publishers.Request) error {
		if step == publisherstest.StepCreate {
			return publishers.Transient(fmt.Errorf("no answer: %w", publishers.ErrOutcomeUnknown))
		}
		return nil
	}}
	reg := publishers.NewRegistry()
	reg.Register("sandbox", notResolver{platform})
	e.startWorker(reg, slowRetries)
	e.schedule(e.post("none", time.Now()))
	e.waitState("none", jobs.StateUnknown, 10*time.Second)
	if _, err := e.client.CancelPost(context.Background(), "none"); err != nil {
		t.Fatal(err)
	}
	e.waitState("none", jobs.StateCanceled, 10*time.Second)
	e.eventsInOrder(t, "none", events.PostUnknown, events.PostCancelRequested, events.PostCanceled)
}

// TestReconcilerEnqueuesLostTaskOfUnsettledPosts: an unknown or
// cancel_requested post whose task is gone gets one again: its next
// attempt learns the outcome.
func TestReconcilerEnqueuesLostTaskOfUnsettledPosts(t *testing.T) {
	for _, tc := range []struct {
		state jobs.State
		want  jobs.State
	}{
		{jobs.StateUnknown, jobs.StatePublished},
		{jobs.StateCancelRequested, jobs.StateCanceled},
	} {
		t.Run(string(tc.state), func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			e.schedule(e.post("lost", time.Now()))
			if err := e.insp.DeleteTask(jobs.QueuePublish, "publish:lost"); err != nil {
				t.Fatal(err)
			}
			if err := e.rdb.HSet(ctx, "herald:{post:lost}", "state", string(tc.state)).Err(); err != nil {
				t.Fatal(err)
			}
			e.startWorker(e.registry(nil), reconcileFast)
			e.waitState("lost", tc.want, 20*time.Second)
		})
	}
}

// TestUnsettledPostsCannotMove: an unknown post (the platform may have
// it) or a cancel_requested one cannot be rescheduled or edited, and its
// task stays for the attempt that learns the outcome.
func TestUnsettledPostsCannotMove(t *testing.T) {
	for _, tc := range []struct {
		state jobs.State
		want  error
	}{
		{jobs.StateUnknown, jobs.ErrStarted},
		{jobs.StateCancelRequested, jobs.ErrFinal},
	} {
		t.Run(string(tc.state), func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			p := e.post("stuck", time.Now().Add(time.Hour))
			e.schedule(p)
			if err := e.rdb.HSet(ctx, "herald:{post:stuck}", "state", string(tc.state)).Err(); err != nil {
				t.Fatal(err)
			}
			if _, err := e.client.ReschedulePost(ctx, "stuck", time.Now().Add(2*time.Hour)); !errors.Is(err, tc.want) {
				t.Errorf("ReschedulePost: %v, want %v", err, tc.want)
			}
			c := p.Content
			c.Text = "edited"
			if _, err := e.client.EditPost(ctx, "stuck", jobs.Edit{Content: &c}); !errors.Is(err, tc.want) {
				t.Errorf("EditPost: %v, want %v", err, tc.want)
			}
			if e.taskInfo("stuck") == nil {
				t.Error("the post's task is gone")
			}
		})
	}
}

// TestCancelDuringAPermanentFailure: the post is canceled (after its
// draft) while its attempt fails for good. The failure is not recorded
// over the cancel request, nor left there: the next attempt looks and
// ends the post canceled.
func TestCancelDuringAPermanentFailure(t *testing.T) {
	e := newEnv(t)
	platform := &publisherstest.Platform{Hook: func(_ context.Context, step string, req publishers.Request) error {
		if step == publisherstest.StepPublish && !req.ResolveOnly {
			if _, err := e.client.CancelPost(context.Background(), req.PostID); err != nil {
				t.Errorf("CancelPost: %v", err)
			}
			return publishers.Permanent(fmt.Errorf("refused"))
		}
		return nil
	}}
	reg := publishers.NewRegistry()
	reg.Register("sandbox", platform)
	e.startWorker(reg, slowRetries)
	e.schedule(e.post("refused", time.Now()))
	e.waitState("refused", jobs.StateCanceled, 10*time.Second)
	if types := e.postEventTypes("refused"); slices.Contains(types, events.PostFailed) {
		t.Errorf("events %v", types)
	}
}

// TestCancelDuringATransientFailure: the post is canceled (after its
// draft) while its attempt fails transiently; the next attempt looks at
// once, not after the retry's backoff, and ends the post canceled.
func TestCancelDuringATransientFailure(t *testing.T) {
	e := newEnv(t)
	platform := &publisherstest.Platform{Hook: func(_ context.Context, step string, req publishers.Request) error {
		if step == publisherstest.StepPublish && !req.ResolveOnly {
			if _, err := e.client.CancelPost(context.Background(), req.PostID); err != nil {
				t.Errorf("CancelPost: %v", err)
			}
			return publishers.Transient(fmt.Errorf("platform down"))
		}
		return nil
	}}
	reg := publishers.NewRegistry()
	reg.Register("sandbox", platform)
	e.startWorker(reg, slowRetries)
	e.schedule(e.post("down", time.Now()))
	e.waitState("down", jobs.StateCanceled, 10*time.Second)
	if types := e.postEventTypes("down"); slices.Contains(types, events.PostFailed) {
		t.Errorf("events %v", types)
	}
}
