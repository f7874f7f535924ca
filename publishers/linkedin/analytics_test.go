package linkedin_test

import (
	"context"
	"fmt"
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
	// The post's social actions are newer than its statistics.
	e.srv.SetSocialActions(share, linkedintest.SocialActions{Likes: 9, Comments: 5, FirstLevelComments: 3})
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
	if got := a.Posts[share]; !maps.Equal(got, publishers.Metrics{"impressions": 100, "reach": 80, linkedin.MetricClicks: 5, "likes": 9, "comments": 5, "shares": 1}) {
		t.Errorf("share %v, want its social actions' likes and comments", got)
	}
	if got := a.Posts[video]; got["impressions"] != 10 || got["likes"] != 1 {
		t.Errorf("video %v", got)
	}
	if len(a.Posts) != 2 {
		t.Errorf("posts %v", a.Posts)
	}
	// The raw metrics are LinkedIn's names and the fake's numbers.
	wantRawAccount := publishers.Metrics{"impressionCount": 1000, "uniqueImpressionsCount": 700, "clickCount": 50, "likeCount": 40, "commentCount": 6, "shareCount": 3, "firstDegreeSize": 321}
	if !maps.Equal(a.RawAccount, wantRawAccount) {
		t.Errorf("raw account %v, want %v", a.RawAccount, wantRawAccount)
	}
	wantRaw := map[string]publishers.Metrics{
		share: {"impressionCount": 100, "uniqueImpressionsCount": 80, "clickCount": 5, "likeCount": 4, "commentCount": 2, "shareCount": 1,
			"totalLikes": 9, "aggregatedTotalComments": 5, "totalFirstLevelComments": 3},
		video: {"impressionCount": 10, "uniqueImpressionsCount": 0, "clickCount": 0, "likeCount": 1, "commentCount": 0, "shareCount": 0},
	}
	for id, want := range wantRaw {
		if !maps.Equal(a.RawPosts[id], want) {
			t.Errorf("raw %s: %v, want %v", id, a.RawPosts[id], want)
		}
	}
	if len(a.RawPosts) != 2 {
		t.Errorf("raw posts %v", a.RawPosts)
	}
	var social []linkedintest.Call
	for _, c := range e.srv.Calls() {
		if c.Endpoint == linkedintest.EndpointSocialActions {
			social = append(social, c)
		}
	}
	if len(social) != 1 || social[0].Query.Get("ids") != "List("+share+","+video+")" {
		t.Errorf("social actions calls %+v, want one BATCH_GET of both posts", social)
	}
	checkCalls(t, e.srv)
}

func TestMemberAnalytics(t *testing.T) {
	e := start(t)
	post := "urn:li:share:21"
	e.srv.SetMemberAnalytics("me", map[string]int64{"IMPRESSION": 500, "MEMBERS_REACHED": 300, "RESHARE": 2, "REACTION": 30, "COMMENT": 4})
	e.srv.SetMemberAnalytics(post, map[string]int64{"IMPRESSION": 50, "MEMBERS_REACHED": 30, "REACTION": 3})
	e.srv.SetSocialActions(post, linkedintest.SocialActions{Likes: 7, Comments: 4, FirstLevelComments: 2})
	a, err := e.p.Analytics(context.Background(), publishers.AnalyticsRequest{
		PlatformUserID: member, Token: &oauth2.Token{AccessToken: token}, RemoteIDs: []string{post},
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := (publishers.Metrics{"impressions": 500, "reach": 300, "shares": 2, "likes": 30, "comments": 4}); !maps.Equal(a.Account, want) {
		t.Errorf("account %v, want %v", a.Account, want)
	}
	if want := (publishers.Metrics{"impressions": 50, "reach": 30, "shares": 0, "likes": 7, "comments": 4}); !maps.Equal(a.Posts[post], want) {
		t.Errorf("post %v, want %v (likes and comments from social actions)", a.Posts[post], want)
	}
	if want := (publishers.Metrics{"IMPRESSION": 500, "MEMBERS_REACHED": 300, "RESHARE": 2, "REACTION": 30, "COMMENT": 4}); !maps.Equal(a.RawAccount, want) {
		t.Errorf("raw account %v, want %v", a.RawAccount, want)
	}
	wantRaw := publishers.Metrics{"IMPRESSION": 50, "MEMBERS_REACHED": 30, "RESHARE": 0, "REACTION": 3, "COMMENT": 0,
		"totalLikes": 7, "aggregatedTotalComments": 4, "totalFirstLevelComments": 2}
	if !maps.Equal(a.RawPosts[post], wantRaw) {
		t.Errorf("raw post %v, want %v", a.RawPosts[post], wantRaw)
	}
	checkCalls(t, e.srv)
}

func TestSocialActionsOfPublishedPosts(t *testing.T) {
	e := start(t)
	// 25 member posts published through Herald: two BATCH_GETs, 20 and 5.
	var ids []string
	for i := range 25 {
		res, err := e.p.Publish(context.Background(), request(&memory{}, member, fmt.Sprintf("Post %d", i)))
		if err != nil {
			t.Fatal(err)
		}
		e.srv.SetSocialActions(res.RemoteID, linkedintest.SocialActions{Likes: int64(100 + i), Comments: int64(i), FirstLevelComments: int64(i / 2)})
		ids = append(ids, res.RemoteID)
	}
	a, err := e.p.Analytics(context.Background(), publishers.AnalyticsRequest{
		PlatformUserID: member, Token: &oauth2.Token{AccessToken: token}, RemoteIDs: append(ids, "urn:li:share:99"),
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		if m := a.Posts[id]; m["likes"] != int64(100+i) || m["comments"] != int64(i) {
			t.Errorf("post %d: %v", i, m)
		}
		if r := a.RawPosts[id]; r["totalLikes"] != int64(100+i) || r["aggregatedTotalComments"] != int64(i) || r["totalFirstLevelComments"] != int64(i/2) {
			t.Errorf("post %d raw: %v", i, r)
		}
	}
	// A post LinkedIn does not know keeps what the statistics said.
	if r := a.RawPosts["urn:li:share:99"]; r["totalLikes"] != 0 || len(r) != 5 {
		t.Errorf("unknown post raw %v, want its member analytics only", r)
	}
	var batches []int
	for _, c := range e.srv.Calls() {
		if c.Endpoint == linkedintest.EndpointSocialActions {
			batches = append(batches, strings.Count(c.Query.Get("ids"), ",")+1)
		}
	}
	if fmt.Sprint(batches) != "[20 6]" {
		t.Errorf("social actions batches %v, want [20 6]", batches)
	}
	checkCalls(t, e.srv)
}

func TestSocialActionsFailures(t *testing.T) {
	tests := []struct {
		name  string
		fault linkedintest.Fault
		class publishers.Class // -1: no error
	}{
		{"no read scope", linkedintest.Fault{Status: 403, Code: "ACCESS_DENIED", ServiceErrorCode: 100, Message: "Not enough permissions to access: socialActions.BATCH_GET.20240101"}, -1},
		{"revoked", linkedintest.Fault{Status: 401, Code: "REVOKED_ACCESS_TOKEN", ServiceErrorCode: 65601}, publishers.ClassReauth},
		{"throttled", linkedintest.Fault{Status: 429, Header: linkedintest.RetryAfter(60)}, publishers.ClassRateLimited},
		{"server error", linkedintest.Fault{Status: 503}, publishers.ClassTransient},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := start(t)
			post := "urn:li:share:31"
			e.srv.SetMemberAnalytics(post, map[string]int64{"REACTION": 3, "COMMENT": 1})
			e.srv.SetSocialActions(post, linkedintest.SocialActions{Likes: 7, Comments: 4})
			e.srv.FailNext(linkedintest.EndpointSocialActions, 1, tt.fault)
			a, err := e.p.Analytics(context.Background(), publishers.AnalyticsRequest{
				PlatformUserID: member, Token: &oauth2.Token{AccessToken: token}, RemoteIDs: []string{post},
			})
			if tt.class < 0 {
				if err != nil || a.Posts[post]["likes"] != 3 || a.Posts[post]["comments"] != 1 || a.RawPosts[post]["REACTION"] != 3 {
					t.Errorf("Analytics = %+v, %v; want the statistics' numbers", a, err)
				}
				return
			}
			if publishers.ClassOf(err) != tt.class || !strings.Contains(err.Error(), "social actions") {
				t.Errorf("err = %v, want %s naming the step", err, tt.class)
			}
		})
	}
}

// A refused permission is not the token's fault: permanent, naming it.
func TestAnalyticsWithoutScopeNamesIt(t *testing.T) {
	e := start(t)
	e.srv.FailNext(linkedintest.EndpointMemberAnalytics, 1, linkedintest.Fault{Status: 403, Code: "ACCESS_DENIED"})
	_, err := e.p.Analytics(context.Background(), publishers.AnalyticsRequest{PlatformUserID: member, Token: &oauth2.Token{AccessToken: token}})
	if publishers.ClassOf(err) != publishers.ClassPermanent || !strings.Contains(err.Error(), "r_member_postAnalytics") {
		t.Errorf("err = %v", err)
	}
}
