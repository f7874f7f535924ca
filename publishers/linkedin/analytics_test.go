package linkedin_test

import (
	"context"
	"maps"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/linkedin"
	"github.com/heraldhq/herald/publishers/linkedin/linkedintest"
)

func TestOrganizationAnalytics(t *testing.T) {
	e := start(t)
	share, video := "urn:li:share:11", "urn:li:ugcPost:12"
	e.srv.SetShareStatistics(org, linkedintest.Stats{Impressions: 1000, UniqueImpressions: 700, Clicks: 50, Likes: 40, Comments: 6, Shares: 3})
	e.srv.SetShareStatistics(share, linkedintest.Stats{Impressions: 100, UniqueImpressions: 80, Clicks: 5, Likes: 4, Comments: 2, Shares: 1})
	e.srv.SetShareStatistics(video, linkedintest.Stats{Impressions: 10, Likes: 1})
	e.srv.SetFollowers(org, 321)
	a, err := e.p.Analytics(context.Background(), publishers.AnalyticsRequest{
		PlatformUserID: org, Token: &oauth2.Token{AccessToken: token},
		RemoteIDs: []string{share, video, "not-a-post"},
	})
	if err != nil {
		t.Fatal(err)
	}
	wantAccount := publishers.Metrics{"impressions": 1000, "reach": 700, linkedin.MetricClicks: 50, "likes": 40, "comments": 6, "shares": 3, "followers": 321}
	if !maps.Equal(a.Account, wantAccount) {
		t.Errorf("account %v, want %v", a.Account, wantAccount)
	}
	if got := a.Posts[share]; !maps.Equal(got, publishers.Metrics{"impressions": 100, "reach": 80, linkedin.MetricClicks: 5, "likes": 4, "comments": 2, "shares": 1}) {
		t.Errorf("share %v", got)
	}
	if got := a.Posts[video]; got["impressions"] != 10 || got["likes"] != 1 {
		t.Errorf("video %v", got)
	}
	if len(a.Posts) != 2 {
		t.Errorf("posts %v", a.Posts)
	}
	checkCalls(t, e.srv)
}

func TestMemberAnalytics(t *testing.T) {
	e := start(t)
	post := "urn:li:share:21"
	e.srv.SetMemberAnalytics("me", map[string]int64{"IMPRESSION": 500, "MEMBERS_REACHED": 300, "RESHARE": 2, "REACTION": 30, "COMMENT": 4})
	e.srv.SetMemberAnalytics(post, map[string]int64{"IMPRESSION": 50, "MEMBERS_REACHED": 30, "REACTION": 3})
	a, err := e.p.Analytics(context.Background(), publishers.AnalyticsRequest{
		PlatformUserID: member, Token: &oauth2.Token{AccessToken: token}, RemoteIDs: []string{post},
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := (publishers.Metrics{"impressions": 500, "reach": 300, "shares": 2, "likes": 30, "comments": 4}); !maps.Equal(a.Account, want) {
		t.Errorf("account %v, want %v", a.Account, want)
	}
	if want := (publishers.Metrics{"impressions": 50, "reach": 30, "shares": 0, "likes": 3, "comments": 0}); !maps.Equal(a.Posts[post], want) {
		t.Errorf("post %v, want %v", a.Posts[post], want)
	}
}

func TestAnalyticsWithoutScopeNamesIt(t *testing.T) {
	e := start(t)
	e.srv.FailNext(linkedintest.EndpointMemberAnalytics, 1, linkedintest.Fault{Status: 403, Code: "ACCESS_DENIED"})
	_, err := e.p.Analytics(context.Background(), publishers.AnalyticsRequest{PlatformUserID: member, Token: &oauth2.Token{AccessToken: token}})
	if publishers.ClassOf(err) != publishers.ClassReauth || !strings.Contains(err.Error(), "r_member_postAnalytics") {
		t.Errorf("err = %v", err)
	}
}
