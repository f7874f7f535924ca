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

// A product app schedules a post, learns that scheduling it again is
// harmless, and that another post cannot take its id.
func ExampleClient_SchedulePost() {
	h, err := heraldtest.New(context.Background(), heraldtest.NoWorker()) // a private Redis for the example
	if err != nil {
		fmt.Println(err)
		return
	}
	defer h.Close()
	rdb := h.Redis // in production: config.Load() then cfg.Redis.NewClient()
	client := jobs.NewClient(rdb)
	ctx := context.Background()

	post := jobs.Post{
		ID:        "launch-42",
		AccountID: "acct-7",
		Platform:  "youtube",
		PublishAt: time.Now().Add(time.Hour),
		Content: publishers.Content{
			Title: "We launched",
			Media: []publishers.Media{{URL: "https://cdn.example.com/launch.mp4", Kind: publishers.MediaVideo}},
		},
	}
	st, err := client.SchedulePost(ctx, post)
	fmt.Println(st.State, err)

	st, err = client.SchedulePost(ctx, post) // a retry of the same request
	fmt.Println(st.State, err)

	post.Content.Title = "Something else"
	_, err = client.SchedulePost(ctx, post)
	fmt.Println(errors.Is(err, jobs.ErrConflict))

	st, err = client.CancelPost(ctx, "launch-42")
	fmt.Println(st.State, err)
	// Output:
	// scheduled <nil>
	// scheduled <nil>
	// true
	// canceled <nil>
}

// Validation names every wrong field.
func ExamplePost_Validate() {
	err := jobs.Post{ID: "bad id", Platform: "My Space"}.Validate()
	fmt.Println(err)
	// Output:
	// post_id: may contain only letters, digits and . _ : -
	// account_id: required
	// platform: "My Space": 2 to 32 of a-z and 0-9, starting with a letter
	// publish_at: required (RFC 3339 with a time zone)
	// content: empty: give a title, text or media
}

// TikTok's post.publish.publicly_available webhook names a user whose
// post left moderation: LookUpPending asks at once for the ids of the
// account's posts published while TikTok withheld them (none here).
func ExampleClient_LookUpPending() {
	h, err := heraldtest.New(context.Background(), heraldtest.NoWorker())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer h.Close()
	client := jobs.NewClient(h.Redis)
	n, err := client.LookUpPending(context.Background(), "acct-7")
	fmt.Println(n, err)
	// Output:
	// 0 <nil>
}
