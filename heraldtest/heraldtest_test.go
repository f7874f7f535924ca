package heraldtest_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/heraldtest"
	"github.com/heraldhq/herald/internal/eventually"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
)

func hello(id string) jobs.Post {
	return jobs.Post{ID: id, AccountID: "acct-1", Content: publishers.Content{Title: "Hello", Text: "Post " + id}}
}

func TestScheduledPostIsPublishedOnce(t *testing.T) {
	t.Parallel()
	h := heraldtest.Start(t)
	h.ConnectAccount(t, "acct-1")

	h.SchedulePost(t, hello("post-1"))
	st := h.WaitPublished(t, "post-1")

	if st.URL == "" || st.RemoteID == "" || st.Platform != "sandbox" {
		t.Errorf("status = %+v, want a sandbox post with its URL and id", st)
	}
	got := h.Published()
	if len(got) != 1 || got[0].Ref != "post-1" || got[0].Text != "Post post-1" || got[0].ID != st.RemoteID {
		t.Fatalf("the sandbox holds %+v, want post-1 once, as %s", got, st.RemoteID)
	}
	if n := h.Sandbox.Published("post-1"); n != 1 {
		t.Errorf("post-1 published %d times at the sandbox, want 1", n)
	}
	if !hasEvent(h.Events(t), events.PostPublished, "post-1") {
		t.Errorf("no %s event for post-1 in %+v", events.PostPublished, h.Events(t))
	}
}

func TestRefusedPostFails(t *testing.T) {
	t.Parallel()
	h := heraldtest.Start(t)
	h.ConnectAccount(t, "acct-1")
	h.Sandbox.FailRef("post-1", -1, heraldtest.Fault{Status: 422, Message: "image too small"})

	h.SchedulePost(t, hello("post-1"))
	st := h.WaitFailed(t, "post-1")

	if st.FailureClass != publishers.ClassPermanent.String() || !strings.Contains(st.Reason, "image too small") {
		t.Errorf("failed as %q: %q, want permanent with the platform's message", st.FailureClass, st.Reason)
	}
	if len(h.Published()) != 0 {
		t.Errorf("the sandbox holds %+v, want nothing", h.Published())
	}
	if !hasEvent(h.Events(t), events.PostFailed, "post-1") {
		t.Errorf("no %s event for post-1", events.PostFailed)
	}
}

func TestCanceledPostNeverReachesThePlatform(t *testing.T) {
	t.Parallel()
	h := heraldtest.Start(t)
	h.ConnectAccount(t, "acct-1")
	p := hello("post-1")
	p.PublishAt = time.Now().Add(time.Hour)
	h.SchedulePost(t, p)

	if _, err := h.Client.CancelPost(context.Background(), "post-1"); err != nil {
		t.Fatal(err)
	}
	h.WaitState(t, "post-1", jobs.StateCanceled)
	if !hasEvent(h.Events(t), events.PostCanceled, "post-1") {
		t.Errorf("no %s event for post-1", events.PostCanceled)
	}
	if n := len(h.Sandbox.Calls()); n != 0 {
		t.Errorf("the sandbox got %d calls, want none", n)
	}
}

// The Vault is wired to the Client as cmd/herald wires it: a disconnect
// cancels the account's posts.
func TestDisconnectCancelsTheAccountsPosts(t *testing.T) {
	t.Parallel()
	h := heraldtest.Start(t)
	h.ConnectAccount(t, "acct-1")
	p := hello("post-1")
	p.PublishAt = time.Now().Add(time.Hour)
	h.SchedulePost(t, p)

	if err := h.Vault.Disconnect(context.Background(), "acct-1"); err != nil {
		t.Fatal(err)
	}
	h.WaitState(t, "post-1", jobs.StateCanceled)
}

// Lateness is the Worker's to judge, by Redis's clock: a Client whose
// Clock runs an hour behind takes a post half an hour past its time, and
// the Worker fails it as too late without calling the platform.
func TestClockAndMaxLatenessMakeAPostTooLate(t *testing.T) {
	t.Parallel()
	clock := func() time.Time { return time.Now().Add(-time.Hour) }
	h := heraldtest.Start(t, heraldtest.Clock(clock), heraldtest.MaxLateness(time.Minute))
	h.ConnectAccount(t, "acct-1")
	p := hello("post-1")
	p.PublishAt = time.Now().Add(-30 * time.Minute)
	h.SchedulePost(t, p)

	if st := h.WaitFailed(t, "post-1"); st.FailureClass != jobs.ClassTooLate {
		t.Errorf("failed as %q, want %q", st.FailureClass, jobs.ClassTooLate)
	}
	if n := len(h.Sandbox.Calls()); n != 0 {
		t.Errorf("the sandbox got %d calls for a post too late, want none", n)
	}
}

// WaitState gives up at once when the post ends in another state: it
// can no longer change, and waiting out the deadline would only hide
// the reason.
func TestWaitPublishedFailsAtOnceOnAFailedPost(t *testing.T) {
	t.Parallel()
	h := heraldtest.Start(t, heraldtest.Within(20*time.Second))
	h.ConnectAccount(t, "acct-1")
	h.Sandbox.FailRef("post-1", -1, heraldtest.Fault{Status: 422, Message: "nope"})
	h.SchedulePost(t, hello("post-1"))

	msg := fatal(t, func(tb testing.TB) { h.WaitPublished(tb, "post-1") })
	if !strings.Contains(msg, "post post-1 is failed, want published") || !strings.Contains(msg, "nope") {
		t.Errorf("WaitPublished failed with %q, want the post's end and reason", msg)
	}
}

func TestWaitGivesUpAfterWithin(t *testing.T) {
	t.Parallel()
	h := heraldtest.Start(t, heraldtest.Within(50*time.Millisecond))
	h.ConnectAccount(t, "acct-1")
	p := hello("post-1")
	p.PublishAt = time.Now().Add(time.Hour)
	h.SchedulePost(t, p)

	msg := fatal(t, func(tb testing.TB) { h.WaitPublished(tb, "post-1") })
	if !strings.Contains(msg, "deadline exceeded") || !strings.Contains(msg, "last: scheduled") {
		t.Errorf("WaitPublished failed with %q, want a deadline and the last state", msg)
	}
}

func TestWaitStopsWhenTheWorkerStopped(t *testing.T) {
	t.Parallel()
	h, err := heraldtest.New(context.Background(), heraldtest.Within(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Close(); err != nil {
		t.Fatalf("Close = %v", err)
	}
	if err := h.Close(); err != nil {
		t.Fatalf("second Close = %v", err)
	}
	start := time.Now()
	if _, err := h.Wait(context.Background(), "post-1"); err == nil || !strings.Contains(err.Error(), "worker stopped") {
		t.Errorf("Wait after Close = %v, want the worker stopped", err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("Wait took %s after Close, want at once", d)
	}
}

func TestCloseStopsRedis(t *testing.T) {
	t.Parallel()
	h, err := heraldtest.New(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Redis.Ping(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	h.Close()
	if err := h.Redis.Ping(context.Background()).Err(); err == nil {
		t.Error("Redis answers after Close")
	}
}

func TestWorkerOptionReachesTheWorker(t *testing.T) {
	t.Parallel()
	var outcomes atomic.Int32
	h := heraldtest.Start(t, heraldtest.Worker(func(wc *jobs.WorkerConfig) {
		wc.Observe = func(jobs.Outcome) { outcomes.Add(1) }
	}))
	h.ConnectAccount(t, "acct-1")
	h.SchedulePost(t, hello("post-1"))
	h.WaitPublished(t, "post-1")
	// The worker tells Observe after it recorded the outcome: wait for it.
	eventually.True(t, 5*time.Second, func() bool { return outcomes.Load() == 1 },
		"Observe to hear the one outcome")
}

func hasEvent(evs []events.Event, typ, post string) bool {
	for _, e := range evs {
		if e.Type == typ && e.PostID == post {
			return true
		}
	}
	return false
}

// fatalTB records the message of a Fatal instead of failing the test.
type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Helper() {}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// fatal runs fn with a TB that records Fatalf, and returns its message;
// it fails t if fn did not call it.
func fatal(t *testing.T, fn func(testing.TB)) string {
	t.Helper()
	f := &fatalTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(f)
	}()
	<-done
	if f.msg == "" {
		t.Fatal("no Fatalf")
	}
	return f.msg
}

// A post given no time goes out at once whichever way the Clock option
// is off: asynq runs it by the real time, the Worker finds it due by
// the option's.
func TestSchedulePostWithoutTimeIsDueForAClockAhead(t *testing.T) {
	t.Parallel()
	ahead := func() time.Time { return time.Now().Add(30 * time.Minute) }
	h := heraldtest.Start(t, heraldtest.Clock(ahead))
	h.ConnectAccount(t, "acct-1")
	h.SchedulePost(t, hello("post-1"))
	h.WaitPublished(t, "post-1")
}

func TestSchedulePostWithoutTimeIsDueForAClockBehind(t *testing.T) {
	t.Parallel()
	behind := func() time.Time { return time.Now().Add(-30 * time.Minute) }
	h := heraldtest.Start(t, heraldtest.Clock(behind))
	h.ConnectAccount(t, "acct-1")
	h.SchedulePost(t, hello("post-1"))
	h.WaitPublished(t, "post-1")
}
