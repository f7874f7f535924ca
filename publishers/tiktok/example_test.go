package tiktok_test

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/tiktok"
	"github.com/heraldhq/herald/publishers/tiktok/tiktoktest"
)

func ExamplePublisher_Publish() {
	api := tiktoktest.New()
	defer api.Close()
	api.SetVerifiedPrefixes("https://cdn.example.com/")
	// The status answers get lost: the worker cannot tell how the post
	// went.
	api.FailNext(tiktoktest.EndpointStatus, 3, tiktoktest.Fault{Lost: true})

	p := tiktok.New(tiktok.Options{BaseURL: api.URL(), PullPrefixes: []string{"https://cdn.example.com/"},
		PollInterval: time.Millisecond}) // tests poll fast; TikTok allows 30 status reads a minute
	req := publishers.Request{
		PostID: "post-1",
		Content: publishers.Content{
			Text:    "Launch day #behindthescenes",
			Media:   []publishers.Media{{URL: "https://cdn.example.com/launch.mp4", Kind: publishers.MediaVideo}},
			Options: map[string]string{tiktok.OptionPrivacyLevel: tiktok.PrivacyFollowers},
		},
		Token:       &oauth2.Token{AccessToken: "act.example"},
		Checkpoints: &memory{}, // shared by every attempt of post-1
	}
	for attempt := 1; attempt <= 3; attempt++ {
		res, err := p.Publish(context.Background(), req)
		if err != nil {
			fmt.Printf("attempt %d: %s\n", attempt, publishers.ClassOf(err))
			continue
		}
		fmt.Printf("attempt %d: published, url set: %v\n", attempt, res.URL != "")
		break
	}
	fmt.Println("inits:", api.Inits("Launch day #behindthescenes"), "posts:", api.Published("Launch day #behindthescenes"))
	// Output:
	// attempt 1: transient
	// attempt 2: published, url set: true
	// inits: 1 posts: 1
}

func ExamplePublisher_Publish_moderation() {
	api := tiktoktest.New()
	defer api.Close()
	api.SetVerifiedPrefixes("https://cdn.example.com/")
	api.SetProcessing(tiktoktest.Processing{Duration: 2 * time.Hour}) // a long moderation

	p := tiktok.New(tiktok.Options{BaseURL: api.URL(), PullPrefixes: []string{"https://cdn.example.com/"},
		MaxWait: time.Millisecond, HandBack: 10 * time.Minute})
	_, err := p.Publish(context.Background(), publishers.Request{
		Content: publishers.Content{
			Text:    "Under review",
			Media:   []publishers.Media{{URL: "https://cdn.example.com/a.mp4", Kind: publishers.MediaVideo}},
			Options: map[string]string{tiktok.OptionPrivacyLevel: tiktok.PrivacyPublic},
		},
		Token:       &oauth2.Token{AccessToken: "act.example"},
		Checkpoints: &memory{},
	})
	after, _ := publishers.RetryAfter(err)
	fmt.Println(publishers.ClassOf(err), after)
	// Output:
	// rate_limited 10m0s
}

func ExamplePublisher_RefreshToken() {
	api := tiktoktest.New()
	defer api.Close()
	p := tiktok.New(tiktok.Options{BaseURL: api.URL(), ClientKey: tiktoktest.DefaultClientKey, ClientSecret: tiktoktest.DefaultClientSecret})

	old := api.Issue("open-1")
	fresh, err := p.RefreshToken(context.Background(), nil, old)
	fmt.Println(err, fresh.RefreshToken != old.RefreshToken)
	// TikTok rotated the refresh token: the old one is dead.
	_, err = p.RefreshToken(context.Background(), nil, old)
	fmt.Println(err.(*oauth2.RetrieveError).ErrorCode)
	// Output:
	// <nil> true
	// invalid_grant
}

func ExampleFailReasonClass() {
	for _, r := range []string{"internal", "spam_risk_too_many_posts", "auth_removed", "duration_check_failed"} {
		fmt.Println(r, tiktok.FailReasonClass(r))
	}
	// Output:
	// internal transient
	// spam_risk_too_many_posts rate_limited
	// auth_removed reauth
	// duration_check_failed permanent
}
