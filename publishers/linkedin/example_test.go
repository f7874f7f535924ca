package linkedin_test

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/linkedin"
	"github.com/heraldhq/herald/publishers/linkedin/linkedintest"
)

func ExamplePublisher_Publish() {
	api := linkedintest.New()
	defer api.Close()
	// The fake sunsets LinkedIn-Versions on its clock, as LinkedIn does.
	now := func() time.Time { return time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC) }
	api.SetClock(now)
	// The answer to POST /rest/posts gets lost: the post went out, but
	// the worker cannot know.
	api.FailNext(linkedintest.EndpointCreatePost, 1, linkedintest.Fault{Lost: true})

	p := linkedin.New(linkedin.Options{BaseURL: api.URL(), Version: "202607", Now: now})
	req := publishers.Request{
		PostID:         "post-1",
		AccountID:      "acct-1",
		PlatformUserID: "urn:li:organization:2414183",
		Content:        publishers.Content{Text: "We launched (finally) #launch"},
		Token:          &oauth2.Token{AccessToken: "any token"},
		Checkpoints:    &memory{}, // shared by every attempt of post-1
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
	fmt.Println("posts:", api.Created("We launched (finally) #launch"))
	fmt.Println("sent:", api.Posts()[0].Commentary)
	// Output:
	// attempt 1: transient
	// attempt 2: published urn:li:share:7100000000000000001
	// posts: 1
	// sent: We launched \(finally\) #launch
}

func ExampleEscapeText() {
	fmt.Println(linkedin.EscapeText("Q&A (live) with @ada at 5pm #AMA, C# welcome"))
	// Output: Q&A \(live\) with \@ada at 5pm #AMA, C\# welcome
}

func ExampleOAuth_Refresh() {
	api := linkedintest.New()
	defer api.Close()
	o := linkedin.OAuth{TokenURL: api.TokenURL(), ClientID: "78abc", ClientSecret: "secret"}
	// tokens.Platform{Refresh: o.Refresh} wires it into the Vault.
	_, err := o.Refresh(context.Background(), nil, &oauth2.Token{AccessToken: "a"})
	if re, ok := err.(*oauth2.RetrieveError); ok {
		fmt.Println(re.ErrorCode) // the Vault marks the account reauth_required
	}
	// Output: invalid_grant
}

func ExampleReconnectDue() {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	tok := &oauth2.Token{AccessToken: "60-day token", Expiry: now.Add(5 * 24 * time.Hour)}
	fmt.Println(linkedin.ReconnectDue(tok, now, linkedin.DefaultReconnectLead))
	// Output: true
}

func ExamplePublisher_Analytics() {
	api := linkedintest.New()
	defer api.Close()
	api.SetClock(func() time.Time { return time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC) })
	api.SetShareStatistics("urn:li:share:1", linkedintest.Stats{Impressions: 120, Likes: 9})
	api.SetSocialActions("urn:li:share:1", linkedintest.SocialActions{Likes: 11, Comments: 2})

	p := linkedin.New(linkedin.Options{BaseURL: api.URL(), Version: "202607"})
	a, err := p.Analytics(context.Background(), publishers.AnalyticsRequest{
		PlatformUserID: "urn:li:organization:2414183",
		Token:          &oauth2.Token{AccessToken: "any token"},
		RemoteIDs:      []string{"urn:li:share:1"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	m, raw := a.Posts["urn:li:share:1"], a.RawPosts["urn:li:share:1"]
	fmt.Println(m[publishers.MetricImpressions], m[publishers.MetricLikes], m[publishers.MetricComments])
	fmt.Println(raw["impressionCount"], raw["likeCount"], raw["totalLikes"], raw["aggregatedTotalComments"])
	// Output:
	// 120 11 2
	// 120 9 11 2
}

func ExampleCommentary() {
	text := "Welcome @[Ada Lovelace](urn:li:person:8675309abc) to the team (finally) #hiring"
	fmt.Println(linkedin.Commentary(text))
	fmt.Println(linkedin.Mentions(text))
	// Output:
	// Welcome @[Ada Lovelace](urn:li:person:8675309abc) to the team \(finally\) #hiring
	// [urn:li:person:8675309abc]
}

func ExampleVersionMonth() {
	month, ok := linkedin.VersionMonth(linkedin.DefaultVersion)
	fmt.Println(month.Format("January 2006"), ok)
	// Output: July 2026 true
}
