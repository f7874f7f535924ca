package jobs

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/publishers"
)

// On Redis Cluster the record, the index and the stream are in different
// slots, so scheduling takes the split path (create, then afterCreate):
// it too appends one event per new post and moves a stale index entry
// of an expired post under the same id to the new post's time. The
// tests elsewhere run the one-script path of a single Redis.
//
// Both paths write the same records and the same events: the inline
// script builds the post.scheduled event itself, and events.Event.Fields
// is the form it must keep to.
func TestSchedulingOnTheClusterPath(t *testing.T) {
	type written struct {
		records map[string]map[string]string
		events  []map[string]any
	}
	paths := map[bool]written{}
	for _, inline := range []bool{false, true} {
		t.Run(map[bool]string{false: "split", true: "inline"}[inline], func(t *testing.T) {
			db := redistest.New(t)
			ctx := context.Background()
			c := NewClient(db.Client)
			c.store.inlineEvents = inline
			mk := func(id string, at time.Time) Post {
				return Post{ID: id, AccountID: "a", Platform: "sandbox", PublishAt: at, Content: publishers.Content{Text: "t " + id}}
			}
			key := accountPostsKey("a")
			db.Client.ZAdd(ctx, key, redisZ(1000, "one")) // left by an expired post
			at := time.Now().Add(time.Hour).Truncate(time.Second)
			if _, err := c.SchedulePost(ctx, mk("one", at)); err != nil {
				t.Fatal(err)
			}
			if _, err := c.SchedulePost(ctx, mk("one", at)); err != nil {
				t.Fatal(err)
			}
			if _, err := c.SchedulePosts(ctx, []Post{mk("two", at), mk("one", at)}); err != nil {
				t.Fatal(err)
			}
			for _, id := range []string{"one", "two"} {
				if s := db.Client.ZScore(ctx, key, id).Val(); int64(s) != at.UnixMilli() {
					t.Errorf("index score of %s: %v, want %d", id, s, at.UnixMilli())
				}
			}
			if n := db.Client.XLen(ctx, events.Stream).Val(); n != 2 {
				t.Errorf("%d events, want 2 (one per new post)", n)
			}
			var w written
			w.records = map[string]map[string]string{}
			for _, id := range []string{"one", "two"} {
				h := db.Client.HGetAll(ctx, recordKey(id)).Val()
				delete(h, "updated_at")
				w.records[id] = h
			}
			for _, m := range db.Client.XRange(ctx, events.Stream, "-", "+").Val() {
				e, err := events.Parse(m)
				if err != nil || e.Type != events.PostScheduled || e.State != string(StateScheduled) || e.AccountID != "a" || e.Platform != "sandbox" {
					t.Errorf("event %v: %+v, %v", m.Values, e, err)
				}
				delete(m.Values, "at")
				w.events = append(w.events, m.Values)
			}
			paths[inline] = w
		})
	}
	if !reflect.DeepEqual(paths[false], paths[true]) {
		t.Errorf("the paths wrote differently:\nsplit  %v\ninline %v", paths[false], paths[true])
	}
}
