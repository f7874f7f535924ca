package jobs_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/heraldhq/herald/internal/eventually"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/sandbox/sandboxtest"
)

func TestScheduledPostsPublishOnceAtTheirTime(t *testing.T) {
	e := newEnv(t)
	e.startWorker(e.registry(nil), nil)
	now := time.Now()
	ids := []string{"p1", "p2", "p3"}
	for i, id := range ids {
		e.schedule(e.post(id, now.Add(time.Duration(i+1)*700*time.Millisecond)))
	}
	for _, id := range ids {
		st := e.waitState(id, jobs.StatePublished, 20*time.Second)
		if st.PublishedAt.Before(st.PublishAt) {
			t.Errorf("%s published at %s, before its time %s", id, st.PublishedAt, st.PublishAt)
		}
		if st.RemoteID == "" || st.URL == "" {
			t.Errorf("%s: published without remote id or url: %+v", id, st)
		}
		if st.Attempts != 1 {
			t.Errorf("%s: %d attempts, want 1", id, st.Attempts)
		}
		if n := e.sandbox.Published(id); n != 1 {
			t.Errorf("%s: sandbox has %d posts, want exactly 1", id, n)
		}
	}
}

func TestTransientFailuresAreRetriedThenPublishedOnce(t *testing.T) {
	e := newEnv(t)
	e.sandbox.FailRef("flaky", 2, sandboxtest.Fault{Status: 503})
	e.startWorker(e.registry(nil), nil)
	e.schedule(e.post("flaky", time.Now()))

	st := e.waitState("flaky", jobs.StatePublished, 30*time.Second)
	if st.Attempts != 3 {
		t.Errorf("attempts = %d, want 3 (two transient failures, then success)", st.Attempts)
	}
	if n := e.sandbox.Published("flaky"); n != 1 {
		t.Errorf("sandbox has %d posts, want exactly 1", n)
	}
}

func TestPermanentFailureIsArchivedWithoutRetry(t *testing.T) {
	e := newEnv(t)
	e.sandbox.FailRef("bad", -1, sandboxtest.Fault{Status: 422, Message: "video too long"})
	e.startWorker(e.registry(nil), nil)
	e.schedule(e.post("bad", time.Now()))

	st := e.waitState("bad", jobs.StateFailed, 20*time.Second)
	if st.FailureClass != "permanent" || !strings.Contains(st.Reason, "video too long") {
		t.Errorf("failure = %q %q, want permanent with the platform's reason", st.FailureClass, st.Reason)
	}
	if st.Attempts != 1 {
		t.Errorf("attempts = %d, want 1: a permanent failure is not retried", st.Attempts)
	}
	var info *asynq.TaskInfo
	eventually.True(t, 10*time.Second, func() bool {
		info = e.taskInfo("bad")
		return info != nil && info.State == asynq.TaskStateArchived
	}, "task archived")
	if !strings.Contains(info.LastErr, "video too long") {
		t.Errorf("archived task's error %q lacks the reason", info.LastErr)
	}
}

func TestTooLatePostFailsWithoutCallingThePlatform(t *testing.T) {
	e := newEnv(t)
	p := e.post("late", time.Now().Add(-2*time.Second))
	p.NotAfter = time.Now().Add(-time.Second)
	e.schedule(p)
	e.startWorker(e.registry(nil), nil)

	st := e.waitState("late", jobs.StateFailed, 20*time.Second)
	if st.FailureClass != jobs.ClassTooLate {
		t.Errorf("class = %q, want %q", st.FailureClass, jobs.ClassTooLate)
	}
	if n := len(e.sandbox.Calls()); n != 0 {
		t.Errorf("platform called %d times for a late post", n)
	}
}

// crashAfterPublish publishes for real, then hangs as if the process died
// before it could record the outcome.
type crashAfterPublish struct {
	publishers.Publisher
	published chan struct{}
}

func (c *crashAfterPublish) Publish(ctx context.Context, req publishers.Request) (publishers.Result, error) {
	if _, err := c.Publisher.Publish(ctx, req); err != nil {
		return publishers.Result{}, err
	}
	close(c.published)
	<-ctx.Done()
	return publishers.Result{}, ctx.Err()
}

func TestWorkerKilledMidPublishPublishesExactlyOnce(t *testing.T) {
	e := newEnv(t)
	crash := &crashAfterPublish{published: make(chan struct{})}
	stop := e.startWorker(e.registry(func(p publishers.Publisher) publishers.Publisher {
		crash.Publisher = p
		return crash
	}), func(c *jobs.WorkerConfig) { c.ShutdownTimeout = 100 * time.Millisecond })
	e.schedule(e.post("crash", time.Now()))

	select {
	case <-crash.published:
	case <-time.After(20 * time.Second):
		t.Fatal("first worker never reached the platform")
	}
	stop() // asynq gives up on the running attempt and requeues the task

	e.startWorker(e.registry(nil), nil)
	st := e.waitState("crash", jobs.StatePublished, 60*time.Second)
	if n := e.sandbox.Published("crash"); n != 1 {
		t.Errorf("sandbox has %d posts, want exactly 1", n)
	}
	if st.Attempts < 2 {
		t.Errorf("attempts = %d, want a second attempt after the crash", st.Attempts)
	}
}

func TestJunkTaskIsArchivedAndWorkerGoesOn(t *testing.T) {
	e := newEnv(t)
	q := asynq.NewClientFromRedisClient(e.rdb)
	for _, payload := range []string{`{junk`, `{"v":7,"post":{"post_id":"x"}}`, `{"v":1,"post":{"post_id":"bad id!"}}`} {
		if _, err := q.Enqueue(asynq.NewTask(jobs.TypePublish, []byte(payload)), asynq.Queue(jobs.QueuePublish)); err != nil {
			t.Fatal(err)
		}
	}
	e.startWorker(e.registry(nil), nil)
	e.schedule(e.post("good", time.Now()))

	e.waitState("good", jobs.StatePublished, 20*time.Second)
	eventually.True(t, 10*time.Second, func() bool {
		archived, err := e.insp.ListArchivedTasks(jobs.QueuePublish)
		return err == nil && len(archived) == 3
	}, "3 junk tasks archived")
	archived, _ := e.insp.ListArchivedTasks(jobs.QueuePublish)
	for _, a := range archived {
		if a.Retried != 0 {
			t.Errorf("junk task %s retried %d times", a.ID, a.Retried)
		}
		if !strings.Contains(a.LastErr, "payload") && !strings.Contains(a.LastErr, "post_id") {
			t.Errorf("junk task error %q does not say what is wrong", a.LastErr)
		}
	}
}

func TestCanceledPostIsNotPublished(t *testing.T) {
	e := newEnv(t)
	e.schedule(e.post("c1", time.Now().Add(time.Second)))
	if _, err := e.client.CancelPost(context.Background(), "c1"); err != nil {
		t.Fatal(err)
	}
	e.schedule(e.post("marker", time.Now().Add(1500*time.Millisecond)))
	e.startWorker(e.registry(nil), nil)
	e.waitState("marker", jobs.StatePublished, 20*time.Second)
	if st := e.status("c1"); st.State != jobs.StateCanceled {
		t.Errorf("canceled post is %s", st.State)
	}
	if n := e.sandbox.Published("c1"); n != 0 {
		t.Errorf("canceled post published %d times", n)
	}
}
