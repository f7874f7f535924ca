package jobs_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/internal/eventually"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/tokens"
)

// TestClientActsForItsTenant: Clients of two tenants (and the default)
// use the same post and account ids; each method reaches its own
// tenant's only, answers with the app's ids, and finds the other's as
// missing.
func TestClientActsForItsTenant(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	shop, blog, def := e.client.ForTenant("shop"), e.client.ForTenant("blog"), e.client
	if shop.Tenant() != "shop" || def.Tenant() != "default" {
		t.Fatalf("Tenant() = %q, %q", shop.Tenant(), def.Tenant())
	}
	at := map[*jobs.Client]time.Time{shop: time.Now().Add(time.Hour).Truncate(time.Second)}
	at[blog] = at[shop].Add(time.Minute)
	at[def] = at[shop].Add(2 * time.Minute)
	for _, c := range []*jobs.Client{shop, blog, def} {
		for _, id := range []string{"p1", "p2"} {
			st, err := c.SchedulePost(ctx, e.post(id, at[c]))
			if err != nil || st.PostID != id || st.AccountID != "acct-1" {
				t.Fatalf("%s: SchedulePost(%s) = %+v, %v", c.Tenant(), id, st, err)
			}
		}
		res, err := c.SchedulePosts(ctx, []jobs.Post{e.post("p3", at[c]), e.post("p1", at[c])})
		if err != nil || res[0].Result != jobs.ResultCreated || res[1].Result != jobs.ResultUnchanged ||
			res[1].Status.PostID != "p1" || res[1].Status.AccountID != "acct-1" || !res[1].Status.PublishAt.Equal(at[c]) {
			t.Fatalf("%s: SchedulePosts = %+v, %v", c.Tenant(), res, err)
		}
	}
	pShop := e.post("p-shop", at[shop])
	pShop.AccountID = "acct-shop"
	_, err := shop.SchedulePost(ctx, pShop)
	if err != nil {
		t.Fatal(err)
	}

	for _, c := range []*jobs.Client{shop, blog, def} {
		st, err := c.PostStatus(ctx, "p1")
		if err != nil || st.PostID != "p1" || !st.PublishAt.Equal(at[c]) {
			t.Errorf("%s: PostStatus(p1) = %+v, %v", c.Tenant(), st, err)
		}
		// Pages of one post: the cursor continues in the tenant's own index.
		var ids []string
		q := jobs.ListQuery{AccountID: "acct-1", Limit: 1}
		for range 10 {
			page, err := c.ListPosts(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range page.Posts {
				ids = append(ids, p.PostID)
				if !p.PublishAt.Equal(at[c]) || p.AccountID != "acct-1" {
					t.Errorf("%s: ListPosts shows %+v", c.Tenant(), p)
				}
			}
			if strings.Contains(page.NextCursor, "~") {
				t.Errorf("a cursor shows a stored id: %s", page.NextCursor)
			}
			if q.Cursor = page.NextCursor; q.Cursor == "" {
				break
			}
			if len(ids) > 3 {
				break // the listing repeats itself
			}
		}
		if strings.Join(ids, ",") != "p1,p2,p3" {
			t.Errorf("%s: ListPosts = %v", c.Tenant(), ids)
		}
		var exported []string
		err = c.ExportPosts(ctx, jobs.ListQuery{AccountID: "acct-1", Limit: 2}, func(p jobs.ExportedPost) error {
			if p.ID != p.Status.PostID || p.AccountID != "acct-1" || p.Status.AccountID != "acct-1" || !p.PublishAt.Equal(at[c]) {
				t.Errorf("%s: exported %+v", c.Tenant(), p)
			}
			exported = append(exported, p.ID)
			if len(exported) > 3 {
				return errors.New("the export repeats itself")
			}
			return nil
		})
		if err != nil || strings.Join(exported, ",") != "p1,p2,p3" {
			t.Errorf("%s: ExportPosts = %v, %v", c.Tenant(), exported, err)
		}
	}

	// Another tenant's post is a missing one, for every method.
	for _, c := range []*jobs.Client{blog, def} {
		for name, call := range map[string]func() error{
			"PostStatus":     func() error { _, err := c.PostStatus(ctx, "p-shop"); return err },
			"CancelPost":     func() error { _, err := c.CancelPost(ctx, "p-shop"); return err },
			"ReschedulePost": func() error { _, err := c.ReschedulePost(ctx, "p-shop", at[c]); return err },
			"EditPost": func() error {
				_, err := c.EditPost(ctx, "p-shop", jobs.Edit{Content: &publishers.Content{Text: "x"}})
				return err
			},
			"LatestAnalytics": func() error { _, err := c.LatestAnalytics(ctx, "acct-1"); return err },
		} {
			if err := call(); !errors.Is(err, jobs.ErrNotFound) || strings.Contains(err.Error(), "~") {
				t.Errorf("%s: %s of shop's: %v, want ErrNotFound naming the app's id", c.Tenant(), name, err)
			}
		}
		page, err := c.ListPosts(ctx, jobs.ListQuery{AccountID: "acct-1"})
		if err != nil || len(page.Posts) != 3 {
			t.Errorf("%s lists %d posts, %v", c.Tenant(), len(page.Posts), err)
		}
	}

	// A stored id is no app id: the default tenant, whose ids are stored
	// as they are, cannot name shop's with one.
	for name, call := range map[string]func() error{
		"PostStatus":     func() error { _, err := def.PostStatus(ctx, "shop~p-shop"); return err },
		"CancelPost":     func() error { _, err := def.CancelPost(ctx, "shop~p-shop"); return err },
		"ReschedulePost": func() error { _, err := def.ReschedulePost(ctx, "shop~p-shop", at[def]); return err },
		"EditPost":       func() error { _, err := def.EditPost(ctx, "shop~p-shop", jobs.Edit{}); return err },
		"ExpireFinal":    func() error { return def.ExpireFinal(ctx, "shop~p-shop") },
		"ListPosts":      func() error { _, err := def.ListPosts(ctx, jobs.ListQuery{AccountID: "shop~acct-1"}); return err },
		"SchedulePost":   func() error { _, err := def.SchedulePost(ctx, e.post("shop~p-shop", at[def])); return err },
		"LookUpPending":  func() error { _, err := def.LookUpPending(ctx, "shop~acct-1"); return err },
		"History":        func() error { _, err := def.AnalyticsHistory(ctx, "shop~acct-1"); return err },
		"Refresh":        func() error { return def.RefreshAnalytics(ctx, "shop~acct-1", "sandbox") },
	} {
		if err := call(); !errors.Is(err, jobs.ErrInvalid) {
			t.Errorf("default: %s(shop~...) = %v, want ErrInvalid", name, err)
		}
	}

	// Each changes its own only.
	if _, err := blog.CancelPost(ctx, "p1"); err != nil {
		t.Fatal(err)
	}
	if _, err := shop.EditPost(ctx, "p2", jobs.Edit{Content: &publishers.Content{Text: "shop's edit"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := def.ReschedulePost(ctx, "p3", at[def].Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	for c, want := range map[*jobs.Client]jobs.State{shop: jobs.StateScheduled, blog: jobs.StateCanceled, def: jobs.StateScheduled} {
		if st, _ := c.PostStatus(ctx, "p1"); st.State != want {
			t.Errorf("%s's p1 is %s, want %s", c.Tenant(), st.State, want)
		}
		if st, _ := c.PostStatus(ctx, "p3"); c != def && !st.PublishAt.Equal(at[c]) {
			t.Errorf("%s's p3 moved with default's: %v", c.Tenant(), st.PublishAt)
		}
	}
	var edited string
	_ = shop.ExportPosts(ctx, jobs.ListQuery{AccountID: "acct-1"}, func(p jobs.ExportedPost) error {
		if p.ID == "p2" {
			edited = p.Content.Text
		}
		return nil
	})
	if edited != "shop's edit" {
		t.Errorf("shop's p2 reads %q", edited)
	}
	_ = blog.ExportPosts(ctx, jobs.ListQuery{AccountID: "acct-1"}, func(p jobs.ExportedPost) error {
		if p.ID == "p2" && p.Content.Text != "Post p2" {
			t.Errorf("blog's p2 took shop's edit: %q", p.Content.Text)
		}
		return nil
	})
}

// A Client bound to no tenant name refuses to act.
func TestClientWithBadTenant(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, c := range []*jobs.Client{e.client.ForTenant("Shop"), jobs.NewClient(e.rdb, jobs.WithTenant("a~b"))} {
		_, err1 := c.SchedulePost(ctx, e.post("p1", time.Now().Add(time.Hour)))
		_, err2 := c.PostStatus(ctx, "p1")
		_, err3 := c.SchedulePosts(ctx, []jobs.Post{e.post("p1", time.Now().Add(time.Hour))})
		_, err4 := c.ListPosts(ctx, jobs.ListQuery{AccountID: "acct-1"})
		for _, err := range []error{err1, err2, err3, err4} {
			var fe *jobs.FieldError
			if !errors.As(err, &fe) || fe.Field != "tenant" {
				t.Errorf("%s: %v, want a FieldError on tenant", c.Tenant(), err)
			}
		}
	}
}

// A tenant's post goes out through the worker with the tenant's account
// (task ids, payloads and the Vault carry stored ids), and a disconnect
// of one tenant's account cancels that tenant's posts only.
func TestTenantPostsPublishAndDisconnectApart(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	vault := e.sandboxVault() // the default tenant's acct-1
	tok := &oauth2.Token{AccessToken: "shop-token", TokenType: "Bearer"}
	if err := vault.Connect(ctx, tokens.Account{ID: "shop~acct-1", Platform: "sandbox", PlatformUserID: "sb-shop", Token: tok}); err != nil {
		t.Fatal(err)
	}
	shop := e.client.ForTenant("shop")
	if _, err := shop.SchedulePost(ctx, e.post("p1", time.Now())); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Hour)
	if _, err := shop.SchedulePost(ctx, e.post("p2", later)); err != nil {
		t.Fatal(err)
	}
	e.schedule(e.post("p2", later)) // the default tenant's p2
	e.startWorker(e.registry(nil), nil)
	var st jobs.PostStatus
	eventually.True(t, 15*time.Second, func() bool {
		st, _ = shop.PostStatus(ctx, "p1")
		return st.State == jobs.StatePublished
	}, "shop's p1 published (last: %+v)", &st)
	if st.PostID != "p1" || st.AccountID != "acct-1" {
		t.Fatalf("shop's p1: %+v", st)
	}
	if _, err := e.client.PostStatus(ctx, "p1"); !errors.Is(err, jobs.ErrNotFound) {
		t.Errorf("the default tenant sees shop's p1: %v", err)
	}
	if err := vault.Disconnect(ctx, "shop~acct-1"); err != nil {
		t.Fatal(err)
	}
	if st, _ := shop.PostStatus(ctx, "p2"); st.State != jobs.StateCanceled {
		t.Errorf("shop's p2 after shop's disconnect: %s", st.State)
	}
	if st := e.status("p2"); st.State != jobs.StateScheduled {
		t.Errorf("the default tenant's p2 after shop's disconnect: %s", st.State)
	}
	// The account:revoke job of shop's account runs (its payload names
	// the stored id) and ends the revocation.
	eventually.True(t, 15*time.Second, func() bool {
		info, err := vault.Info(ctx, "shop~acct-1")
		return err == nil && info.Status == tokens.StatusDisconnected
	}, "shop's acct-1 revoked")
	if info, _ := vault.Info(ctx, "acct-1"); info.Status != tokens.StatusActive {
		t.Errorf("the default tenant's acct-1 is %s", info.Status)
	}
}

// The retention sweep is operator-wide: it walks every tenant's indexes
// (their keys name stored ids), whatever its Client's tenant.
func TestRetentionSweepWalksEveryTenant(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	shop := e.client.ForTenant("shop")
	if _, err := shop.SchedulePost(ctx, e.post("done", time.Now().Add(time.Hour))); err != nil {
		t.Fatal(err)
	}
	if _, err := shop.CancelPost(ctx, "done"); err != nil {
		t.Fatal(err)
	}
	// A final record whose writer did not call ExpireFinal.
	if err := e.rdb.Persist(ctx, "herald:{post:shop~done}").Err(); err != nil {
		t.Fatal(err)
	}
	st, err := e.client.NewRetentionSweep().Step(ctx, 100)
	if err != nil || st.Examined != 1 || st.Expiring != 1 {
		t.Fatalf("sweep: %+v, %v; want shop's record examined and given its expiry", st, err)
	}
	if d := recordTTL(t, e.rdb, "shop~done"); d <= 0 {
		t.Errorf("shop's canceled record expires in %v", d)
	}
}
