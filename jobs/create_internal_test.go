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
// script builds the record itself from recordArgs, as newRecordLua does
// for the split path, and both pass events.Event.Fields.
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
			// A tenant's post in a group: its record keeps the group, its
			// event goes to the tenant's stream with the app's ids.
			shop := Post{ID: "three", AccountID: "a", GroupID: "g", Platform: "sandbox", PublishAt: at, Content: publishers.Content{Text: "t"}}
			if _, err := c.ForTenant("shop").SchedulePost(ctx, shop); err != nil {
				t.Fatal(err)
			}
			if g := db.Client.HGet(ctx, recordKey("shop~three"), "group").Val(); g != "shop~g" {
				t.Errorf("record's group = %q, want shop~g", g)
			}
			shopEvents := db.Client.XRange(ctx, events.StreamOf("shop"), "-", "+").Val()
			if len(shopEvents) != 1 {
				t.Fatalf("shop's stream has %d events, want 1", len(shopEvents))
			}
			if e, err := events.Parse(shopEvents[0]); err != nil || e.Tenant != "shop" || e.PostID != "three" || e.AccountID != "a" || e.GroupID != "g" {
				t.Errorf("shop's event %v: %+v, %v; want tenant shop, post three, account a, group g", shopEvents[0].Values, e, err)
			}
			delete(shopEvents[0].Values, "at")
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
			for _, id := range []string{"one", "two", "shop~three"} {
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
			w.events = append(w.events, shopEvents[0].Values)
			paths[inline] = w
		})
	}
	if !reflect.DeepEqual(paths[false], paths[true]) {
		t.Errorf("the paths wrote differently:\nsplit  %v\ninline %v", paths[false], paths[true])
	}
}
