package instagram_test

import (
	"context"
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
	a, err := e.p.Analytics(context.Background(), publishers.AnalyticsRequest{
		AccountID: "acct-1", PlatformUserID: user, Token: &oauth2.Token{AccessToken: token},
		RemoteIDs: append(ids, "18000000000099999", "not-an-id"), Since: epoch.Add(-24 * time.Hour),
	})
	if err != nil {
		t.Fatal(err)
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
