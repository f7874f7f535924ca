package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/heraldhq/herald/jobs"
)

// listAll follows q's cursors to the end and returns the post ids seen.
func (e *env) listAll(q jobs.ListQuery) []string {
	e.t.Helper()
	var ids []string
	for range 1000 {
		page, err := e.client.ListPosts(context.Background(), q)
		if err != nil {
			e.t.Fatalf("ListPosts(%+v): %v", q, err)
		}
		if len(page.Posts) > max(q.Limit, 0) && q.Limit > 0 {
			e.t.Fatalf("a page of %d posts, limit %d", len(page.Posts), q.Limit)
		}
		for _, p := range page.Posts {
			ids = append(ids, p.PostID)
		}
		if page.NextCursor == "" {
			return ids
		}
		q.Cursor = page.NextCursor
	}
	e.t.Fatal("listing does not end")
	return nil
}

func TestListPostsPagesByPublishTimeThenID(t *testing.T) {
	e := newEnv(t)
	base := time.Now().Add(time.Hour).Truncate(time.Second)
	// Ties at one publish time are ordered by id, bytewise (upper case
	// first): a page boundary inside the tie must neither repeat nor skip.
	for _, id := range []string{"b3", "a1", "B2", "A4"} {
		e.schedule(e.post(id, base))
	}
	e.schedule(e.post("early", base.Add(-time.Minute)))
	e.schedule(e.post("late", base.Add(time.Minute)))
	want := []string{"early", "A4", "B2", "a1", "b3", "late"}
	for _, limit := range []int{1, 2, 3, 6, 500} {
		got := e.listAll(jobs.ListQuery{AccountID: "acct-1", Limit: limit})
		if !slices.Equal(got, want) {
			t.Errorf("limit %d: %v, want %v", limit, got, want)
		}
	}
	page, err := e.client.ListPosts(context.Background(), jobs.ListQuery{AccountID: "acct-1", Limit: 6})
	if err != nil || page.NextCursor != "" || len(page.Posts) != 6 {
		t.Errorf("one full page: %d posts, cursor %q, %v; want 6 and no cursor", len(page.Posts), page.NextCursor, err)
	}
	if st := page.Posts[0]; st.State != jobs.StateScheduled || st.Platform != "sandbox" || st.AccountID != "acct-1" || !st.PublishAt.Equal(base.Add(-time.Minute)) {
		t.Errorf("listed status %+v", st)
	}
}

func TestListPostsCursorIsStableUnderConcurrentWrites(t *testing.T) {
	e := newEnv(t)
	base := time.Now().Add(time.Hour).Truncate(time.Second)
	for i := range 6 {
		e.schedule(e.post(fmt.Sprintf("p%d", i), base.Add(time.Duration(i)*time.Minute)))
	}
	ctx := context.Background()
	first, err := e.client.ListPosts(ctx, jobs.ListQuery{AccountID: "acct-1", Limit: 3})
	if err != nil {
		t.Fatal(err)
	}
	// Between the pages: a post lands before the cursor, one after it,
	// the cursor's own post moves away, and one not yet seen moves back
	// before the cursor. An offset would repeat or skip posts.
	e.schedule(e.post("before", base.Add(-time.Hour)))
	e.schedule(e.post("after", base.Add(150*time.Second)))
	if _, err := e.client.ReschedulePost(ctx, "p2", base.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.ReschedulePost(ctx, "p4", base.Add(-2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	q := jobs.ListQuery{AccountID: "acct-1", Limit: 3, Cursor: first.NextCursor}
	got := e.listAll(q)
	if want := []string{"after", "p3", "p5", "p2"}; !slices.Equal(got, want) {
		t.Errorf("after the first page %v: %v, want %v", ids(first.Posts), got, want)
	}
}

func ids(ps []jobs.PostStatus) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.PostID)
	}
	return out
}

func TestListPostsFiltersByTimeAndState(t *testing.T) {
	e := newEnv(t)
	base := time.Now().Add(time.Hour).Truncate(time.Second)
	for i := range 10 {
		e.schedule(e.post(fmt.Sprintf("p%d", i), base.Add(time.Duration(i)*time.Minute)))
	}
	for _, id := range []string{"p1", "p6", "p7"} {
		if _, err := e.client.CancelPost(context.Background(), id); err != nil {
			t.Fatal(err)
		}
	}
	got := e.listAll(jobs.ListQuery{AccountID: "acct-1", From: base.Add(2 * time.Minute), To: base.Add(5 * time.Minute), Limit: 2})
	if want := []string{"p2", "p3", "p4"}; !slices.Equal(got, want) {
		t.Errorf("from +2m to +5m: %v, want %v", got, want)
	}
	got = e.listAll(jobs.ListQuery{AccountID: "acct-1", State: jobs.StateCanceled, Limit: 2})
	if want := []string{"p1", "p6", "p7"}; !slices.Equal(got, want) {
		t.Errorf("canceled: %v, want %v", got, want)
	}
	page, err := e.client.ListPosts(context.Background(), jobs.ListQuery{AccountID: "acct-1", State: jobs.StateCanceled, Limit: 2})
	if err != nil || len(page.Posts) != 2 || page.NextCursor == "" {
		t.Errorf("first canceled page: %v, cursor %q, %v; want 2 posts and a cursor", ids(page.Posts), page.NextCursor, err)
	}
	if got := e.listAll(jobs.ListQuery{AccountID: "acct-2"}); len(got) != 0 {
		t.Errorf("another account lists %v", got)
	}
}

func TestListPostsRefusesBadQueries(t *testing.T) {
	e := newEnv(t)
	now := time.Now()
	for field, q := range map[string]jobs.ListQuery{
		"account_id": {},
		"limit":      {AccountID: "a", Limit: 501},
		"state":      {AccountID: "a", State: "lost"},
		"to":         {AccountID: "a", From: now, To: now},
		"cursor":     {AccountID: "a", Cursor: "b2Zmc2V0OjM"},
	} {
		_, err := e.client.ListPosts(context.Background(), q)
		if !containsField(err, field) || !errors.Is(err, jobs.ErrInvalid) {
			t.Errorf("%s: %v, want an error naming it", field, err)
		}
	}
}

// A page never holds more than its limit, even when the last chunk a
// filtered scan reads holds more matches than the page has room for.
func TestListPostsFilteredPageEndsAtTheLimit(t *testing.T) {
	e := newEnv(t)
	base := time.Now().Add(time.Hour).Truncate(time.Second)
	for i := range 4 {
		e.schedule(e.post(fmt.Sprintf("q%d", i), base.Add(time.Duration(i)*time.Minute)))
	}
	if _, err := e.client.CancelPost(context.Background(), "q1"); err != nil {
		t.Fatal(err)
	}
	// Chunks of two: [q0 q1] gives q0, [q2 q3] (the last) gives two more.
	q := jobs.ListQuery{AccountID: "acct-1", State: jobs.StateScheduled, Limit: 2}
	page, err := e.client.ListPosts(context.Background(), q)
	if err != nil || len(page.Posts) != 2 || page.NextCursor == "" {
		t.Fatalf("first page %v, cursor %q, %v; want [q0 q2] and a cursor", ids(page.Posts), page.NextCursor, err)
	}
	if got := e.listAll(q); !slices.Equal(got, []string{"q0", "q2", "q3"}) {
		t.Errorf("all pages: %v", got)
	}
}
