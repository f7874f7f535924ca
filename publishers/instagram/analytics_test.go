package instagram_test

import (
	"context"
	"maps"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/instagram"
	"github.com/heraldhq/herald/publishers/instagram/instagramtest"
)

func TestAnalytics(t *testing.T) {
	e := start(t)
	var ids []string
	for _, req := range []publishers.Request{
		request(&memory{}, "an image", image("a")),
		request(&memory{}, "a reel", video("b")),
		func() publishers.Request {
			r := request(&memory{}, "", image("c"))
			r.Content.Options = map[string]string{"media_type": "STORIES"}
			return r
		}(),
	} {
		res, err := e.p.Publish(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.RemoteID)
	}
	e.clk.Advance(time.Hour)
	e.srv.SetAccountStats(user, instagramtest.AccountStats{Followers: 5150, Reach: 2400, Views: 9100})
	e.srv.SetMediaStats(ids[0], instagramtest.MediaStats{Views: 800, Reach: 640, Likes: 90, Comments: 12, Shares: 5, Saved: 9})
	e.srv.SetMediaStats(ids[2], instagramtest.MediaStats{Views: 300, Reach: 250, Comments: 4, Shares: 2})
	a, err := e.p.Analytics(context.Background(), publishers.AnalyticsRequest{
		AccountID: "acct-1", PlatformUserID: user, Token: &oauth2.Token{AccessToken: token},
		RemoteIDs: append(ids, "18000000000099999", "not-an-id"), Since: epoch.Add(-24 * time.Hour),
	})
	if err != nil {
		t.Fatal(err)
	}
	// The raw metrics are Graph's names and the fake's numbers.
	if want := (publishers.Metrics{"followers_count": 5150, "media_count": 3, "reach": 2400, "views": 9100}); !maps.Equal(a.RawAccount, want) {
		t.Errorf("raw account %v, want %v", a.RawAccount, want)
	}
	wantRaw := map[string]publishers.Metrics{
		ids[0]: {"like_count": 90, "comments_count": 12, "views": 800, "reach": 640, "likes": 90, "comments": 12, "shares": 5, "saved": 9, "total_interactions": 116},
		ids[2]: {"like_count": 0, "comments_count": 4, "views": 300, "reach": 250, "shares": 2, "replies": 4, "total_interactions": 6},
	}
	for id, want := range wantRaw {
		if !maps.Equal(a.RawPosts[id], want) {
			t.Errorf("raw post %s: %v, want %v", id, a.RawPosts[id], want)
		}
	}
	if len(a.RawPosts) != 3 || len(a.RawPosts[ids[1]]) == 0 {
		t.Errorf("raw metrics %v, want the three known posts", a.RawPosts)
	}
	if a.Posts[ids[0]][publishers.MetricLikes] != 90 || a.Account[publishers.MetricFollowers] != 5150 {
		t.Errorf("common metrics %v, %v disagree with the raw ones", a.Account, a.Posts[ids[0]])
	}
	for _, name := range []string{publishers.MetricFollowers, instagram.MetricMediaCount, publishers.MetricReach, publishers.MetricViews} {
		if a.Account[name] <= 0 {
			t.Errorf("account %s = %d: %v", name, a.Account[name], a.Account)
		}
	}
	if len(a.Posts) != 3 {
		t.Errorf("metrics for %d posts, want 3 (unknown ones left out): %v", len(a.Posts), a.Posts)
	}
	want := map[string][]string{
		ids[0]: {publishers.MetricViews, publishers.MetricReach, publishers.MetricLikes, publishers.MetricComments, publishers.MetricShares, instagram.MetricSaved, instagram.MetricTotalInteractions},
		ids[1]: {publishers.MetricViews, publishers.MetricReach, publishers.MetricLikes, publishers.MetricComments, publishers.MetricShares, instagram.MetricSaved},
		ids[2]: {publishers.MetricViews, publishers.MetricReach, publishers.MetricShares, instagram.MetricReplies},
	}
	for id, names := range want {
		m := a.Posts[id]
		for _, name := range names {
			if _, ok := m[name]; !ok {
				t.Errorf("post %s lacks %s: %v", id, name, m)
			}
		}
		if m[publishers.MetricViews] <= 0 || m[publishers.MetricLikes] > m[publishers.MetricViews] {
			t.Errorf("post %s metrics implausible: %v", id, m)
		}
	}
	checkNoTokenInURLs(t, e.srv)
}

func TestAnalyticsWithoutInsightsKeepsLikes(t *testing.T) {
	e := start(t)
	res, err := e.p.Publish(context.Background(), request(&memory{}, "quiet", image("a")))
	if err != nil {
		t.Fatal(err)
	}
	e.srv.FailNext(instagramtest.EndpointInsights, -1, instagramtest.Fault{Code: 10, Message: "(#10) Not enough viewers for the media to show insights"})
	a, err := e.p.Analytics(context.Background(), publishers.AnalyticsRequest{
		PlatformUserID: user, Token: &oauth2.Token{AccessToken: token}, RemoteIDs: []string{res.RemoteID},
	})
	if err != nil {
		t.Fatal(err)
	}
	m := a.Posts[res.RemoteID]
	if _, ok := m[publishers.MetricLikes]; !ok || len(m) != 2 {
		t.Errorf("metrics %v, want likes and comments only", m)
	}
}

func TestAnalyticsErrorsAreClassified(t *testing.T) {
	e := start(t)
	e.srv.FailNext(instagramtest.EndpointRead, 1, instagramtest.Fault{Code: 190})
	_, err := e.p.Analytics(context.Background(), publishers.AnalyticsRequest{PlatformUserID: user, Token: &oauth2.Token{AccessToken: token}})
	if publishers.ClassOf(err) != publishers.ClassReauth || !strings.Contains(err.Error(), "read account") {
		t.Errorf("err = %v, want reauth naming the step", err)
	}
	e.srv.FailNext(instagramtest.EndpointInsights, 1, instagramtest.Fault{Code: 4})
	_, err = e.p.Analytics(context.Background(), publishers.AnalyticsRequest{PlatformUserID: user, Token: &oauth2.Token{AccessToken: token}})
	if publishers.ClassOf(err) != publishers.ClassRateLimited {
		t.Errorf("err = %v, want rate limited", err)
	}
	_, err = e.p.Analytics(context.Background(), publishers.AnalyticsRequest{Token: &oauth2.Token{AccessToken: token}})
	if publishers.ClassOf(err) != publishers.ClassPermanent {
		t.Errorf("without ig-user-id: err = %v, want permanent", err)
	}
}
