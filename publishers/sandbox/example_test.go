package sandbox_test

import (
	"context"
	"fmt"
	"strings"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/publisherstest"
	"github.com/heraldhq/herald/publishers/sandbox"
	"github.com/heraldhq/herald/publishers/sandbox/sandboxtest"
)

func ExamplePublisher_Publish() {
	platform := sandboxtest.New()
	defer platform.Close()
	platform.FailNext(1, sandboxtest.Fault{Status: 503})

	p := sandbox.New(platform.URL(), nil)
	req := publishers.Request{
		PostID:      "post-1",
		AccountID:   "acct-1",
		Content:     publishers.Content{Text: "Hello from Herald"},
		Token:       &oauth2.Token{AccessToken: "any token"},
		Checkpoints: &publisherstest.Checkpoints{}, // shared by every attempt of post-1
	}
	for attempt := 1; attempt <= 3; attempt++ {
		req.Attempt = attempt
		res, err := p.Publish(context.Background(), req)
		if err != nil {
			fmt.Printf("attempt %d: %v\n", attempt, err)
			continue
		}
		fmt.Printf("attempt %d: published %s at %s\n", attempt, res.RemoteID, strings.TrimPrefix(res.URL, platform.URL()))
		break
	}
	fmt.Println("posts for post-1:", platform.Published("post-1"))
	// Output:
	// attempt 1: transient: sandbox: create draft: 503 unavailable: Service Unavailable
	// attempt 2: published p_1 at /p/p_1
	// posts for post-1: 1
}
