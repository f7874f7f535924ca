package jobs_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/jobs"
)

// grouped is a post of group g at at.
func (e *env) grouped(id, g string, at time.Time) jobs.Post {
	p := e.post(id, at)
	p.GroupID = g
	return p
}

func TestGroupStatusListsItsPosts(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	base := time.Now().Add(time.Hour).Truncate(time.Second)
	e.schedule(e.grouped("g-yt", "launch", base.Add(2*time.Minute)))
	e.schedule(e.grouped("g-li", "launch", base))
	if _, err := e.client.SchedulePosts(ctx, []jobs.Post{e.grouped("g-ig", "launch", base.Add(time.Minute)), e.grouped("other", "teaser", base)}); err != nil {
		t.Fatal(err)
	}
	e.schedule(e.post("loose", base))
	g, err := e.client.GroupStatus(ctx, "launch")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range g.Posts {
		ids = append(ids, p.PostID)
		if p.GroupID != "launch" || p.State != jobs.StateScheduled {
			t.Errorf("post %+v, want scheduled in group launch", p)
		}
	}
	if want := []string{"g-li", "g-ig", "g-yt"}; !slices.Equal(ids, want) {
		t.Errorf("group posts %v, want %v (by publish time)", ids, want)
	}
	if _, err := e.client.GroupStatus(ctx, "nothing"); !errors.Is(err, jobs.ErrNotFound) {
		t.Errorf("unknown group: %v, want ErrNotFound", err)
	}
	if _, err := e.client.GroupStatus(ctx, "bad id!"); !errors.Is(err, jobs.ErrInvalid) {
		t.Errorf("bad group id: %v, want ErrInvalid", err)
	}
	p := e.grouped("bad", "no spaces", base)
	var fe *jobs.FieldError
	if _, err := e.client.SchedulePost(ctx, p); !errors.As(err, &fe) || fe.Field != "group_id" {
		t.Errorf("bad group_id scheduled: %v, want a group_id field error", err)
	}
}

func TestCancelGroupCancelsWhatIsNotPublished(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.startWorker(e.registry(nil), nil)
	e.schedule(e.grouped("c-now", "sale", time.Now()))
	e.waitState("c-now", jobs.StatePublished, 10*time.Second)
	later := time.Now().Add(time.Hour)
	e.schedule(e.grouped("c-later-1", "sale", later))
	e.schedule(e.grouped("c-later-2", "sale", later.Add(time.Minute)))
	res, err := e.client.CancelGroup(ctx, "sale")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range res {
		got[r.PostID] = r.Result
		if r.Result == jobs.CancelRefused && !errors.Is(r.Err, jobs.ErrAlreadyPublished) {
			t.Errorf("%s refused with %v, want ErrAlreadyPublished", r.PostID, r.Err)
		}
	}
	want := map[string]string{"c-now": jobs.CancelRefused, "c-later-1": jobs.CancelCanceled, "c-later-2": jobs.CancelCanceled}
	if len(got) != 3 || got["c-now"] != want["c-now"] || got["c-later-1"] != want["c-later-1"] || got["c-later-2"] != want["c-later-2"] {
		t.Fatalf("results %v, want %v", got, want)
	}
	if st := e.status("c-later-2"); st.State != jobs.StateCanceled {
		t.Errorf("c-later-2 is %s, want canceled", st.State)
	}
	if n := e.sandbox.Published("c-now"); n != 1 {
		t.Errorf("c-now published %d times, want 1", n)
	}
}

func TestEventsCarryTheGroup(t *testing.T) {
	e := newEnv(t)
	e.startWorker(e.registry(nil), nil)
	e.schedule(e.grouped("ev-1", "campaign-9", time.Now()))
	e.waitState("ev-1", jobs.StatePublished, 10*time.Second)
	seen := map[string]bool{}
	for _, ev := range e.streamEvents("acct-1") {
		if ev.PostID != "ev-1" {
			continue
		}
		seen[ev.Type] = true
		if ev.GroupID != "campaign-9" {
			t.Errorf("%s has group %q, want campaign-9", ev.Type, ev.GroupID)
		}
	}
	for _, typ := range []string{events.PostScheduled, events.PostPublishing, events.PostPublished} {
		if !seen[typ] {
			t.Errorf("no %s event", typ)
		}
	}
}

func TestEraseTakesPostsOutOfTheirGroups(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	vault := e.sandboxVault()
	e.schedule(e.grouped("er-1", "g-erase", time.Now().Add(time.Hour)))
	if _, err := vault.Erase(ctx, "acct-1"); err != nil {
		t.Fatal(err)
	}
	// Before any read, which would tidy the index up.
	if n := e.rdb.ZCard(ctx, "herald:{group:g-erase}:posts").Val(); n != 0 {
		t.Errorf("the group's index still names %d posts of the erased account", n)
	}
	if _, err := e.client.GroupStatus(ctx, "g-erase"); !errors.Is(err, jobs.ErrNotFound) {
		t.Errorf("group after erase: %v, want ErrNotFound", err)
	}
}

// A post id used again after its record expired belongs to its new
// post's group only.
func TestReusedPostIDLeavesItsOldGroup(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.schedule(e.grouped("reused", "old-campaign", time.Now().Add(time.Hour)))
	e.rdb.Del(ctx, "herald:{post:reused}") // as the retention does
	e.schedule(e.grouped("reused", "new-campaign", time.Now().Add(2*time.Hour)))
	if g, err := e.client.GroupStatus(ctx, "old-campaign"); !errors.Is(err, jobs.ErrNotFound) {
		t.Errorf("old group: %+v, %v; want ErrNotFound", g, err)
	}
	if g, err := e.client.GroupStatus(ctx, "new-campaign"); err != nil || len(g.Posts) != 1 {
		t.Errorf("new group: %+v, %v", g, err)
	}
}
