package jobs

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/publishers"
)

// TestCreateWritesTheTaskAsAsynqDoes: the create script writes a new
// post's publish task itself (asynqtask.go). What it writes must be
// what asynq's own Enqueue writes for the same post, byte for byte (the
// split path, used on a cluster, enqueues through asynq): the task's
// hash, its place in the scheduled set or pending list, and the queue in
// asynq's list of queues. An asynq upgrade that changes its layout
// fails here. A worker then runs such tasks in every other test.
func TestCreateWritesTheTaskAsAsynqDoes(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	for _, tc := range []struct {
		name     string
		at       time.Time
		maxRetry int
		title    string
	}{
		{"scheduled, a fraction of a second", now.Add(time.Hour).Truncate(time.Second).Add(300 * time.Millisecond), 12, "Launch"},
		{"scheduled, a whole second, no retries", now.Add(time.Minute).Truncate(time.Second), 0, ""},
		{"due now", now.Add(-time.Second), 3, "Née à Zürich, a long title for a preview of forty characters or more"},
		{"due now, negative retries", now.Add(-time.Minute), -1, "x"},
		{"many retries", now.Add(48 * time.Hour), 1 << 20, "t"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := Post{ID: "p-1", AccountID: "acct", Platform: "sandbox", PublishAt: tc.at,
				Content: publishers.Content{Title: tc.title, Text: "some text"}}
			type written struct {
				task      map[string]string
				scheduled []string
				pending   []string
				queues    []string
				info      *asynq.TaskInfo
			}
			write := func(inline bool) written {
				db := redistest.New(t)
				c := NewClient(db.Client, WithMaxRetry(tc.maxRetry))
				c.store.inlineEvents = inline
				if _, err := c.SchedulePost(ctx, p); err != nil {
					t.Fatal(err)
				}
				if _, err := c.SchedulePost(ctx, p); err != nil { // a repeat writes nothing more
					t.Fatal(err)
				}
				// A second post, so the pending list's order is compared.
				second := p
				second.ID = "p-2"
				if _, err := c.SchedulePost(ctx, second); err != nil {
					t.Fatal(err)
				}
				id := publishTaskID(p.ID)
				var w written
				w.task = db.Client.HGetAll(ctx, asynqTaskKey(QueuePublish, id)).Val()
				for _, z := range db.Client.ZRangeWithScores(ctx, "asynq:{publish}:scheduled", 0, -1).Val() {
					w.scheduled = append(w.scheduled, z.Member.(string)+"@"+strconv.FormatFloat(z.Score, 'f', -1, 64))
				}
				w.pending = db.Client.LRange(ctx, "asynq:{publish}:pending", 0, -1).Val()
				w.queues = db.Client.SMembers(ctx, asynqQueuesKey).Val()
				info, err := asynq.NewInspectorFromRedisClient(db.Client).GetTaskInfo(QueuePublish, id)
				if err != nil {
					t.Fatalf("asynq's Inspector cannot read the task: %v", err)
				}
				w.info = info
				return w
			}
			want, got := write(false), write(true)
			// pending_since is the time of each enqueue: present in both,
			// compared apart.
			wantSince, gotSince := want.task["pending_since"], got.task["pending_since"]
			delete(want.task, "pending_since")
			delete(got.task, "pending_since")
			if (wantSince == "") != (gotSince == "") {
				t.Errorf("pending_since: asynq wrote %q, the script %q", wantSince, gotSince)
			}
			if gotSince != "" {
				ns, err := strconv.ParseInt(gotSince, 10, 64)
				if err != nil || time.Since(time.Unix(0, ns)).Abs() > time.Minute {
					t.Errorf("pending_since = %q, not the time of the call", gotSince)
				}
			}
			if !maps.Equal(want.task, got.task) {
				t.Errorf("task hash:\n asynq  %q\n script %q", want.task, got.task)
			}
			if !slices.Equal(want.scheduled, got.scheduled) || !slices.Equal(want.pending, got.pending) || !slices.Equal(want.queues, got.queues) {
				t.Errorf("asynq: scheduled %v pending %v queues %v\nscript: scheduled %v pending %v queues %v",
					want.scheduled, want.pending, want.queues, got.scheduled, got.pending, got.queues)
			}
			w, g := want.info, got.info
			// A pending task's NextProcessAt is the time of inspection,
			// which differs between the two reads; a scheduled task's is
			// its score and must match.
			nextDiffers := w.State == asynq.TaskStateScheduled && !g.NextProcessAt.Equal(w.NextProcessAt)
			if g.State != w.State || g.MaxRetry != w.MaxRetry || g.Timeout != w.Timeout || g.Deadline != w.Deadline ||
				nextDiffers || string(g.Payload) != string(w.Payload) || g.Type != TypePublish {
				t.Errorf("Inspector reads the script's task as %+v, asynq's as %+v", g, w)
			}
		})
	}
}

// TestNewPostReplacesALeftoverTask: asynq keeps an archived task for 90
// days, records are kept 30 by default, so a post id used again after
// its record expired can find its task id held by the old post's
// archived task. The new post gets a task of its own (else it would
// never run, and the reconciler would fail it as archived); a live task
// under the id is left alone, as is an archived one when the record
// existed (its retries ran out: the reconciler's to settle).
func TestNewPostReplacesALeftoverTask(t *testing.T) {
	ctx := context.Background()
	at := time.Now().Add(time.Hour).Truncate(time.Second)
	newPost := func(id string) Post {
		return Post{ID: id, AccountID: "acct", Platform: "sandbox", PublishAt: at, Content: publishers.Content{Text: "new"}}
	}
	for _, inline := range []bool{true, false} {
		for _, batch := range []bool{false, true} {
			name := map[bool]string{true: "inline", false: "split"}[inline] + map[bool]string{false: ", one", true: ", batch"}[batch]
			t.Run(name, func(t *testing.T) {
				db := redistest.New(t)
				c := NewClient(db.Client)
				c.store.inlineEvents = inline
				insp := asynq.NewInspectorFromRedisClient(db.Client)
				old := asynq.NewClientFromRedisClient(db.Client)
				leave := func(id string, archive bool) {
					if _, err := old.Enqueue(asynq.NewTask(TypePublish, []byte(`{"v":1,"post":{"post_id":"`+id+`"}}`)),
						asynq.TaskID(publishTaskID(id)), asynq.Queue(QueuePublish), asynq.ProcessAt(time.Now().Add(time.Minute))); err != nil {
						t.Fatal(err)
					}
					if archive {
						if err := insp.ArchiveTask(QueuePublish, publishTaskID(id)); err != nil {
							t.Fatal(err)
						}
					}
				}
				leave("archived", true)
				leave("live", false)
				schedule := func(ps ...Post) {
					if batch {
						res, err := c.SchedulePosts(ctx, ps)
						if err != nil {
							t.Fatal(err)
						}
						for _, r := range res {
							if r.Err != nil {
								t.Fatal(r.Err)
							}
						}
						return
					}
					for _, p := range ps {
						if _, err := c.SchedulePost(ctx, p); err != nil {
							t.Fatal(err)
						}
					}
				}
				schedule(newPost("archived"), newPost("live"))
				for id, want := range map[string]asynq.TaskState{"archived": asynq.TaskStateScheduled, "live": asynq.TaskStateScheduled} {
					info, err := insp.GetTaskInfo(QueuePublish, publishTaskID(id))
					if err != nil {
						t.Fatal(err)
					}
					if info.State != want {
						t.Errorf("%s: task %s, want %s", id, info.State, want)
					}
					if fromNew := string(info.Payload) != `{"v":1,"post":{"post_id":"`+id+`"}}`; fromNew != (id == "archived") {
						t.Errorf("%s: task payload %s", id, info.Payload)
					}
				}
				// The record exists now: an archived task is its own, and a
				// repeat of the post keeps it.
				if err := insp.ArchiveTask(QueuePublish, publishTaskID("archived")); err != nil {
					t.Fatal(err)
				}
				schedule(newPost("archived"))
				if info, err := insp.GetTaskInfo(QueuePublish, publishTaskID("archived")); err != nil || info.State != asynq.TaskStateArchived {
					t.Errorf("a repeat replaced the record's own archived task: %v %v", info, err)
				}
			})
		}
	}
}
