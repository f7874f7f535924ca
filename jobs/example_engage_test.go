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

// One campaign on two platforms: the posts name a group, the app reads
// the group's posts and cancels what has not gone out yet. A first
// comment rides along with a post; TikTok takes none.
func ExampleClient_GroupStatus() {
	h, err := heraldtest.New(context.Background(), heraldtest.NoWorker())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer h.Close()
	client := jobs.NewClient(h.Redis, jobs.WithCapabilities(map[string]publishers.Capabilities{
		"youtube": {CommentLimit: 10000, Remove: true}, "tiktok": {},
	}))
	ctx := context.Background()
	at := time.Now().Add(time.Hour)
	for _, p := range []jobs.Post{
		{ID: "launch-yt", GroupID: "launch", AccountID: "acct-7", Platform: "youtube", PublishAt: at,
			Content: publishers.Content{Title: "We launched", FirstComment: "#launch https://example.com",
				Media: []publishers.Media{{URL: "https://cdn.example.com/launch.mp4", Kind: publishers.MediaVideo}}}},
		{ID: "launch-tt", GroupID: "launch", AccountID: "acct-8", Platform: "tiktok", PublishAt: at.Add(time.Minute),
			Content: publishers.Content{Text: "We launched",
				Media: []publishers.Media{{URL: "https://cdn.example.com/launch.mp4", Kind: publishers.MediaVideo}}}},
	} {
		if _, err := client.SchedulePost(ctx, p); err != nil {
			fmt.Println(err)
		}
	}
	g, _ := client.GroupStatus(ctx, "launch")
	for _, p := range g.Posts {
		fmt.Println(p.PostID, p.State)
	}
	res, _ := client.CancelGroup(ctx, "launch")
	for _, r := range res {
		fmt.Println(r.PostID, r.Result)
	}
	_, err = client.SchedulePost(ctx, jobs.Post{ID: "tt-2", AccountID: "acct-8", Platform: "tiktok", PublishAt: at,
		Content: publishers.Content{Text: "hi", FirstComment: "#fyp"}})
	fmt.Println(err)
	_, err = client.UnpublishPost(ctx, "launch-yt")
	fmt.Println(errors.Is(err, jobs.ErrNotPublished))
	// Output:
	// launch-yt scheduled
	// launch-tt scheduled
	// launch-yt canceled
	// launch-tt canceled
	// content.first_comment: tiktok takes no first comment: its API cannot comment on posts
	// true
}
