package youtube_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/publisherstest"
	"github.com/heraldhq/herald/publishers/youtube"
	"github.com/heraldhq/herald/publishers/youtube/youtubetest"
)

func TestPublishUploadsTheVideoWithItsOptions(t *testing.T) {
	e := setup(t)
	playlist := e.srv.AddPlaylist("acct-1")
	const size = 3*chunk + 1234
	cp := &publisherstest.Checkpoints{}
	req := e.request("post-1", size, cp)
	req.Content.Options = map[string]string{
		youtube.OptionPrivacy:           "unlisted",
		youtube.OptionTags:              "launch, herald ,,video",
		youtube.OptionCategoryID:        "28",
		youtube.OptionMadeForKids:       "false",
		youtube.OptionNotifySubscribers: "false",
		youtube.OptionThumbnailURL:      e.files.URL + "/thumb.png",
		youtube.OptionPlaylistID:        playlist,
	}
	res, err := e.p.Publish(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	v := e.onlyVideo(t)
	if res.RemoteID != v.ID || res.URL != "https://www.youtube.com/watch?v="+v.ID {
		t.Errorf("result %+v, video %s", res, v.ID)
	}
	if v.Title != "Video post-1" || v.Description != "About post-1" || v.Privacy != "unlisted" ||
		strings.Join(v.Tags, "|") != "launch|herald|video" || v.CategoryID != "28" || v.MadeForKids || v.NotifySubscribers {
		t.Errorf("video metadata %+v does not match the post", v)
	}
	if v.Size != size || v.SHA256 != sumOf(size) || v.ContentType != "video/mp4" {
		t.Errorf("video bytes: size %d sha %s type %s; want %d %s video/mp4", v.Size, v.SHA256, v.ContentType, size, sumOf(size))
	}
	if v.Thumbnail == "" || len(v.Playlists) != 1 || v.Playlists[0] != playlist {
		t.Errorf("thumbnail %q, playlists %v", v.Thumbnail, v.Playlists)
	}
	if n := len(e.srv.Uploads()); n != 1 {
		t.Errorf("%d upload sessions, want 1", n)
	}
	if got := e.resent(size); got != 0 {
		t.Errorf("%d bytes sent twice, want none", got)
	}
	for name, want := range map[string]string{
		youtube.CheckpointVideo: v.ID, youtube.CheckpointThumbnail: "set", youtube.CheckpointFinal: "1",
	} {
		if got := cp.Get(name); got != want {
			t.Errorf("checkpoint %s = %q, want %q", name, got, want)
		}
	}
	if cp.Get(youtube.CheckpointPlaylist) == "" || cp.Get(youtube.CheckpointSession) == "" {
		t.Errorf("checkpoints %v lack the playlist item or the session", cp.Saved())
	}

	// Publishing again finds the finished work and calls nothing.
	before := len(e.srv.Calls())
	again, err := e.p.Publish(context.Background(), req)
	if err != nil || again != res {
		t.Errorf("again: %+v, %v; want %+v", again, err, res)
	}
	if n := len(e.srv.Calls()) - before; n != 0 {
		t.Errorf("publishing a published post made %d calls", n)
	}
}

func TestSessionIsSavedBeforeAnyByteIsSent(t *testing.T) {
	e := setup(t)
	var chunksBefore = -1
	cp := &publisherstest.Checkpoints{}
	cp.OnSave = func(name, _ string) {
		if name == youtube.CheckpointSession {
			chunksBefore = e.srv.Count(youtubetest.OpUploadChunk, 0)
		}
	}
	if _, err := e.p.Publish(context.Background(), e.request("post-1", 2*chunk, cp)); err != nil {
		t.Fatal(err)
	}
	if chunksBefore != 0 {
		t.Errorf("session saved after %d chunks, want before any", chunksBefore)
	}
}

func TestConnectionDroppedMidUploadResumes(t *testing.T) {
	e := setup(t, noChunkRetries)
	const size = 5*chunk + 77
	cp := &publisherstest.Checkpoints{}
	e.srv.DropChunk(3, chunk/2+1000) // mid third chunk
	_, err := e.p.Publish(context.Background(), e.request("post-1", size, cp))
	if publishers.ClassOf(err) != publishers.ClassTransient {
		t.Fatalf("first attempt: err = %v, want transient", err)
	}
	if _, err := e.p.Publish(context.Background(), e.request("post-1", size, cp)); err != nil {
		t.Fatalf("second attempt: %v", err)
	}
	v := e.onlyVideo(t)
	if v.Size != size || v.SHA256 != sumOf(size) {
		t.Errorf("video has %d bytes (sha %s), want the %d uploaded", v.Size, v.SHA256, size)
	}
	if n := len(e.srv.Uploads()); n != 1 {
		t.Errorf("%d sessions, want the first one resumed", n)
	}
	if got := e.resent(size); got > chunk {
		t.Errorf("%d bytes resent, more than a chunk (%d)", got, chunk)
	}
}

func TestWorkerKilledMidUploadResumes(t *testing.T) {
	e := setup(t)
	const size = 6 * chunk
	ctx, kill := context.WithCancel(context.Background())
	defer kill()
	// The worker dies once three chunks are committed, as the fourth is
	// on its way. (Counting the media server's bytes instead raced with
	// the kernel's socket buffers, which take megabytes before the
	// session even exists.)
	cp := &publisherstest.Checkpoints{OnSave: func(name, value string) {
		if n, _ := strconv.ParseInt(value, 10, 64); name == youtube.CheckpointOffset && n >= 3*chunk {
			kill()
		}
	}}
	_, err := e.p.Publish(ctx, e.request("post-1", size, cp))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("killed attempt: err = %v, want canceled", err)
	}
	if cp.Get(youtube.CheckpointSession) == "" {
		t.Fatal("no session saved before the kill")
	}
	if _, err := e.p.Publish(context.Background(), e.request("post-1", size, cp)); err != nil {
		t.Fatalf("attempt after the kill: %v", err)
	}
	v := e.onlyVideo(t)
	if v.SHA256 != sumOf(size) {
		t.Error("the resumed video's bytes differ from the file")
	}
	if n := len(e.srv.Uploads()); n != 1 {
		t.Errorf("%d sessions, want 1", n)
	}
	if got := e.resent(size); got > chunk {
		t.Errorf("%d bytes resent, more than a chunk", got)
	}
}

func TestFinalResponseLostLearnsTheVideoFromTheSession(t *testing.T) {
	e := setup(t, noChunkRetries)
	const size = 2*chunk + 10
	cp := &publisherstest.Checkpoints{}
	e.srv.LoseFinalResponse(1)
	_, err := e.p.Publish(context.Background(), e.request("post-1", size, cp))
	if publishers.ClassOf(err) != publishers.ClassTransient {
		t.Fatalf("first attempt: err = %v, want transient", err)
	}
	if cp.Get(youtube.CheckpointVideo) != "" {
		t.Fatal("video id saved although the answer was lost")
	}
	res, err := e.p.Publish(context.Background(), e.request("post-1", size, cp))
	if err != nil {
		t.Fatalf("second attempt: %v", err)
	}
	v := e.onlyVideo(t)
	if res.RemoteID != v.ID {
		t.Errorf("learned %q, the video is %q", res.RemoteID, v.ID)
	}
	if got := e.resent(size); got != 0 {
		t.Errorf("%d bytes resent, want none", got)
	}
	if n := e.srv.Count(youtubetest.OpVideosInsert, 0); n != 1 {
		t.Errorf("%d uploads started, want 1", n)
	}
}

func TestExpiredSessionRestartsFromZero(t *testing.T) {
	e := setup(t, noChunkRetries)
	const size = 4 * chunk
	cp := &publisherstest.Checkpoints{}
	e.srv.DropChunk(2, 100)
	if _, err := e.p.Publish(context.Background(), e.request("post-1", size, cp)); err == nil {
		t.Fatal("first attempt succeeded through a dropped connection")
	}
	e.srv.ExpireSessions()
	if _, err := e.p.Publish(context.Background(), e.request("post-1", size, cp)); err != nil {
		t.Fatalf("second attempt: %v", err)
	}
	if v := e.onlyVideo(t); v.SHA256 != sumOf(size) {
		t.Error("video bytes differ")
	}
	if up := e.srv.Uploads(); len(up) != 2 || !up[0].Expired || up[1].Video == "" {
		t.Errorf("sessions %+v, want the expired one and a complete second", up)
	}
}

func TestExpiredSessionAfterTheLastChunkIsPermanent(t *testing.T) {
	// The last chunk went out and no answer came: the outcome is
	// unknown, and a second upload could make a second video.
	e := setup(t, noChunkRetries)
	cp := &publisherstest.Checkpoints{}
	e.srv.DropChunk(2, chunk/2)
	if _, err := e.p.Publish(context.Background(), e.request("post-1", 2*chunk, cp)); err == nil {
		t.Fatal("first attempt succeeded")
	}
	e.srv.ExpireSessions()
	_, err := e.p.Publish(context.Background(), e.request("post-1", 2*chunk, cp))
	if publishers.ClassOf(err) != publishers.ClassPermanent || !strings.Contains(err.Error(), "unknown") {
		t.Errorf("err = %v, want permanent: outcome unknown", err)
	}
	if n := e.srv.Count(youtubetest.OpVideosInsert, 0); n != 1 {
		t.Errorf("%d uploads started, want 1", n)
	}
}

func TestMediaOfUnknownSizeIsUploaded(t *testing.T) {
	for _, size := range []int64{2*chunk + 5, 2 * chunk} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			e := setup(t)
			req := e.request("post-1", size, &publisherstest.Checkpoints{})
			req.Content.Media[0].URL = e.files.URL + "/chunked/" + fmt.Sprint(size)
			res, err := e.p.Publish(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			if v := e.onlyVideo(t); v.ID != res.RemoteID || v.Size != size || v.SHA256 != sumOf(size) {
				t.Errorf("video %+v, want %d bytes", v, size)
			}
		})
	}
}

func TestUnauthorizedRefreshesTheTokenOnce(t *testing.T) {
	e := setup(t)
	var calls atomic.Int32
	req := e.request("post-1", chunk, &publisherstest.Checkpoints{})
	req.ForceRefresh = e.refresher(e.tok.RefreshToken, &calls)
	e.srv.ExpireAccessToken(e.tok.AccessToken)
	if _, err := e.p.Publish(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 1 || e.srv.TokenCalls() != 1 {
		t.Errorf("refreshed %d times (token endpoint %d), want once", calls.Load(), e.srv.TokenCalls())
	}
	e.onlyVideo(t)
}

func TestUnauthorizedAfterRefreshAsksForReauth(t *testing.T) {
	tests := []struct {
		name   string
		revoke bool
		force  bool
	}{
		{"no refresh offered", false, false},
		{"refreshed token rejected too", false, true},
		{"refresh token revoked", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			var calls atomic.Int32
			req := e.request("post-1", chunk, &publisherstest.Checkpoints{})
			if tt.force {
				req.ForceRefresh = e.refresher(e.tok.RefreshToken, &calls)
			}
			if tt.revoke {
				e.srv.RevokeRefreshToken(e.tok.RefreshToken)
			} else {
				e.srv.FailNext(youtubetest.OpVideosInsert, 2, youtubetest.Fault{Reason: "authError"})
			}
			_, err := e.p.Publish(context.Background(), req)
			if publishers.ClassOf(err) != publishers.ClassReauth {
				t.Errorf("err = %v, want reauth", err)
			}
			if calls.Load() > 1 {
				t.Errorf("refreshed %d times, want at most once", calls.Load())
			}
			if n := len(e.srv.Videos()); n != 0 {
				t.Errorf("%d videos", n)
			}
		})
	}
}

func TestInvalidPostsArePermanent(t *testing.T) {
	e := setup(t)
	tests := []struct {
		name   string
		change func(*publishers.Request)
		text   string
	}{
		{"no title", func(r *publishers.Request) { r.Content.Title = " " }, "title"},
		{"no video", func(r *publishers.Request) { r.Content.Media = nil }, "0 videos"},
		{"two videos", func(r *publishers.Request) { r.Content.Media = append(r.Content.Media, r.Content.Media[0]) }, "2 videos"},
		{"an image", func(r *publishers.Request) { r.Content.Media[0].Kind = publishers.MediaImage }, `"image"`},
		{"bad privacy", func(r *publishers.Request) { r.Content.Options = map[string]string{"privacy": "friends"} }, "privacy"},
		{"unknown option", func(r *publishers.Request) { r.Content.Options = map[string]string{"privcy": "public"} }, `"privcy"`},
		{"bad bool", func(r *publishers.Request) { r.Content.Options = map[string]string{"made_for_kids": "maybe"} }, "made_for_kids"},
		{"bad category", func(r *publishers.Request) { r.Content.Options = map[string]string{"category_id": "music"} }, "category_id"},
		{"bad publish_at", func(r *publishers.Request) { r.Content.Options = map[string]string{"publish_at": "tomorrow"} }, "publish_at"},
		{"publish_at public", func(r *publishers.Request) {
			r.Content.Options = map[string]string{"publish_at": "2031-01-01T00:00:00Z", "privacy": "public"}
		}, "privacy private"},
		{"no checkpoints", func(r *publishers.Request) { r.Checkpoints = nil }, "checkpoints"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := e.request("post-1", chunk, &publisherstest.Checkpoints{})
			tt.change(&req)
			_, err := e.p.Publish(context.Background(), req)
			if publishers.ClassOf(err) != publishers.ClassPermanent || !strings.Contains(err.Error(), tt.text) {
				t.Errorf("err = %v, want permanent mentioning %q", err, tt.text)
			}
		})
	}
	if n := len(e.srv.Calls()); n != 0 {
		t.Errorf("invalid posts made %d calls", n)
	}
	req := e.request("post-1", chunk, &publisherstest.Checkpoints{})
	req.Token = nil
	if _, err := e.p.Publish(context.Background(), req); publishers.ClassOf(err) != publishers.ClassReauth {
		t.Errorf("no token: err = %v, want reauth", err)
	}
}

func TestPublishAtSchedulesOnYouTube(t *testing.T) {
	tests := []struct {
		at, privacy, publishAt string
	}{
		{"2030-01-16T09:00:00+01:00", "private", "2030-01-16T08:00:00Z"},
		{"2030-01-15T19:00:00Z", "public", ""}, // already past: public now
	}
	for _, tt := range tests {
		e := setup(t)
		req := e.request("post-1", 1000, &publisherstest.Checkpoints{})
		req.Content.Options = map[string]string{youtube.OptionPublishAt: tt.at}
		if _, err := e.p.Publish(context.Background(), req); err != nil {
			t.Fatal(err)
		}
		if v := e.onlyVideo(t); v.Privacy != tt.privacy || v.PublishAt != tt.publishAt {
			t.Errorf("publish_at %s: video %s at %q, want %s at %q", tt.at, v.Privacy, v.PublishAt, tt.privacy, tt.publishAt)
		}
	}
}

func TestThumbnailFailures(t *testing.T) {
	t.Run("transient: retried, the video not uploaded again", func(t *testing.T) {
		e := setup(t)
		cp := &publisherstest.Checkpoints{}
		req := e.request("post-1", chunk, cp)
		req.Content.Options = map[string]string{youtube.OptionThumbnailURL: e.files.URL + "/thumb.png"}
		e.srv.FailNext(youtubetest.OpThumbnailsSet, 1, youtubetest.Fault{Status: 503})
		if _, err := e.p.Publish(context.Background(), req); publishers.ClassOf(err) != publishers.ClassTransient || !strings.Contains(err.Error(), "thumbnail") {
			t.Fatalf("err = %v, want transient naming the thumbnail", err)
		}
		if _, err := e.p.Publish(context.Background(), req); err != nil {
			t.Fatal(err)
		}
		if v := e.onlyVideo(t); v.Thumbnail == "" {
			t.Error("no thumbnail after the retry")
		}
	})
	t.Run("permanent: skipped and logged, the post published", func(t *testing.T) {
		e := setup(t)
		cp := &publisherstest.Checkpoints{}
		req := e.request("post-1", chunk, cp)
		req.Content.Options = map[string]string{youtube.OptionThumbnailURL: e.files.URL + "/missing.png?sig=abc"}
		if _, err := e.p.Publish(context.Background(), req); err != nil {
			t.Fatal(err)
		}
		if got := cp.Get(youtube.CheckpointThumbnail); got != "skipped" {
			t.Errorf("thumbnail checkpoint %q, want skipped", got)
		}
		if logs := e.logs.String(); !strings.Contains(logs, "skipped") || !strings.Contains(logs, "404") || strings.Contains(logs, "sig=abc") {
			t.Errorf("logs %q should warn of the 404 without the URL's query", logs)
		}
	})
}

func TestSecretsStayOutOfErrorsAndLogs(t *testing.T) {
	e := setup(t)
	cp := &publisherstest.Checkpoints{}
	var session string
	cp.OnSave = func(name, value string) {
		if name == youtube.CheckpointSession {
			session = value
			id := value[strings.Index(value, "upload_id=")+len("upload_id="):]
			// Every time: the retries inside the attempt see it too.
			e.srv.FailNext(youtubetest.OpUploadChunk, -1, youtubetest.Fault{
				Status: 503, Message: "session " + value + " id " + id + " token " + e.tok.AccessToken,
			})
		}
	}
	_, err := e.p.Publish(context.Background(), e.request("post-1", chunk, cp))
	if err == nil {
		t.Fatal("no error")
	}
	id := session[strings.Index(session, "upload_id=")+len("upload_id="):]
	for _, secret := range []string{session, id, e.tok.AccessToken} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q contains a secret", err)
		}
	}
	if !strings.Contains(err.Error(), "[redacted]") {
		t.Errorf("error %q does not show the redaction", err)
	}

	// A dropped connection on the session: net/http's error would name
	// the session URI.
	cp.OnSave = nil
	e.srv.Close()
	_, err = e.p.Publish(context.Background(), e.request("post-1", chunk, cp))
	if err == nil || strings.Contains(err.Error(), id) || strings.Contains(err.Error(), "upload_id") {
		t.Errorf("network error %v shows the session", err)
	}
	if logs := e.logs.String(); strings.Contains(logs, id) || strings.Contains(logs, e.tok.AccessToken) {
		t.Errorf("logs show a secret: %s", logs)
	}
}

func TestPublishGivesUpWithItsContext(t *testing.T) {
	e := setup(t)
	e.srv.SetLatency(time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := e.p.Publish(ctx, e.request("post-1", chunk, &publisherstest.Checkpoints{}))
	if !errors.Is(err, context.DeadlineExceeded) || publishers.ClassOf(err) != publishers.ClassTransient {
		t.Errorf("err = %v, want transient deadline exceeded", err)
	}
}

func TestForceRefreshErrorsAreClassified(t *testing.T) {
	e := setup(t)
	req := e.request("post-1", chunk, &publisherstest.Checkpoints{})
	req.ForceRefresh = func(context.Context) (*oauth2.Token, error) { return nil, errors.New("vault unreachable") }
	e.srv.FailNext(youtubetest.OpVideosInsert, 1, youtubetest.Fault{Reason: "authError"})
	_, err := e.p.Publish(context.Background(), req)
	if publishers.ClassOf(err) != publishers.ClassTransient || !strings.Contains(err.Error(), "vault unreachable") {
		t.Errorf("err = %v, want transient with the vault's error", err)
	}
	// A refresh that gives no token: the account must connect again.
	req.ForceRefresh = func(context.Context) (*oauth2.Token, error) { return &oauth2.Token{}, nil }
	e.srv.FailNext(youtubetest.OpVideosInsert, 1, youtubetest.Fault{Reason: "authError"})
	_, err = e.p.Publish(context.Background(), req)
	if publishers.ClassOf(err) != publishers.ClassReauth || !strings.Contains(err.Error(), "refresh gave no access token") {
		t.Errorf("err = %v, want reauth: the refresh gave no token", err)
	}
}

func TestTokenRefreshedMidUploadKeepsTheSession(t *testing.T) {
	e := setup(t)
	var calls atomic.Int32
	cp := &publisherstest.Checkpoints{}
	cp.OnSave = func(name, value string) {
		if name == youtube.CheckpointOffset && value == strconv.Itoa(chunk) {
			e.srv.ExpireAccessToken(e.tok.AccessToken)
		}
	}
	req := e.request("post-1", 3*chunk, cp)
	req.ForceRefresh = e.refresher(e.tok.RefreshToken, &calls)
	if _, err := e.p.Publish(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 1 || len(e.srv.Uploads()) != 1 || e.onlyVideo(t).SHA256 != sumOf(3*chunk) {
		t.Errorf("%d refreshes, %d sessions; want one of each and the video", calls.Load(), len(e.srv.Uploads()))
	}
	if _, naps := e.clock.Slept(); naps != 0 {
		t.Errorf("backed off %d times: a 401 is no hiccup, it wants the refresh at once", naps)
	}
}
