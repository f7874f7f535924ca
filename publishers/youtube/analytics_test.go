package youtube_test

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/publisherstest"
	"github.com/heraldhq/herald/publishers/youtube/youtubetest"
)

func TestAnalyticsMatchTheFake(t *testing.T) {
	e := setup(t)
	var ids []string
	for i := range 2 {
		res, err := e.p.Publish(context.Background(), e.request(fmt.Sprint("post-", i), 1000, &publisherstest.Checkpoints{}))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.RemoteID)
	}
	e.srv.SetVideoStats(ids[0], youtubetest.VideoStats{Views: 12345678901, Likes: 321, Comments: 7, Dislikes: 4})
	e.srv.SetVideoStats(ids[1], youtubetest.VideoStats{Views: 5})
	e.srv.SetChannelStats("acct-1", 4200, 99999)
	// 100 well-formed ids YouTube does not know, so that the ids take
	// three calls, and two malformed ones that are never sent.
	req := publishers.AnalyticsRequest{AccountID: "acct-1", Token: &oauth2.Token{AccessToken: e.tok.AccessToken}}
	for i := range 100 {
		req.RemoteIDs = append(req.RemoteIDs, fmt.Sprintf("gone_%06d", i))
	}
	req.RemoteIDs = append(req.RemoteIDs, ids[0], "bad,id", "", ids[1])

	a, err := e.p.Analytics(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	wantAccount := publishers.Metrics{publishers.MetricFollowers: 4200, publishers.MetricViews: 99999}
	if !reflect.DeepEqual(a.Account, wantAccount) {
		t.Errorf("account %v, want %v", a.Account, wantAccount)
	}
	wantPosts := map[string]publishers.Metrics{
		ids[0]: {publishers.MetricViews: 12345678901, publishers.MetricLikes: 321, publishers.MetricComments: 7},
		ids[1]: {publishers.MetricViews: 5, publishers.MetricLikes: 0, publishers.MetricComments: 0},
	}
	if !reflect.DeepEqual(a.Posts, wantPosts) {
		t.Errorf("posts %v, want %v", a.Posts, wantPosts)
	}
	// The raw metrics are YouTube's statistics as the fake answered them.
	wantRawAccount := publishers.Metrics{"subscriberCount": 4200, "viewCount": 99999, "videoCount": 2}
	if !reflect.DeepEqual(a.RawAccount, wantRawAccount) {
		t.Errorf("raw account %v, want %v", a.RawAccount, wantRawAccount)
	}
	wantRawPosts := map[string]publishers.Metrics{
		ids[0]: {"viewCount": 12345678901, "likeCount": 321, "commentCount": 7, "favoriteCount": 0, "dislikeCount": 4},
		ids[1]: {"viewCount": 5, "likeCount": 0, "commentCount": 0, "favoriteCount": 0},
	}
	if !reflect.DeepEqual(a.RawPosts, wantRawPosts) {
		t.Errorf("raw posts %v, want %v", a.RawPosts, wantRawPosts)
	}
	if n := e.srv.Count(youtubetest.OpVideosList, 200); n != 3 {
		t.Errorf("%d videos.list calls, want 3 (50 ids each)", n)
	}
}

// A count beyond int64 saturates, and the common metrics agree with the
// raw ones.
func TestAnalyticsHugeCountsAgree(t *testing.T) {
	e := setup(t)
	res, err := e.p.Publish(context.Background(), e.request("post-huge", 1000, &publisherstest.Checkpoints{}))
	if err != nil {
		t.Fatal(err)
	}
	id := res.RemoteID
	e.srv.SetVideoStats(id, youtubetest.VideoStats{Views: math.MaxUint64, Likes: 1 << 63, Comments: 3})
	e.srv.SetChannelStats("acct-1", math.MaxUint64, 1<<63)
	req := publishers.AnalyticsRequest{AccountID: "acct-1", Token: &oauth2.Token{AccessToken: e.tok.AccessToken}, RemoteIDs: []string{id}}
	a, err := e.p.Analytics(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	wantAccount := publishers.Metrics{publishers.MetricFollowers: math.MaxInt64, publishers.MetricViews: math.MaxInt64}
	if !reflect.DeepEqual(a.Account, wantAccount) {
		t.Errorf("account %v, want %v", a.Account, wantAccount)
	}
	// The raw metrics clamp as the common ones do.
	if r := a.RawAccount; r["subscriberCount"] != math.MaxInt64 || r["viewCount"] != math.MaxInt64 {
		t.Errorf("raw account %v, want both counts clamped to MaxInt64", r)
	}
	wantPost := publishers.Metrics{publishers.MetricViews: math.MaxInt64, publishers.MetricLikes: math.MaxInt64, publishers.MetricComments: 3}
	if !reflect.DeepEqual(a.Posts[id], wantPost) {
		t.Errorf("post %v, want %v", a.Posts[id], wantPost)
	}
	if r := a.RawPosts[id]; r["viewCount"] != math.MaxInt64 || r["likeCount"] != math.MaxInt64 || r["commentCount"] != 3 {
		t.Errorf("raw post %v, want views and likes clamped to MaxInt64 and 3 comments", r)
	}
}

func TestAnalyticsRefreshOnceThenReauth(t *testing.T) {
	e := setup(t)
	var calls atomic.Int32
	req := publishers.AnalyticsRequest{
		AccountID: "acct-1", Token: &oauth2.Token{AccessToken: e.tok.AccessToken},
		ForceRefresh: e.refresher(e.tok.RefreshToken, &calls),
	}
	e.srv.ExpireAccessToken(e.tok.AccessToken)
	if _, err := e.p.Analytics(context.Background(), req); err != nil || calls.Load() != 1 {
		t.Fatalf("err = %v after %d refreshes, want success after 1", err, calls.Load())
	}
	calls.Store(0)
	e.srv.FailNext(youtubetest.OpChannelsList, 2, youtubetest.Fault{Reason: "authError"})
	_, err := e.p.Analytics(context.Background(), req)
	if publishers.ClassOf(err) != publishers.ClassReauth || calls.Load() != 1 || !strings.Contains(err.Error(), "read channel statistics") {
		t.Errorf("err = %v after %d refreshes, want reauth after 1", err, calls.Load())
	}
	e.srv.FailNext(youtubetest.OpChannelsList, 1, youtubetest.Fault{Reason: "quotaExceeded"})
	req.ForceRefresh = nil
	if _, err = e.p.Analytics(context.Background(), req); publishers.ClassOf(err) != publishers.ClassRateLimited {
		t.Errorf("quota: err = %v, want rate limited", err)
	}
}
