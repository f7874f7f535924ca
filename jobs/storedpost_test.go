package jobs_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
)

// storeVersion1 writes p's record and task as Herald wrote them before
// record version 2: the whole post as JSON, the fingerprint as hex, a
// created_at, and the whole post in the task's payload too.
func (e *env) storeVersion1(p jobs.Post) {
	e.t.Helper()
	ctx := context.Background()
	body, err := json.Marshal(p)
	if err != nil {
		e.t.Fatal(err)
	}
	fpPost := p
	fpPost.PublishAt = p.PublishAt.UTC().Truncate(time.Second)
	if !p.NotAfter.IsZero() {
		fpPost.NotAfter = p.NotAfter.UTC().Truncate(time.Second)
	}
	fpBody, _ := json.Marshal(fpPost)
	sum := sha256.Sum256(fpBody)
	ms := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return strconv.FormatInt(t.UnixMilli(), 10)
	}
	now := ms(time.Now())
	err = e.rdb.HSet(ctx, "herald:{post:"+p.ID+"}",
		"v", "1", "post", body, "fp", hex.EncodeToString(sum[:16]),
		"account", p.AccountID, "platform", p.Platform,
		"state", "scheduled", "publish_at", ms(p.PublishAt), "not_after", ms(p.NotAfter),
		"attempts", 0, "created_at", now, "updated_at", now).Err()
	if err != nil {
		e.t.Fatal(err)
	}
	e.rdb.ZAdd(ctx, "herald:{acct:"+p.AccountID+"}:posts", redis.Z{Score: float64(p.PublishAt.UnixMilli()), Member: p.ID})
	payload, _ := json.Marshal(map[string]any{"v": 1, "post": p})
	_, err = asynq.NewClientFromRedisClient(e.rdb).Enqueue(asynq.NewTask(jobs.TypePublish, payload),
		asynq.TaskID("publish:"+p.ID), asynq.Queue(jobs.QueuePublish), asynq.ProcessAt(p.PublishAt), asynq.MaxRetry(3))
	if err != nil {
		e.t.Fatal(err)
	}
}

// TestVersion1RecordsStillWork: a record written before the record's
// slim form (version 2) reads as it did: its status and post, the same
// post scheduled again is unchanged and another is a conflict (the old
// hex fingerprint still compares), it can be edited, and the worker
// publishes it with its content.
func TestVersion1RecordsStillWork(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	at := time.Now().Add(time.Hour).Truncate(time.Millisecond)
	p := jobs.Post{ID: "old-1", AccountID: "acct-1", Platform: "sandbox", PublishAt: at, NotAfter: at.Add(time.Hour),
		Content: publishers.Content{Title: "Old", Text: "written by version 1", Options: map[string]string{"k": "v"},
			Media: []publishers.Media{{URL: "https://media.example/a.jpg", Kind: publishers.MediaImage}}}}
	e.storeVersion1(p)

	st := e.status(p.ID)
	if st.State != jobs.StateScheduled || st.AccountID != "acct-1" || st.Platform != "sandbox" || !st.PublishAt.Equal(at) {
		t.Fatalf("status of a version 1 record: %+v", st)
	}
	var exported []jobs.ExportedPost
	err := e.client.ExportPosts(ctx, jobs.ListQuery{AccountID: "acct-1"}, func(x jobs.ExportedPost) error {
		exported = append(exported, x)
		return nil
	})
	if err != nil || len(exported) != 1 {
		t.Fatalf("export: %v, %d posts", err, len(exported))
	}
	if got, want := mustJSON(t, exported[0].Post), mustJSON(t, withUTC(p)); got != want {
		t.Errorf("post read back from a version 1 record:\n got %s\nwant %s", got, want)
	}
	if st, err := e.client.SchedulePost(ctx, p); err != nil || st.State != jobs.StateScheduled {
		t.Errorf("the same post again: %+v, %v; want it unchanged", st, err)
	}
	other := p
	other.Content.Text = "another post"
	if _, err := e.client.SchedulePost(ctx, other); !errors.Is(err, jobs.ErrConflict) {
		t.Errorf("another post under the id: %v, want ErrConflict", err)
	}
	res, err := e.client.SchedulePosts(ctx, []jobs.Post{p, other})
	if err != nil || res[0].Result != jobs.ResultUnchanged || res[1].Result != jobs.ResultConflict {
		t.Errorf("SchedulePosts of the same and another: %+v, %v", res, err)
	}

	// Edited, it is written in the slim form, and reads the same.
	text := "edited after the upgrade"
	edited := p.Content
	edited.Text = text
	if _, err := e.client.EditPost(ctx, p.ID, jobs.Edit{Content: &edited}); err != nil {
		t.Fatal(err)
	}
	body := e.rdb.HGet(ctx, "herald:{post:"+p.ID+"}", "post").Val()
	for _, repeated := range []string{"post_id", "account_id", "platform", "publish_at", "not_after"} {
		if strings.Contains(body, repeated) {
			t.Errorf("edited record's post repeats %s: %s", repeated, body)
		}
	}

	// Due now, the worker publishes it, edit included.
	p2 := p
	p2.ID, p2.PublishAt, p2.NotAfter = "old-2", time.Now().Add(-time.Second), time.Time{}
	p2.Content = publishers.Content{Title: "Old 2", Text: "due now, written by version 1"}
	e.storeVersion1(p2)
	e.startWorker(e.registry(nil), nil)
	e.waitState(p2.ID, jobs.StatePublished, 20*time.Second)
	if posts := e.sandbox.Posts(); len(posts) != 1 || posts[0].Text != p2.Content.Text {
		t.Errorf("sandbox has %+v, want the old record's post", posts)
	}
}

// TestRecordKeepsThePostOnce: a new record's post field holds what the
// record's own fields do not (the content), its fingerprint is 16
// bytes, and the post reads back whole, not_after or not.
func TestRecordKeepsThePostOnce(t *testing.T) {
	for _, notAfter := range []time.Duration{0, time.Hour} {
		t.Run("not_after "+notAfter.String(), func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			at := time.Now().Add(time.Hour).Truncate(time.Millisecond).UTC()
			p := jobs.Post{ID: "slim", AccountID: "acct-1", Platform: "sandbox", PublishAt: at,
				Content: publishers.Content{Title: "T", Text: "text", Options: map[string]string{"privacy": "public"}}}
			if notAfter > 0 {
				p.NotAfter = at.Add(notAfter)
			}
			e.schedule(p)
			h := e.rdb.HGetAll(ctx, "herald:{post:slim}").Val()
			if want := `{"content":{"title":"T","text":"text","options":{"privacy":"public"}}}`; h["post"] != want {
				t.Errorf("post field %s, want %s", h["post"], want)
			}
			if len(h["fp"]) != 16 {
				t.Errorf("fp is %d bytes, want 16", len(h["fp"]))
			}
			if _, ok := h["not_after"]; ok != (notAfter > 0) {
				t.Errorf("not_after stored: %v, want %v", ok, notAfter > 0)
			}
			var got []jobs.Post
			_ = e.client.ExportPosts(ctx, jobs.ListQuery{AccountID: "acct-1"}, func(x jobs.ExportedPost) error {
				got = append(got, x.Post)
				return nil
			})
			if len(got) != 1 || mustJSON(t, got[0]) != mustJSON(t, p) {
				t.Errorf("read back %+v, want %+v", got, p)
			}
			if st, err := e.client.SchedulePost(ctx, p); err != nil || st.State != jobs.StateScheduled {
				t.Errorf("the same post again: %+v, %v", st, err)
			}
		})
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// withUTC is p with its times in UTC, as a record gives them back.
func withUTC(p jobs.Post) jobs.Post {
	p.PublishAt = p.PublishAt.UTC()
	if !p.NotAfter.IsZero() {
		p.NotAfter = p.NotAfter.UTC()
	}
	return p
}
