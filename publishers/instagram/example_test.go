package instagram_test

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/instagram"
	"github.com/heraldhq/herald/publishers/instagram/instagramtest"
)

func ExamplePublisher_Publish() {
	graph := instagramtest.New()
	defer graph.Close()
	// The answer to media_publish gets lost: the post went out, but the
	// worker cannot know.
	graph.FailNext(instagramtest.EndpointPublish, 1, instagramtest.Fault{Lost: true})

	p := instagram.New(instagram.Options{BaseURL: graph.URL()})
	req := publishers.Request{
		PostID:         "post-1",
		AccountID:      "acct-1",
		PlatformUserID: "17841400000000001",
		Content: publishers.Content{
			Text:  "Two views of the harbour #sunset",
			Media: []publishers.Media{{URL: "https://cdn.example.com/1.jpg", Kind: "image"}, {URL: "https://cdn.example.com/2.jpg", Kind: "image"}},
		},
		Token:       &oauth2.Token{AccessToken: "any token"},
		Checkpoints: &memory{}, // shared by every attempt of post-1
	}
	for attempt := 1; attempt <= 3; attempt++ {
		req.Attempt = attempt
		res, err := p.Publish(context.Background(), req)
		if err != nil {
			fmt.Printf("attempt %d: %s\n", attempt, publishers.ClassOf(err))
			continue
		}
		fmt.Printf("attempt %d: published %s\n", attempt, res.RemoteID)
		break
	}
	fmt.Println("posts:", graph.Published("Two views of the harbour #sunset"))
	// Output:
	// attempt 1: transient
	// attempt 2: published 18000000000000004
	// posts: 1
}

func ExamplePublisher_Publish_reel() {
	graph := instagramtest.New()
	defer graph.Close()
	graph.SetProcessing(instagramtest.Processing{Duration: time.Hour}) // a long video

	p := instagram.New(instagram.Options{BaseURL: graph.URL(), MaxWait: time.Millisecond, HandBack: time.Minute})
	_, err := p.Publish(context.Background(), publishers.Request{
		PlatformUserID: "17841400000000001",
		Content: publishers.Content{
			Text:    "Behind the scenes",
			Media:   []publishers.Media{{URL: "https://cdn.example.com/bts.mp4", Kind: "video"}},
			Options: map[string]string{instagram.OptionMediaType: instagram.MediaTypeReels, instagram.OptionShareToFeed: "true"},
		},
		Token:       &oauth2.Token{AccessToken: "any token"},
		Checkpoints: &memory{},
	})
	after, _ := publishers.RetryAfter(err)
	fmt.Println(publishers.ClassOf(err), after)
	// Output:
	// rate_limited 1m0s
}

func ExampleRefreshDue() {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	tok := &oauth2.Token{AccessToken: "long-lived", Expiry: now.Add(10 * 24 * time.Hour)}
	fmt.Println(instagram.RefreshDue(tok, now))
	// Output: true
}

func ExampleLoginOf() {
	// Recorded with the token when the account was connected ...
	tok := instagram.WithLogin(&oauth2.Token{AccessToken: "opaque"}, instagram.LoginInstagram)
	fmt.Println(instagram.LoginOf(tok, instagram.LoginFacebook))
	// ... or read from the token's form.
	fmt.Println(instagram.LoginOf(&oauth2.Token{AccessToken: "EAAGm0PX4ZCps"}, instagram.LoginInstagram))
	// Output:
	// instagram
	// facebook
}
