package heraldtest_test

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/heraldtest"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/tenant"
	"github.com/heraldhq/herald/tokens"
)

// Outside a test (here, an Example; or a TestMain that shares one
// Herald), New starts Herald and Close stops it. In a test, Start(t)
// does both, and ConnectAccount, SchedulePost and WaitPublished fail t
// instead of returning errors.
func Example() {
	ctx := context.Background()
	h, err := heraldtest.New(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer h.Close()

	err = h.Vault.Connect(ctx, tokens.Account{
		ID: "acct-1", Platform: "sandbox", PlatformUserID: "sb-1",
		Token: &oauth2.Token{AccessToken: "any", TokenType: "Bearer"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = h.Client.SchedulePost(ctx, jobs.Post{
		ID: "launch-42", AccountID: "acct-1", Platform: "sandbox", PublishAt: time.Now(),
		Content: publishers.Content{Text: "We launched"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	st, err := h.Wait(ctx, "launch-42")
	fmt.Println(st.State, err)
	for _, p := range h.Published() {
		fmt.Printf("the platform shows %q for %s\n", p.Text, p.Ref)
	}
	// Output:
	// published <nil>
	// the platform shows "We launched" for launch-42
}

// A fault the platform keeps answering fails the post, with the
// platform's reason.
func Example_fault() {
	ctx := context.Background()
	h, err := heraldtest.New(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer h.Close()
	_ = h.Vault.Connect(ctx, tokens.Account{ID: "acct-1", Platform: "sandbox", PlatformUserID: "sb-1",
		Token: &oauth2.Token{AccessToken: "any", TokenType: "Bearer"}})

	h.Sandbox.FailRef("post-1", -1, heraldtest.Fault{Status: 422, Message: "image too small"})
	_, _ = h.Client.SchedulePost(ctx, jobs.Post{ID: "post-1", AccountID: "acct-1", Platform: "sandbox",
		PublishAt: time.Now(), Content: publishers.Content{Text: "A picture"}})

	st, err := h.Wait(ctx, "post-1")
	fmt.Println(st.State, st.FailureClass, err)
	fmt.Println(len(h.Published()), "posts at the platform")
	// Output:
	// failed permanent <nil>
	// 0 posts at the platform
}

// A tenant's Client schedules and reads that tenant's posts; its
// accounts are connected under the tenant's qualified id.
func ExampleHerald_ForTenant() {
	ctx := context.Background()
	h, err := heraldtest.New(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer h.Close()
	err = h.Vault.Connect(ctx, tokens.Account{ID: tenant.Qualify("acme", "acct-1"), Platform: "sandbox", PlatformUserID: "sb-1",
		Token: &oauth2.Token{AccessToken: "any", TokenType: "Bearer"}})
	if err != nil {
		fmt.Println(err)
		return
	}

	acme := h.ForTenant("acme")
	_, err = acme.SchedulePost(ctx, jobs.Post{ID: "launch-42", AccountID: "acct-1", Platform: "sandbox",
		PublishAt: time.Now().Add(time.Hour), Content: publishers.Content{Text: "We launched"}})
	fmt.Println(err)

	st, err := acme.PostStatus(ctx, "launch-42")
	fmt.Println(st.State, st.AccountID, err)
	_, err = h.Client.PostStatus(ctx, "launch-42")
	fmt.Println("default tenant:", err)
	// Output:
	// <nil>
	// scheduled acct-1 <nil>
	// default tenant: post launch-42: post not found
}
