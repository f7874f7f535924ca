package jobs_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/heraldhq/herald/jobs"
)

func TestSchedulingTheSamePostTwiceIsANoOp(t *testing.T) {
	e := newEnv(t)
	p := e.post("dup", time.Now().Add(time.Hour))
	first := e.schedule(p)
	second := e.schedule(p)
	if first.State != jobs.StateScheduled || second.State != jobs.StateScheduled {
		t.Fatalf("states %s, %s; want scheduled twice", first.State, second.State)
	}
	if second.UpdatedAt != first.UpdatedAt {
		t.Errorf("second SchedulePost changed the record: %v -> %v", first.UpdatedAt, second.UpdatedAt)
	}
	tasks, err := e.insp.ListScheduledTasks(jobs.QueuePublish)
	if err != nil {
		t.Fatal(err)
	}
	if len(tasks) != 1 {
		t.Errorf("%d scheduled tasks, want 1", len(tasks))
	}
}

func TestSchedulingADifferentPostUnderAUsedIDConflicts(t *testing.T) {
	e := newEnv(t)
	p := e.post("dup", time.Now().Add(time.Hour))
	e.schedule(p)
	for name, change := range map[string]func(*jobs.Post){
		"text": func(p *jobs.Post) { p.Content.Text = "other" },
		"time": func(p *jobs.Post) { p.PublishAt = p.PublishAt.Add(time.Minute) },
	} {
		q := p
		change(&q)
		_, err := e.client.SchedulePost(context.Background(), q)
		if !errors.Is(err, jobs.ErrConflict) {
			t.Errorf("%s changed: err = %v, want ErrConflict", name, err)
		}
	}
	if st := e.status("dup"); st.PublishAt.Unix() != p.PublishAt.Unix() {
		t.Errorf("conflicting schedule changed the stored post: %v", st.PublishAt)
	}
}

func TestSchedulingAgainAfterPublishDoesNotEnqueue(t *testing.T) {
	e := newEnv(t)
	p := e.post("once", time.Now())
	e.schedule(p)
	e.startWorker(e.registry(nil), nil)
	e.waitState("once", jobs.StatePublished, 20*time.Second)

	st := e.schedule(p)
	if st.State != jobs.StatePublished {
		t.Errorf("state = %s, want published", st.State)
	}
	if info := e.taskInfo("once"); info != nil && info.State != asynq.TaskStateCompleted {
		t.Errorf("a published post was enqueued again: task %s", info.State)
	}
	if n := e.sandbox.Published("once"); n != 1 {
		t.Errorf("sandbox has %d posts, want 1", n)
	}
}

func TestCancelBeforeItsTimeRemovesTheTask(t *testing.T) {
	e := newEnv(t)
	e.schedule(e.post("c", time.Now().Add(time.Hour)))
	st, err := e.client.CancelPost(context.Background(), "c")
	if err != nil {
		t.Fatal(err)
	}
	if st.State != jobs.StateCanceled {
		t.Errorf("state = %s, want canceled", st.State)
	}
	if info := e.taskInfo("c"); info != nil {
		t.Errorf("task still in asynq: %s", info.State)
	}
	if _, err := e.client.CancelPost(context.Background(), "c"); err != nil {
		t.Errorf("second cancel: %v, want no-op", err)
	}
	if _, err := e.client.CancelPost(context.Background(), "nope"); !errors.Is(err, jobs.ErrNotFound) {
		t.Errorf("cancel of unknown post: %v, want ErrNotFound", err)
	}
}

func TestCancelOfAPublishedPostSaysSo(t *testing.T) {
	e := newEnv(t)
	e.schedule(e.post("pub", time.Now()))
	e.startWorker(e.registry(nil), nil)
	e.waitState("pub", jobs.StatePublished, 20*time.Second)
	st, err := e.client.CancelPost(context.Background(), "pub")
	if !errors.Is(err, jobs.ErrAlreadyPublished) {
		t.Errorf("err = %v, want ErrAlreadyPublished", err)
	}
	if st.State != jobs.StatePublished {
		t.Errorf("state = %s, want published", st.State)
	}
}

func TestRescheduleMovesThePost(t *testing.T) {
	e := newEnv(t)
	e.schedule(e.post("r", time.Now().Add(time.Hour)))
	later := time.Now().Add(2 * time.Hour).Truncate(time.Second)
	st, err := e.client.ReschedulePost(context.Background(), "r", later)
	if err != nil {
		t.Fatal(err)
	}
	if !st.PublishAt.Equal(later) {
		t.Errorf("PublishAt = %v, want %v", st.PublishAt, later)
	}
	info := e.taskInfo("r")
	if info == nil || info.State != asynq.TaskStateScheduled || !info.NextProcessAt.Equal(later) {
		t.Fatalf("task after reschedule: %+v, want scheduled at %v", info, later)
	}

	// Moved into the past-but-acceptable: it goes out now.
	e.startWorker(e.registry(nil), nil)
	if _, err := e.client.ReschedulePost(context.Background(), "r", time.Now()); err != nil {
		t.Fatal(err)
	}
	e.waitState("r", jobs.StatePublished, 20*time.Second)
	if _, err := e.client.ReschedulePost(context.Background(), "r", later); !errors.Is(err, jobs.ErrAlreadyPublished) {
		t.Errorf("reschedule of published post: %v, want ErrAlreadyPublished", err)
	}
}

func TestScheduleRefusesBadPostsWithTheField(t *testing.T) {
	e := newEnv(t)
	_, err := e.client.SchedulePost(context.Background(), jobs.Post{})
	for _, field := range []string{"post_id", "account_id", "platform", "publish_at", "content"} {
		if !containsField(err, field) {
			t.Errorf("empty post: error %v does not name %s", err, field)
		}
	}
	old := e.post("old", time.Now().Add(-48*time.Hour))
	if _, err := e.client.SchedulePost(context.Background(), old); !containsField(err, "publish_at") {
		t.Errorf("post two days late: %v, want a publish_at error", err)
	}
	if _, err := e.client.PostStatus(context.Background(), "old"); !errors.Is(err, jobs.ErrNotFound) {
		t.Errorf("refused post was stored: %v", err)
	}
}
