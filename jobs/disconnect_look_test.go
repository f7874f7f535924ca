package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/internal/eventually"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/publisherstest"
)

// looker is the publisherstest platform whose looks (ResolveOnly
// requests) a test can make fail, and which records the token each look
// was given.
type looker struct {
	*publisherstest.Platform
	look func(req publishers.Request) error // nil: the platform looks

	mu     sync.Mutex
	tokens []string // access tokens the looks were given
}

func (l *looker) Publish(ctx context.Context, req publishers.Request) (publishers.Result, error) {
	if req.ResolveOnly {
		l.mu.Lock()
		if req.Token != nil {
			l.tokens = append(l.tokens, req.Token.AccessToken)
		}
		l.mu.Unlock()
		if l.look != nil {
			if err := l.look(req); err != nil {
				return publishers.Result{}, err
			}
		}
	}
	return l.Platform.Publish(ctx, req)
}

func (l *looker) lookTokens() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.tokens)
}

// lostAt is a platform whose first attempt at each post loses its answer
// at step: after the post was made (StepPublished) or before
// (StepPublish, a draft only). Later attempts that are not looks fail
// the test: nothing may be sent again.
func lostAt(t *testing.T, step string) *looker {
	t.Helper()
	return &looker{Platform: &publisherstest.Platform{Hook: func(_ context.Context, s string, req publishers.Request) error {
		if req.Attempt > 1 {
			t.Errorf("attempt %d at %s sent %s", req.Attempt, req.PostID, s)
			return publishers.Permanent(errors.New("sent again"))
		}
		if s == step {
			return publishers.Transient(fmt.Errorf("answer lost: %w", publishers.ErrOutcomeUnknown))
		}
		return nil
	}}}
}

// workerOn starts a worker serving only queue, with the Vault and the
// test's LookWindow (0: the default).
func (e *vaultEnv) workerOn(p publishers.Publisher, queue string, window time.Duration) (stop func()) {
	reg := publishers.NewRegistry()
	reg.Register("sandbox", p)
	return e.env.startWorker(reg, func(c *jobs.WorkerConfig) {
		slowRetries(c)
		c.Tokens, c.Sealer = e.vault, e.keys
		c.Queues = map[string]int{queue: 1}
		c.LookWindow = window
		c.Reconcile.Disabled, c.Recover.Disabled = true, true
	})
}

// revokeRan waits until the account's revoke task has run once: done
// (gone) or held (snoozed, waiting in retry).
func (e *vaultEnv) revokeRan(account string) {
	e.t.Helper()
	eventually.True(e.t, 10*time.Second, func() bool {
		info, err := e.insp.GetTaskInfo(jobs.QueueCritical, "revoke:"+account)
		if errors.Is(err, asynq.ErrTaskNotFound) {
			return true
		}
		return err == nil && info.State == asynq.TaskStateRetry
	}, "revoke task of %s ran", account)
}

func (e *vaultEnv) tokenKept(account string) bool {
	return e.rdb.Exists(context.Background(), "herald:{acct:"+account+"}:revoke").Val() == 1
}

// TestDisconnectLooksBeforeTheTokenGoes: the account of a post whose
// answer was lost (unknown, no attempt running) is disconnected. The
// revocation waits for the look, which uses the token kept for it: the
// post ends published (with post.cancel_failed) if the platform has it,
// canceled if not; then the token is revoked and deleted. The revoke
// worker runs before the publish worker, so without the wait the token
// would be gone before the look.
func TestDisconnectLooksBeforeTheTokenGoes(t *testing.T) {
	for _, tc := range []struct {
		name, step string
		want       jobs.State
		posts      int
		events     []string
	}{
		{"on the platform", publisherstest.StepPublished, jobs.StatePublished, 1,
			[]string{events.PostUnknown, events.PostCancelRequested, events.PostPublished, events.PostCancelFailed}},
		{"not on the platform", publisherstest.StepPublish, jobs.StateCanceled, 0,
			[]string{events.PostUnknown, events.PostCancelRequested, events.PostCanceled}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newVaultEnv(t)
			tok := e.connect("acct-1", time.Now().Add(time.Hour))
			platform := lostAt(t, tc.step)
			stop := e.workerOn(platform, jobs.QueuePublish, 0)
			e.schedule(e.post("lost", time.Now()))
			e.waitState("lost", jobs.StateUnknown, 10*time.Second)
			stop()

			if err := e.vault.Disconnect(context.Background(), "acct-1"); err != nil {
				t.Fatalf("Disconnect: %v", err)
			}
			if _, err := e.vault.Token(context.Background(), "acct-1", ""); err == nil {
				t.Error("the token is readable after Disconnect")
			}
			e.workerOn(platform, jobs.QueueCritical, 0)
			e.revokeRan("acct-1")
			e.workerOn(platform, jobs.QueuePublish, 0)

			st := e.waitState("lost", tc.want, 15*time.Second)
			if posts := platform.Posts("lost"); len(posts) != tc.posts || (tc.posts == 1 && st.RemoteID != posts[0]) {
				t.Errorf("platform has %v, record says %s %q", posts, st.State, st.RemoteID)
			}
			if got := platform.lookTokens(); len(got) == 0 || got[0] != tok.AccessToken {
				t.Errorf("looks were given tokens %v, want the disconnected account's", len(got))
			}
			if types := e.env.eventsInOrder(t, "lost", tc.events...); slices.Contains(types, events.PostFailed) {
				t.Errorf("events %v", types)
			}
			within(t, "token revoked and deleted after the look", func() bool {
				return !e.tokenKept("acct-1") && e.oauth.Revoked(tok.RefreshToken)
			})
		})
	}
}

// TestLookThatCannotHappenEndsOutcomeUnknown: the disconnected account's
// post cannot be looked at: the token is gone (the look window had
// passed when the look came), or the platform refuses it. The post ends
// failed, class outcome_unknown, with post.failed: never
// cancel_requested for ever, never canceled.
func TestLookThatCannotHappenEndsOutcomeUnknown(t *testing.T) {
	for _, tc := range []struct {
		name   string
		window time.Duration
		look   func(publishers.Request) error
		reason string
	}{
		{"token gone", time.Nanosecond, nil, "not connected"},
		{"token refused", 0, func(publishers.Request) error {
			return publishers.Reauth(errors.New("platform: 401 invalid_token"))
		}, "401 invalid_token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newVaultEnv(t)
			e.connect("acct-1", time.Now().Add(time.Hour))
			platform := lostAt(t, publisherstest.StepPublished)
			platform.look = tc.look
			stop := e.workerOn(platform, jobs.QueuePublish, 0)
			e.schedule(e.post("blind", time.Now()))
			e.waitState("blind", jobs.StateUnknown, 10*time.Second)
			stop()

			if err := e.vault.Disconnect(context.Background(), "acct-1"); err != nil {
				t.Fatalf("Disconnect: %v", err)
			}
			e.workerOn(platform, jobs.QueueCritical, tc.window)
			e.revokeRan("acct-1")
			e.workerOn(platform, jobs.QueuePublish, tc.window)

			st := e.waitState("blind", jobs.StateFailed, 15*time.Second)
			if st.FailureClass != jobs.ClassOutcomeUnknown || !strings.Contains(st.Reason, "could not be learned") || !strings.Contains(st.Reason, tc.reason) {
				t.Errorf("failed %s: %q", st.FailureClass, st.Reason)
			}
			var failed *events.Event
			for _, ev := range e.streamEvents("acct-1") {
				if ev.PostID == "blind" && ev.Type == events.PostFailed {
					failed = &ev
				}
			}
			if failed == nil || failed.Class != jobs.ClassOutcomeUnknown || failed.Reason != st.Reason {
				t.Errorf("post.failed %+v", failed)
			}
			if types := e.postEventTypes("blind"); slices.Contains(types, events.PostCanceled) {
				t.Errorf("canceled although the platform may have it: %v", types)
			}
			if posts := platform.Posts("blind"); len(posts) != 1 {
				t.Errorf("platform has %v", posts)
			}
			within(t, "token deleted", func() bool { return !e.tokenKept("acct-1") })
		})
	}
}

// TestRevocationWaitsAtMostTheLookWindow: the look keeps failing
// (transiently); the token is revoked once the window has passed
// nonetheless, and the post then ends failed, outcome_unknown.
func TestRevocationWaitsAtMostTheLookWindow(t *testing.T) {
	e := newVaultEnv(t)
	e.connect("acct-1", time.Now().Add(time.Hour))
	platform := lostAt(t, publisherstest.StepPublished)
	stop := e.workerOn(platform, jobs.QueuePublish, 0)
	// Retries enough for the looks to outlast the window.
	if _, err := jobs.NewClient(e.rdb, jobs.WithMaxRetry(500)).SchedulePost(context.Background(), e.post("slow", time.Now())); err != nil {
		t.Fatal(err)
	}
	e.waitState("slow", jobs.StateUnknown, 10*time.Second)
	stop()

	platform.look = func(publishers.Request) error { return publishers.Transient(errors.New("platform: 503")) }
	reg := publishers.NewRegistry()
	reg.Register("sandbox", platform)
	e.env.startWorker(reg, func(c *jobs.WorkerConfig) {
		c.Tokens, c.Sealer = e.vault, e.keys
		c.Retry = jobs.RetryPolicy{Base: 50 * time.Millisecond, Cap: 50 * time.Millisecond}
		c.LookWindow = 2 * time.Second
	})
	disconnected := time.Now()
	if err := e.vault.Disconnect(context.Background(), "acct-1"); err != nil {
		t.Fatalf("Disconnect: %v", err)
	}
	if st := e.status("slow"); st.State != jobs.StateCancelRequested {
		t.Fatalf("after Disconnect: %s", st.State)
	}
	within(t, "token deleted", func() bool { return !e.tokenKept("acct-1") })
	if d := time.Since(disconnected); d < 2*time.Second {
		t.Errorf("token deleted %s after the disconnect, before the window ended", d)
	}
	st := e.waitState("slow", jobs.StateFailed, 15*time.Second)
	if st.FailureClass != jobs.ClassOutcomeUnknown {
		t.Errorf("failed %s: %q", st.FailureClass, st.Reason)
	}
}

// TestLookWithRetriesExhaustedEndsOutcomeUnknown: the look of a canceled
// post runs out of retries (every look's answer is lost). The post ends
// failed, outcome_unknown, "retries exhausted", with post.failed, not
// cancel_requested with its task archived.
func TestLookWithRetriesExhaustedEndsOutcomeUnknown(t *testing.T) {
	e := newEnv(t)
	e.client = jobs.NewClient(e.rdb, jobs.WithMaxRetry(1))
	platform := lostAt(t, publisherstest.StepPublished)
	platform.look = func(publishers.Request) error {
		return publishers.Transient(fmt.Errorf("look answer lost: %w", publishers.ErrOutcomeUnknown))
	}
	reg := publishers.NewRegistry()
	reg.Register("sandbox", platform)
	e.startWorker(reg, slowRetries)
	e.schedule(e.post("tired", time.Now()))
	e.waitState("tired", jobs.StateUnknown, 10*time.Second)
	if _, err := e.client.CancelPost(context.Background(), "tired"); err != nil {
		t.Fatal(err)
	}
	st := e.waitState("tired", jobs.StateFailed, 10*time.Second)
	if st.FailureClass != jobs.ClassOutcomeUnknown || !strings.HasPrefix(st.Reason, "retries exhausted: canceled, but") {
		t.Errorf("failed %s: %q", st.FailureClass, st.Reason)
	}
	if types := e.postEventTypes("tired"); !inOrder(types, events.PostCancelRequested, events.PostFailed) {
		t.Errorf("events %v", types)
	}
}

// TestPostPastItsDeadlineLooksBeforeTooLate: a post the platform may
// have (unknown, or left publishing by a dead worker with a checkpoint)
// reaches its deadline. Its attempt only looks: published if the
// platform has it, too_late if not (and nothing sent: the draft is not
// published late).
func TestPostPastItsDeadlineLooksBeforeTooLate(t *testing.T) {
	for _, tc := range []struct {
		name, step string
		state      jobs.State // what the record says before the deadline passes
		want       jobs.State
		class      string
		posts      int
	}{
		{"unknown, on the platform", publisherstest.StepPublished, jobs.StateUnknown, jobs.StatePublished, "", 1},
		{"unknown, a draft only", publisherstest.StepPublish, jobs.StateUnknown, jobs.StateFailed, jobs.ClassTooLate, 0},
		{"orphan with a checkpoint, on the platform", publisherstest.StepPublished, jobs.StatePublishing, jobs.StatePublished, "", 1},
		{"scheduled with a draft", publisherstest.StepPublish, jobs.StateScheduled, jobs.StateFailed, jobs.ClassTooLate, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			platform := lostAt(t, tc.step)
			reg := publishers.NewRegistry()
			reg.Register("sandbox", platform)
			e.startWorker(reg, slowRetries)
			e.schedule(e.post("late", time.Now()))
			e.waitState("late", jobs.StateUnknown, 10*time.Second)
			// The record says unknown before asynq has moved the task
			// from active to retry; RunTask refuses a running task.
			within(t, "task waits in retry", func() bool {
				info, err := e.insp.GetTaskInfo(jobs.QueuePublish, "publish:late")
				return err == nil && info.State == asynq.TaskStateRetry
			})
			past := fmt.Sprint(time.Now().Add(-time.Second).UnixMilli())
			if err := e.rdb.HSet(ctx, "herald:{post:late}", "not_after", past, "state", string(tc.state)).Err(); err != nil {
				t.Fatal(err)
			}
			if err := e.insp.RunTask(jobs.QueuePublish, "publish:late"); err != nil {
				t.Fatal(err)
			}
			st := e.waitState("late", tc.want, 10*time.Second)
			if st.FailureClass != tc.class {
				t.Errorf("class %q (%s), want %q", st.FailureClass, st.Reason, tc.class)
			}
			if posts := platform.Posts("late"); len(posts) != tc.posts || (tc.posts == 1 && st.RemoteID != posts[0]) {
				t.Errorf("platform has %v, record says %q", posts, st.RemoteID)
			}
			if len(platform.lookTokens()) != 1 {
				t.Errorf("%d looks, want 1", len(platform.lookTokens()))
			}
		})
	}
}

// TestCancelAsTheAttemptEndsIsSettledAtOnce: the cancel lands after the
// attempt recorded its post unknown and released it, while asynq still
// holds its task as running (and will retry it only after the backoff,
// an hour here). The look must not wait for that retry: it runs at once.
func TestCancelAsTheAttemptEndsIsSettledAtOnce(t *testing.T) {
	e := newEnv(t)
	platform := lostAt(t, publisherstest.StepPublished)
	reg := publishers.NewRegistry()
	reg.Register("sandbox", platform)
	ended, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	e.startWorker(reg, func(c *jobs.WorkerConfig) {
		slowRetries(c)
		c.Observe = func(o jobs.Outcome) {
			if o.State == jobs.StateUnknown {
				once.Do(func() { close(ended); <-release }) // the handler has not returned yet
			}
		}
	})
	e.schedule(e.post("ending", time.Now()))
	<-ended
	if info := e.taskInfo("ending"); info == nil || info.State != asynq.TaskStateActive {
		t.Fatalf("task %+v, want active", info)
	}
	st, err := e.client.CancelPost(context.Background(), "ending")
	close(release)
	if err != nil || st.State != jobs.StateCancelRequested {
		t.Fatalf("CancelPost = %s, %v", st.State, err)
	}
	st = e.waitState("ending", jobs.StatePublished, 10*time.Second)
	if posts := platform.Posts("ending"); len(posts) != 1 || st.RemoteID != posts[0] {
		t.Errorf("platform has %v, record says %q", posts, st.RemoteID)
	}
}
