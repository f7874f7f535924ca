package heraldtest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/heraldtest"
	"github.com/heraldhq/herald/internal/eventually"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/tenant"
	"github.com/heraldhq/herald/tokens"
)

// A tenant's Client publishes the tenant's post to its account, and the
// post is the tenant's alone: the default tenant's Client does not see
// it, and the same id stays free there.
func TestForTenantSchedulesTheTenantsPosts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	h := heraldtest.Start(t)
	err := h.Vault.Connect(ctx, tokens.Account{
		ID: tenant.Qualify("acme", "acct-1"), Platform: "sandbox", PlatformUserID: "sandbox-acme-1",
		Token: &oauth2.Token{AccessToken: heraldtest.SandboxAccessToken, TokenType: "Bearer"},
	})
	if err != nil {
		t.Fatal(err)
	}
	acme := h.ForTenant("acme")
	if acme.Tenant() != "acme" || h.Client.Tenant() != tenant.Default {
		t.Fatalf("tenants %q and %q", acme.Tenant(), h.Client.Tenant())
	}
	if _, err := acme.SchedulePost(ctx, jobs.Post{ID: "post-1", Platform: "sandbox", PublishAt: time.Now(), AccountID: "acct-1", Content: hello("post-1").Content}); err != nil {
		t.Fatalf("acme schedules post-1: %v", err)
	}
	var st jobs.PostStatus
	eventually.True(t, 15*time.Second, func() bool {
		st, err = acme.PostStatus(ctx, "post-1")
		return err == nil && st.State.Final()
	}, "acme's post-1 done")
	if st.State != jobs.StatePublished || st.PostID != "post-1" || st.AccountID != "acct-1" {
		t.Fatalf("acme's post-1: %+v", st)
	}
	if _, err := h.Client.PostStatus(ctx, "post-1"); !errors.Is(err, jobs.ErrNotFound) {
		t.Errorf("the default tenant reads acme's post-1: %v", err)
	}
	// The default tenant has no acct-1: its post-1 is another post.
	h.ConnectAccount(t, "acct-1")
	h.SchedulePost(t, hello("post-1"))
	h.WaitPublished(t, "post-1")
	if n := len(h.Published()); n != 2 {
		t.Errorf("the sandbox holds %d posts, want acme's and the default tenant's", n)
	}
}

func TestForTenantRefusesABadName(t *testing.T) {
	t.Parallel()
	h := heraldtest.Start(t)
	if _, err := h.ForTenant("no tenant!").PostStatus(context.Background(), "post-1"); err == nil || errors.Is(err, jobs.ErrNotFound) {
		t.Errorf("a bad tenant name reads posts: %v", err)
	}
}
