package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/heraldhq/herald/heraldtest"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
)

// Two product apps share one Herald. Each binds its Client to its tenant
// once; both may then call a post "launch", and neither can reach the
// other's, not even by naming it.
func ExampleWithTenant() {
	h, err := heraldtest.New(context.Background(), heraldtest.NoWorker())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer h.Close()
	ctx := context.Background()
	shop := jobs.NewClient(h.Redis, jobs.WithTenant("shop")) // the shop app's client
	blog := shop.ForTenant("blog")                           // the same connections, for the blog app

	post := jobs.Post{ID: "launch", AccountID: "acct-1", Platform: "youtube", PublishAt: time.Now().Add(time.Hour),
		Content: publishers.Content{Title: "We launched"}}
	st, err := shop.SchedulePost(ctx, post)
	fmt.Println(st.PostID, st.State, err)
	_, err = blog.PostStatus(ctx, "launch")
	fmt.Println(errors.Is(err, jobs.ErrNotFound))
	st, err = blog.SchedulePost(ctx, post) // blog's own "launch"
	fmt.Println(st.PostID, st.State, err)
	_, err = blog.CancelPost(ctx, "launch")
	st, _ = shop.PostStatus(ctx, "launch")
	fmt.Println(st.State, err)
	_, err = blog.PostStatus(ctx, "shop~launch") // a stored id is no app id
	fmt.Println(errors.Is(err, jobs.ErrInvalid))
	// Output:
	// launch scheduled <nil>
	// true
	// launch scheduled <nil>
	// scheduled <nil>
	// true
}
