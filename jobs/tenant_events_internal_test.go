package jobs

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/publishers"
)

// TestScriptsAppendToThePostsTenantsStream: the scripts that append
// their events themselves (create, begin, finish) put a tenant's post's
// events in that tenant's stream, with the app's ids and the tenant
// named, as the Writer does on the split (Cluster) path.
func TestScriptsAppendToThePostsTenantsStream(t *testing.T) {
	for _, inline := range []bool{true, false} {
		t.Run(map[bool]string{false: "split", true: "inline"}[inline], func(t *testing.T) {
			db := redistest.New(t)
			ctx := context.Background()
			s := newStore(db.Client, time.Now, 1000, nil)
			s.inlineEvents = inline
			p := Post{ID: "shop~p1", AccountID: "shop~acct-1", Platform: "sandbox", PublishAt: time.Now().Add(-time.Second), Content: publishers.Content{Text: "hi"}}
			if inline {
				if r := s.createInline(ctx, p, 0); r.err != nil || !r.created {
					t.Fatalf("createInline = %v, %v", r.created, r.err)
				}
			} else {
				if _, _, created, _, err := s.create(ctx, p); err != nil || !created {
					t.Fatalf("create = %v, %v", created, err)
				}
				s.afterCreate(ctx, []Post{p})
			}
			if r, err := s.begin(ctx, p.ID, "owner-1", time.Hour, nil); err != nil || r.Verdict != "begun" {
				t.Fatalf("begin = %+v, %v", r, err)
			}
			ev := &events.Event{PostID: p.ID, AccountID: p.AccountID, Platform: p.Platform, State: string(StatePublished), Attempt: 1}
			if _, err := s.finish(ctx, p.ID, "owner-1", []State{StatePublishing}, ev, "state", string(StatePublished)); err != nil {
				t.Fatal(err)
			}
			if n := db.Client.XLen(ctx, events.Stream).Val(); n != 0 {
				t.Errorf("the default tenant's stream got %d of shop's events", n)
			}
			var types []string
			for _, m := range db.Client.XRange(ctx, events.StreamOf("shop"), "-", "+").Val() {
				e, err := events.Parse(m)
				if err != nil {
					t.Fatal(err)
				}
				types = append(types, e.Type)
				if e.Tenant != "shop" || e.AccountID != "acct-1" || e.PostID != "p1" {
					t.Errorf("shop's stream holds %+v", e)
				}
			}
			if want := []string{events.PostScheduled, events.PostPublishing, events.PostPublished}; !slices.Equal(types, want) {
				t.Errorf("shop's stream: %v, want %v", types, want)
			}
		})
	}
}
