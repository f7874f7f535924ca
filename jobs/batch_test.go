package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/jobs"
)

func TestSchedulePostsGivesAResultPerPost(t *testing.T) {
	e := newEnv(t)
	at := time.Now().Add(time.Hour).Truncate(time.Second)
	e.schedule(e.post("old", at))
	e.schedule(e.post("taken", at))
	other := e.post("taken", at)
	other.Content.Text = "another post"
	bad := e.post("bad", at)
	bad.Content.Media = append(bad.Content.Media, bad.Content.Media...)
	bad.Platform = ""
	repeatSame, repeatOther := e.post("new", at), e.post("new", at)
	repeatOther.Content.Text = "not the first copy"
	posts := []jobs.Post{e.post("new", at), e.post("old", at), other, bad, repeatSame, repeatOther}
	res, err := e.client.SchedulePosts(context.Background(), posts)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{jobs.ResultCreated, jobs.ResultUnchanged, jobs.ResultConflict, jobs.ResultInvalid, jobs.ResultUnchanged, jobs.ResultConflict}
	for i, r := range res {
		if r.Result != want[i] || r.PostID != posts[i].ID {
			t.Errorf("post %d (%s): %s %v, want %s", i, posts[i].ID, r.Result, r.Err, want[i])
		}
	}
	if !containsField(res[3].Err, "platform") {
		t.Errorf("invalid post: %v, want the platform named", res[3].Err)
	}
	if !errors.Is(res[2].Err, jobs.ErrConflict) || !errors.Is(res[5].Err, jobs.ErrConflict) {
		t.Errorf("conflicts: %v, %v", res[2].Err, res[5].Err)
	}
	for _, i := range []int{0, 1, 4} {
		if st := res[i].Status; st.State != jobs.StateScheduled || !st.PublishAt.Equal(at) || st.PostID != posts[i].ID {
			t.Errorf("post %d status %+v", i, st)
		}
	}
	if e.taskInfo("new") == nil || e.taskInfo("bad") != nil {
		t.Error("the batch stored or enqueued the wrong posts")
	}
	// Exactly one scheduled event: for the one created post.
	msgs, err := e.rdb.XRange(context.Background(), events.Stream, "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range msgs {
		if m.Values["post_id"] == "new" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d events for the created post, want 1", n)
	}
}

func TestSchedulePostsIsIdempotentAndRepairsAMissingTask(t *testing.T) {
	e := newEnv(t)
	at := time.Now().Add(time.Hour)
	var posts []jobs.Post
	for i := range jobs.MaxBatch {
		p := e.post(fmt.Sprintf("b-%03d", i), at.Add(time.Duration(i)*time.Second))
		p.AccountID = fmt.Sprintf("acct-%d", i%7)
		posts = append(posts, p)
	}
	ctx := context.Background()
	if _, err := e.client.SchedulePosts(ctx, posts); err != nil {
		t.Fatal(err)
	}
	// A task lost after its record was stored is enqueued by the repeat.
	if err := e.insp.DeleteTask(jobs.QueuePublish, "publish:b-042"); err != nil {
		t.Fatal(err)
	}
	res, err := e.client.SchedulePosts(ctx, posts)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		if r.Result != jobs.ResultUnchanged {
			t.Fatalf("repeat of %s: %s %v", r.PostID, r.Result, r.Err)
		}
	}
	if e.taskInfo("b-042") == nil {
		t.Error("the repeat did not enqueue the missing task")
	}
	tasks, err := e.insp.ListScheduledTasks(jobs.QueuePublish)
	if err != nil {
		t.Fatal(err)
	}
	if info, _ := e.insp.GetQueueInfo(jobs.QueuePublish); info.Scheduled != jobs.MaxBatch {
		t.Errorf("%d scheduled tasks (%d listed), want %d", info.Scheduled, len(tasks), jobs.MaxBatch)
	}
	if _, err := e.client.SchedulePosts(ctx, append(posts, e.post("one-too-many", at))); !containsField(err, "posts") {
		t.Errorf("%d posts: %v, want a posts error", jobs.MaxBatch+1, err)
	}
}
