package tiktok_test

import (
	"context"
	"fmt"
	"maps"
	"testing"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/tiktok"
	"github.com/heraldhq/herald/publishers/tiktok/tiktoktest"
)

func TestAnalytics(t *testing.T) {
	e := start(t)
	e.srv.SetUserStats(tiktoktest.UserStats{Followers: 1200, Following: 80, Likes: 45000, Videos: 37})
	var ids []string
	for i := range 25 {
		id := fmt.Sprintf("74000000000000%05d", i)
		e.srv.SetStats(id, tiktoktest.Stats{Views: int64(1000 + i), Likes: int64(i), Comments: 2, Shares: 1})
		ids = append(ids, id)
	}
	ids = append(ids, "7499999999999999999", "not-an-id", ids[0])
	a, err := e.p.Analytics(context.Background(), publishers.AnalyticsRequest{
		AccountID: "acct-1", Token: &oauth2.Token{AccessToken: token}, RemoteIDs: ids,
	})
	if err != nil {
		t.Fatal(err)
	}
	if a.Account[publishers.MetricFollowers] != 1200 || a.Account[publishers.MetricLikes] != 45000 || a.Account[tiktok.MetricVideos] != 37 {
		t.Errorf("account %v", a.Account)
	}
	// The raw metrics are TikTok's fields, as the fake answered them.
	if want := (publishers.Metrics{"follower_count": 1200, "following_count": 80, "likes_count": 45000, "video_count": 37}); !maps.Equal(a.RawAccount, want) {
		t.Errorf("raw account %v, want %v", a.RawAccount, want)
	}
	for i, id := range ids[:25] {
		want := publishers.Metrics{"view_count": int64(1000 + i), "like_count": int64(i), "comment_count": 2, "share_count": 1}
		if !maps.Equal(a.RawPosts[id], want) {
			t.Errorf("raw post %s: %v, want %v", id, a.RawPosts[id], want)
		}
	}
	if len(a.RawPosts) != 25 {
		t.Errorf("raw metrics of %d posts, want 25", len(a.RawPosts))
	}
	if len(a.Posts) != 25 {
		t.Errorf("%d posts, want the 25 TikTok knows", len(a.Posts))
	}
	if m := a.Posts[ids[24]]; m[publishers.MetricViews] != 1024 || m[publishers.MetricLikes] != 24 || m[publishers.MetricComments] != 2 || m[publishers.MetricShares] != 1 {
		t.Errorf("post metrics %v", m)
	}
	var batches []int
	for _, c := range e.srv.Calls() {
		if c.Endpoint == tiktoktest.EndpointVideoQuery {
			batches = append(batches, len(c.IDs))
		}
	}
	if fmt.Sprint(batches) != "[20 6]" {
		t.Errorf("video query batches %v, want [20 6]", batches)
	}
	checkClean(t, e.srv, nil)
}

func TestAnalyticsWithoutStatsScope(t *testing.T) {
	e := start(t)
	e.srv.FailNext(tiktoktest.EndpointUserInfo, 1, tiktoktest.Fault{Code: tiktoktest.CodeScopeNotAuthorized})
	a, err := e.p.Analytics(context.Background(), publishers.AnalyticsRequest{Token: &oauth2.Token{AccessToken: token}})
	if err != nil || len(a.Account) != 0 {
		t.Errorf("Analytics = %+v, %v; want empty account metrics", a, err)
	}
	e.srv.FailNext(tiktoktest.EndpointUserInfo, 1, tiktoktest.Fault{Code: tiktoktest.CodeRateLimitExceeded})
	if _, err := e.p.Analytics(context.Background(), publishers.AnalyticsRequest{Token: &oauth2.Token{AccessToken: token}}); publishers.ClassOf(err) != publishers.ClassRateLimited {
		t.Errorf("err = %v, want rate limited", err)
	}
}
