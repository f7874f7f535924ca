package youtube_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/publisherstest"
	"github.com/heraldhq/herald/publishers/youtube"
	"github.com/heraldhq/herald/publishers/youtube/youtubetest"
)

func withQuota(t *testing.T, uploads, units, reserve int64) func(*youtube.Options) {
	db := redistest.New(t)
	return func(o *youtube.Options) {
		o.Redis, o.Project = db.Client, "proj-1"
		o.UploadsPerDay, o.UnitsPerDay, o.AnalyticsReserve = uploads, units, reserve
	}
}

func TestUploadBudgetDefersUploadsToTheReset(t *testing.T) {
	e := setup(t, withQuota(t, 1, 1000, 0))
	if _, err := e.p.Publish(context.Background(), e.request("post-1", chunk, &publisherstest.Checkpoints{})); err != nil {
		t.Fatal(err)
	}
	_, err := e.p.Publish(context.Background(), e.request("post-2", chunk, &publisherstest.Checkpoints{}))
	if wait, ok := publishers.RetryAfter(err); !ok || wait != untilPacificMidnight || !strings.Contains(err.Error(), "proj-1") {
		t.Errorf("over budget: err = %v, want rate limited until the reset", err)
	}
	if n := e.srv.Count(youtubetest.OpVideosInsert, 0); n != 1 {
		t.Errorf("%d uploads started, want the one in budget", n)
	}
	u, err := e.p.QuotaUsage(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := youtube.Usage{Project: "proj-1", Uploads: 1, UploadsBudget: 1, Units: 0, UnitsBudget: 1000,
		Reset: time.Date(2030, 1, 16, 8, 0, 0, 0, time.UTC)}
	if !u.Reset.Equal(want.Reset) || u.Uploads != want.Uploads || u.UploadsBudget != want.UploadsBudget || u.UnitsBudget != want.UnitsBudget {
		t.Errorf("usage %+v, want %+v", u, want)
	}
}

func TestQuotaResetsAtPacificMidnight(t *testing.T) {
	now := epoch
	e := setup(t, withQuota(t, 1, 1000, 0), func(o *youtube.Options) { o.Now = func() time.Time { return now } })
	if _, err := e.p.Publish(context.Background(), e.request("post-1", chunk, &publisherstest.Checkpoints{})); err != nil {
		t.Fatal(err)
	}
	now = epoch.Add(untilPacificMidnight) // midnight: a new quota day
	if _, err := e.p.Publish(context.Background(), e.request("post-2", chunk, &publisherstest.Checkpoints{})); err != nil {
		t.Errorf("after the reset: %v", err)
	}
	if u, _ := e.p.QuotaUsage(context.Background()); u.Uploads != 1 {
		t.Errorf("new day's usage %+v, want 1 upload", u)
	}
}

func TestStepsSpendUnits(t *testing.T) {
	db := redistest.New(t)
	e := setup(t, func(o *youtube.Options) {
		o.Redis, o.Project, o.UnitsPerDay = db.Client, "proj-1", 1000
	})
	req := e.request("post-1", chunk, &publisherstest.Checkpoints{})
	req.Content.Options = map[string]string{
		youtube.OptionThumbnailURL: e.files.URL + "/thumb.png",
		youtube.OptionPlaylistID:   e.srv.AddPlaylist("acct-1"),
	}
	if _, err := e.p.Publish(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if u, _ := e.p.QuotaUsage(context.Background()); u.Uploads != 1 || u.Units != 100 {
		t.Errorf("usage %+v, want 1 upload and 100 units", u)
	}
	ttl := db.Client.TTL(context.Background(), "herald:yt:quota:proj-1:20300115").Val()
	if ttl <= 24*time.Hour || ttl > 48*time.Hour {
		t.Errorf("quota key TTL %s, want a day or two", ttl)
	}
}

func TestQuotaExceededStopsOtherJobsUntilTheReset(t *testing.T) {
	e := setup(t, withQuota(t, 100, 1000, 0))
	e.srv.FailNext(youtubetest.OpVideosInsert, 1, youtubetest.Fault{Reason: "quotaExceeded"})
	if _, err := e.p.Publish(context.Background(), e.request("post-1", chunk, &publisherstest.Checkpoints{})); publishers.ClassOf(err) != publishers.ClassRateLimited {
		t.Fatalf("err = %v, want rate limited", err)
	}
	_, err := e.p.Publish(context.Background(), e.request("post-2", chunk, &publisherstest.Checkpoints{}))
	if wait, _ := publishers.RetryAfter(err); wait != untilPacificMidnight {
		t.Errorf("next job: err = %v, want to wait for the reset", err)
	}
	if n := e.srv.Count(youtubetest.OpVideosInsert, 0); n != 1 {
		t.Errorf("%d uploads tried, want only the first", n)
	}
	if u, _ := e.p.QuotaUsage(context.Background()); u.Uploads != 100 {
		t.Errorf("usage %+v, want the upload bucket marked spent", u)
	}
}

func TestAnalyticsLeaveTheReserveToUploads(t *testing.T) {
	// 52 units a day, 50 kept for uploads: analytics get 2 calls.
	e := setup(t, withQuota(t, 100, 52, 50))
	req := publishers.AnalyticsRequest{AccountID: "acct-1", Token: &oauth2.Token{AccessToken: e.tok.AccessToken}}
	for i := range 2 {
		if _, err := e.p.Analytics(context.Background(), req); err != nil {
			t.Fatalf("call %d: %v", i+1, err)
		}
	}
	_, err := e.p.Analytics(context.Background(), req)
	if wait, ok := publishers.RetryAfter(err); !ok || wait != untilPacificMidnight {
		t.Errorf("third call: err = %v, want to wait for the reset", err)
	}
	if n := e.srv.Count(youtubetest.OpChannelsList, 0); n != 2 {
		t.Errorf("%d channel reads, want 2", n)
	}
	// The reserve is for uploads: a playlist insert (50 units) fits.
	pub := e.request("post-1", chunk, &publisherstest.Checkpoints{})
	pub.Content.Options = map[string]string{youtube.OptionPlaylistID: e.srv.AddPlaylist("acct-1")}
	if _, err := e.p.Publish(context.Background(), pub); err != nil {
		t.Fatal(err)
	}
	if v := e.onlyVideo(t); len(v.Playlists) != 1 {
		t.Errorf("video in playlists %v, want one", v.Playlists)
	}
	if u, _ := e.p.QuotaUsage(context.Background()); u.Units != 52 {
		t.Errorf("usage %+v, want all 52 units", u)
	}
}
