package tiktok_test

import (
	"context"
	"errors"
	"fmt"
	"github.com/heraldhq/herald/internal/eventually"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/tiktok"
	"github.com/heraldhq/herald/publishers/tiktok/tiktoktest"
)

func TestVideoPublishesOnce(t *testing.T) {
	tests := []struct {
		name         string
		size         int64
		chunk, count int64
		polls        int
	}{
		{"small video in one piece", 1 * mb, 1 * mb, 1, 0},
		{"three chunks, the last one longer", 17 * mb, 5 * mb, 3, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := start(t)
			e.srv.SetProcessing(tiktoktest.Processing{Polls: tt.polls})
			cp := &memory{}
			res, err := e.p.Publish(context.Background(), request(cp, tt.name, e.src.video(tt.size)))
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			want = append(want, "creator_info", "video_init")
			for i := range tt.count {
				first, last := i*tt.chunk, (i+1)*tt.chunk-1
				if i == tt.count-1 {
					last = tt.size - 1
				}
				want = append(want, fmt.Sprintf("upload bytes %d-%d/%d", first, last, tt.size))
			}
			for range tt.polls + 1 {
				want = append(want, "status")
			}
			if got := steps(e.srv.Calls()); !slices.Equal(got, want) {
				t.Errorf("calls:\n got %s\nwant %s", compact(got), compact(want))
			}
			pubs, posts := e.srv.Publishes(), e.srv.Posts()
			if len(pubs) != 1 || len(posts) != 1 {
				t.Fatalf("%d publishes, %d posts; want 1, 1", len(pubs), len(posts))
			}
			pb := pubs[0]
			if pb.Source != "FILE_UPLOAD" || pb.Size != tt.size || pb.ChunkSize != tt.chunk || pb.ChunkCount != tt.count {
				t.Errorf("init announced %+v", pb)
			}
			if pb.SHA256 != wantHash(tt.size, tt.chunk, tt.count) {
				t.Error("TikTok received other bytes than the source's")
			}
			if pb.Title != tt.name || pb.Privacy != tiktok.PrivacyPublic {
				t.Errorf("post_info %+v", pb.PostInfo)
			}
			if res.RemoteID != posts[0].ID || res.URL != "https://www.tiktok.com/@herald.test/video/"+posts[0].ID {
				t.Errorf("result %+v, post %+v", res, posts[0])
			}
			if cp.Get(tiktok.CheckpointPublishID) != pb.ID || cp.Get(tiktok.CheckpointPost) != posts[0].ID {
				t.Errorf("checkpoints %v", cp.Saved())
			}
			if tt.polls > 0 && e.clk.Slept() == 0 {
				t.Error("polled without waiting in between")
			}
			if again, err := e.p.Publish(context.Background(), request(cp, tt.name, e.src.video(tt.size))); err != nil || again != res {
				t.Errorf("publish again = %+v, %v; want %+v from the checkpoints", again, err, res)
			}
			if n := len(e.srv.Calls()); n != len(want) {
				t.Errorf("publishing again made %d calls", n-len(want))
			}
			checkClean(t, e.srv, nil)
		})
	}
}

func TestUploadStreamsInBoundedMemory(t *testing.T) {
	e := start(t)
	const size = 40 * mb
	req := request(&memory{}, "big", e.src.video(size))
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if _, err := e.p.Publish(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	// Source, publisher and fake share the process: all they allocated
	// together stays far below the video's size.
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("allocated %d KiB for a %d MiB video", alloc>>10, size/mb)
	if alloc > size/4 {
		t.Errorf("publishing a %d MiB video allocated %d MiB", size/mb, alloc/mb)
	}
	if pb := e.srv.Publishes()[0]; pb.Received != size || len(pb.Chunks) != 8 || e.srv.Published("big") != 1 {
		t.Errorf("received %d bytes in %d chunks", pb.Received, len(pb.Chunks))
	}
	// The source's handler counts after its last write returns, which
	// may be a moment after the publisher has read everything.
	eventually.True(t, 5*time.Second, func() bool { return e.src.served.Load() >= size }, "source served the whole video")
	if served := e.src.served.Load(); served != size {
		t.Errorf("source served %d bytes, want %d (read once)", served, size)
	}
}

func TestPullFromURLPublishesOnce(t *testing.T) {
	e := start(t, func(o *tiktok.Options) { o.PullPrefixes = []string{"https://cdn.example.com/"} })
	e.srv.SetVerifiedPrefixes("https://cdn.example.com/")
	e.srv.SetProcessing(tiktoktest.Processing{Polls: 1})
	cp := &memory{}
	video := publishers.Media{URL: "https://cdn.example.com/launch.mp4", Kind: publishers.MediaVideo}
	res, err := e.p.Publish(context.Background(), request(cp, "pulled", video))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := steps(e.srv.Calls()), []string{"creator_info", "video_init", "status", "status"}; !slices.Equal(got, want) {
		t.Errorf("calls %s, want %s", compact(got), compact(want))
	}
	pb := e.srv.Publishes()[0]
	if pb.Source != "PULL_FROM_URL" || pb.VideoURL != video.URL || e.srv.Published("pulled") != 1 || res.RemoteID == "" {
		t.Errorf("publish %+v, result %+v", pb, res)
	}
	if cp.Get(tiktok.CheckpointUploadURL) != "" || e.src.opens.Load() != 0 {
		t.Error("a pulled video was uploaded")
	}
}

func TestPhotoPost(t *testing.T) {
	e := start(t)
	e.srv.SetVerifiedPrefixes("https://cdn.example.com/")
	req := request(&memory{}, "Three views of the harbour",
		publishers.Media{URL: "https://cdn.example.com/1.jpg", Kind: publishers.MediaImage},
		publishers.Media{URL: "https://cdn.example.com/2.jpg", Kind: publishers.MediaImage},
		publishers.Media{URL: "https://cdn.example.com/3.jpg", Kind: publishers.MediaImage})
	req.Content.Title = "Harbour"
	req.Content.Options = map[string]string{tiktok.OptionPrivacyLevel: tiktok.PrivacyPublic, tiktok.OptionPhotoCoverIndex: "1", tiktok.OptionAutoAddMusic: "true"}
	if _, err := e.p.Publish(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if got, want := steps(e.srv.Calls()), []string{"creator_info", "content_init", "status"}; !slices.Equal(got, want) {
		t.Errorf("calls %s, want %s", compact(got), compact(want))
	}
	pb := e.srv.Publishes()[0]
	if pb.Kind != "photo" || len(pb.Photos) != 3 || pb.Title != "Harbour" || pb.Description != "Three views of the harbour" || pb.PostInfo["auto_add_music"] != true {
		t.Errorf("publish %+v", pb)
	}
}

func TestCrashAfterInitPollsInsteadOfInitAgain(t *testing.T) {
	e := start(t)
	ctx, crash := context.WithCancel(context.Background())
	cp := &memory{OnSave: func(name, _ string) {
		if name == tiktok.CheckpointPublishID {
			crash()
		}
	}}
	req := request(cp, "crash after init", e.src.video(12*mb))
	if _, err := e.p.Publish(ctx, req); !errors.Is(err, context.Canceled) {
		t.Fatalf("first attempt: err = %v, want canceled", err)
	}
	before := len(e.srv.Calls())
	cp.OnSave = nil
	if _, err := e.p.Publish(context.Background(), req); err != nil {
		t.Fatalf("second attempt: %v", err)
	}
	got := steps(e.srv.Calls()[before:])
	want := []string{"status", "upload bytes 0-5242879/12582912", "upload bytes 5242880-12582911/12582912", "status"}
	if !slices.Equal(got, want) {
		t.Errorf("second attempt: %s, want %s", compact(got), compact(want))
	}
	if i, p := e.srv.Inits("crash after init"), e.srv.Published("crash after init"); i != 1 || p != 1 {
		t.Errorf("%d inits, %d posts; want 1, 1", i, p)
	}
}

func TestCrashMidUploadResumesAtTheNextChunk(t *testing.T) {
	e := start(t)
	ctx, crash := context.WithCancel(context.Background())
	cp := &memory{OnSave: func(name, value string) {
		if name == tiktok.CheckpointChunks && value == "1" {
			crash()
		}
	}}
	req := request(cp, "crash mid-upload", e.src.video(17*mb))
	if _, err := e.p.Publish(ctx, req); !errors.Is(err, context.Canceled) {
		t.Fatalf("first attempt: err = %v, want canceled", err)
	}
	cp.OnSave = nil
	e.clk.Advance(10 * time.Minute)
	if _, err := e.p.Publish(context.Background(), req); err != nil {
		t.Fatalf("second attempt: %v", err)
	}
	pb := e.srv.Publishes()
	if len(pb) != 1 || e.srv.Published("crash mid-upload") != 1 {
		t.Fatalf("%d publishes, %d posts; want 1, 1", len(pb), e.srv.Published("crash mid-upload"))
	}
	want := []string{"bytes 0-5242879/17825792", "bytes 5242880-10485759/17825792", "bytes 10485760-17825791/17825792"}
	if !slices.Equal(pb[0].Chunks, want) {
		t.Errorf("chunks received %v, want each once: %v", pb[0].Chunks, want)
	}
	if pb[0].SHA256 != wantHash(17*mb, 5*mb, 3) {
		t.Error("resumed upload sent other bytes")
	}
}

func TestLostChunkAnswerResumesFromUploadedBytes(t *testing.T) {
	e := start(t, noChunkRetries)
	e.srv.FailNext(tiktoktest.EndpointUpload, 1, tiktoktest.Fault{Lost: true})
	req := request(&memory{}, "lost chunk answer", e.src.video(12*mb))
	if _, err := e.p.Publish(context.Background(), req); err == nil || publishers.ClassOf(err) != publishers.ClassTransient {
		t.Fatalf("first attempt: err = %v, want transient", err)
	}
	if _, err := e.p.Publish(context.Background(), req); err != nil {
		t.Fatalf("second attempt: %v", err)
	}
	pb := e.srv.Publishes()[0]
	if len(pb.Chunks) != 2 || e.srv.Published("lost chunk answer") != 1 || len(e.srv.Publishes()) != 1 {
		t.Errorf("chunks %v; %d publishes", pb.Chunks, len(e.srv.Publishes()))
	}
}

func TestExpiredUploadURLStartsOver(t *testing.T) {
	e := start(t)
	ctx, crash := context.WithCancel(context.Background())
	cp := &memory{OnSave: func(name, value string) {
		if name == tiktok.CheckpointChunks && value == "1" {
			crash()
		}
	}}
	req := request(cp, "expired", e.src.video(12*mb))
	e.p.Publish(ctx, req)
	cp.OnSave = nil
	e.clk.Advance(2 * time.Hour)
	if _, err := e.p.Publish(context.Background(), req); err != nil {
		t.Fatalf("second attempt: %v", err)
	}
	pubs := e.srv.Publishes()
	if len(pubs) != 2 || pubs[0].Status == tiktoktest.StatusPublishComplete || pubs[1].Status != tiktoktest.StatusPublishComplete {
		t.Fatalf("publishes %+v: want the first abandoned, the second complete", pubs)
	}
	if e.srv.Published("expired") != 1 || cp.Get(tiktok.CheckpointRestarts) != "1" {
		t.Errorf("%d posts, restarts %q", e.srv.Published("expired"), cp.Get(tiktok.CheckpointRestarts))
	}
}

func TestNoStartOverOnceTheVideoArrived(t *testing.T) {
	// Every chunk went up, then the worker died before polling; hours
	// later the upload URL is long dead, but the publish is processing:
	// only its status is read.
	e := start(t)
	e.srv.SetProcessing(tiktoktest.Processing{Duration: 3 * time.Hour})
	ctx, crash := context.WithCancel(context.Background())
	cp := &memory{OnSave: func(name, value string) {
		if name == tiktok.CheckpointChunks && value == "2" {
			crash()
		}
	}}
	req := request(cp, "arrived", e.src.video(12*mb))
	e.p.Publish(ctx, req)
	cp.OnSave = nil
	e.clk.Advance(4 * time.Hour)
	if _, err := e.p.Publish(context.Background(), req); err != nil {
		t.Fatalf("second attempt: %v", err)
	}
	if i, p := e.srv.Inits("arrived"), e.srv.Published("arrived"); i != 1 || p != 1 {
		t.Errorf("%d inits, %d posts; want 1, 1", i, p)
	}
}

func TestLostStatusAnswersPublishOnce(t *testing.T) {
	e := start(t)
	e.srv.FailNext(tiktoktest.EndpointStatus, 3, tiktoktest.Fault{Lost: true})
	req := request(&memory{}, "lost status", e.src.video(1*mb))
	_, err := e.p.Publish(context.Background(), req)
	if publishers.ClassOf(err) != publishers.ClassTransient {
		t.Fatalf("first attempt: err = %v, want transient", err)
	}
	if _, err := e.p.Publish(context.Background(), req); err != nil {
		t.Fatalf("second attempt: %v", err)
	}
	if i, p := e.srv.Inits("lost status"), e.srv.Published("lost status"); i != 1 || p != 1 {
		t.Errorf("%d inits, %d posts; want 1, 1", i, p)
	}
}

func TestLostPullInitIsNotRepeated(t *testing.T) {
	e := start(t, func(o *tiktok.Options) { o.PullPrefixes = []string{"https://cdn.example.com/"} })
	e.srv.SetVerifiedPrefixes("https://cdn.example.com/")
	e.srv.FailNext(tiktoktest.EndpointVideoInit, 1, tiktoktest.Fault{Lost: true})
	req := request(&memory{}, "lost pull", publishers.Media{URL: "https://cdn.example.com/a.mp4", Kind: publishers.MediaVideo})
	if _, err := e.p.Publish(context.Background(), req); publishers.ClassOf(err) != publishers.ClassTransient {
		t.Fatalf("first attempt: err = %v, want transient", err)
	}
	_, err := e.p.Publish(context.Background(), req)
	if publishers.ClassOf(err) != publishers.ClassPermanent || !strings.Contains(err.Error(), "lost its answer") {
		t.Fatalf("second attempt: err = %v, want permanent", err)
	}
	if i := e.srv.Inits("lost pull"); i != 1 {
		t.Errorf("%d inits, want 1", i)
	}
}

func TestLostUploadInitIsHarmless(t *testing.T) {
	// A FILE_UPLOAD publish without bytes can never post: a second init
	// is safe.
	e := start(t)
	e.srv.FailNext(tiktoktest.EndpointVideoInit, 1, tiktoktest.Fault{Lost: true})
	req := request(&memory{}, "lost init", e.src.video(1*mb))
	e.p.Publish(context.Background(), req)
	if _, err := e.p.Publish(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if i, p := e.srv.Inits("lost init"), e.srv.Published("lost init"); i != 2 || p != 1 {
		t.Errorf("%d inits, %d posts; want 2, 1", i, p)
	}
}

func TestFailedIsPermanentWithFailReason(t *testing.T) {
	e := start(t)
	e.srv.SetProcessing(tiktoktest.Processing{Polls: 1, FailReason: "duration_check_failed"})
	req := request(&memory{}, "too long", e.src.video(1*mb))
	for attempt := 1; attempt <= 2; attempt++ {
		_, err := e.p.Publish(context.Background(), req)
		if publishers.ClassOf(err) != publishers.ClassPermanent || !strings.Contains(err.Error(), "duration_check_failed") {
			t.Errorf("attempt %d: err = %v, want permanent with the fail_reason", attempt, err)
		}
	}
	if i := e.srv.Inits("too long"); i != 1 {
		t.Errorf("%d inits, want 1", i)
	}
}

func TestStatusSequences(t *testing.T) {
	tests := []struct {
		name  string
		seq   []string
		class publishers.Class // -1: success
	}{
		{"processing then complete", []string{tiktoktest.StatusProcessingUpload, tiktoktest.StatusProcessingUpload, tiktoktest.StatusPublishComplete}, -1},
		{"inbox", []string{tiktoktest.StatusSendToUserInbox}, publishers.ClassPermanent},
		// The fake fails with "internal" when told no reason: worth a
		// new publish.
		{"failed", []string{tiktoktest.StatusProcessingUpload, tiktoktest.StatusFailed}, publishers.ClassTransient},
		{"unknown status", []string{"SOMETHING_NEW"}, publishers.ClassTransient},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := start(t)
			e.srv.SetProcessing(tiktoktest.Processing{Sequence: tt.seq})
			_, err := e.p.Publish(context.Background(), request(&memory{}, tt.name, e.src.video(mb)))
			if tt.class < 0 && err != nil || tt.class >= 0 && publishers.ClassOf(err) != tt.class {
				t.Errorf("err = %v, want class %v", err, tt.class)
			}
		})
	}
}

func TestLongModerationHandsTheJobBack(t *testing.T) {
	e := start(t, func(o *tiktok.Options) { o.MaxWait, o.HandBack = time.Minute, 5*time.Minute })
	e.srv.SetProcessing(tiktoktest.Processing{Duration: 2 * time.Hour})
	cp := &memory{}
	req := request(cp, "moderated", e.src.video(mb))
	_, err := e.p.Publish(context.Background(), req)
	if after, ok := publishers.RetryAfter(err); !ok || after != 5*time.Minute {
		t.Fatalf("err = %v, want rate limited for 5m", err)
	}
	if e.clk.Slept() > time.Minute {
		t.Errorf("waited %s in-process, more than MaxWait", e.clk.Slept())
	}
	e.clk.Advance(2 * time.Hour)
	if _, err := e.p.Publish(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	if i, p := e.srv.Inits("moderated"), e.srv.Published("moderated"); i != 1 || p != 1 {
		t.Errorf("%d inits, %d posts; want 1, 1", i, p)
	}
}

func TestSelfOnlyPostHasNoPublicID(t *testing.T) {
	e := start(t, func(o *tiktok.Options) { o.Unaudited = true })
	e.srv.SetUnaudited(true)
	cp := &memory{}
	req := request(cp, "private", e.src.video(mb))
	req.Content.Options = nil // an unaudited app posts SELF_ONLY unasked
	res, err := e.p.Publish(context.Background(), req)
	if err != nil || res != (publishers.Result{}) {
		t.Fatalf("Publish = %+v, %v; want success without id", res, err)
	}
	if pb := e.srv.Publishes()[0]; pb.Privacy != tiktok.PrivacySelfOnly || cp.Get(tiktok.CheckpointPost) != "-" {
		t.Errorf("privacy %s, checkpoint %q", pb.Privacy, cp.Get(tiktok.CheckpointPost))
	}
}

func TestRefusalsBeforeInit(t *testing.T) {
	creator := tiktoktest.DefaultCreator
	creator.PrivacyLevelOptions = []string{tiktok.PrivacyFollowers, tiktok.PrivacySelfOnly}
	creator.CommentDisabled, creator.StitchDisabled = true, true
	creator.MaxVideoDurationSec = 180
	tests := []struct {
		name      string
		unaudited bool
		options   map[string]string
		media     int // 0 video, >0 that many images (unverified)
		want      string
	}{
		{"privacy not offered", false, map[string]string{"privacy_level": "PUBLIC_TO_EVERYONE"}, 0, "not among the creator's options"},
		{"no privacy chosen", false, nil, 0, "option privacy_level is required (TikTok has the creator choose who sees the post); this account allows [FOLLOWER_OF_CREATOR SELF_ONLY]"},
		{"comments wanted but disabled", false, map[string]string{"privacy_level": "SELF_ONLY", "disable_comment": "false"}, 0, "turned comments off"},
		{"stitch wanted but disabled", false, map[string]string{"privacy_level": "SELF_ONLY", "disable_stitch": "false"}, 0, "turned stitches off"},
		{"too long", false, map[string]string{"privacy_level": "SELF_ONLY", "duration_sec": "600"}, 0, "longer than the creator's maximum"},
		{"unaudited app, public post", true, map[string]string{"privacy_level": "PUBLIC_TO_EVERYONE"}, 0, "may post SELF_ONLY only"},
		{"unknown option", false, map[string]string{"colour": "red"}, 0, "unknown option"},
		{"photo option on a video", false, map[string]string{"photo_cover_index": "0"}, 0, "for photo posts only"},
		{"branded and private", false, map[string]string{"privacy_level": "SELF_ONLY", "brand_content_toggle": "true"}, 0, "cannot be SELF_ONLY"},
		{"36 photos", false, nil, 36, "at most 35"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := start(t, func(o *tiktok.Options) { o.Unaudited = tt.unaudited })
			e.srv.SetCreator(creator)
			m := []publishers.Media{e.src.video(mb)}
			if tt.media > 0 {
				m = nil
				for i := range tt.media {
					m = append(m, publishers.Media{URL: fmt.Sprintf("https://cdn.example.com/%d.jpg", i), Kind: publishers.MediaImage})
				}
			}
			req := request(&memory{}, "refused", m...)
			req.Content.Options = tt.options
			_, err := e.p.Publish(context.Background(), req)
			if publishers.ClassOf(err) != publishers.ClassPermanent || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want permanent saying %q", err, tt.want)
			}
			if n := e.srv.Count(tiktoktest.EndpointVideoInit) + e.srv.Count(tiktoktest.EndpointContentInit); n != 0 {
				t.Errorf("%d inits despite the refusal", n)
			}
		})
	}
}

func TestCreatorSettingsFollowedWhenUnset(t *testing.T) {
	e := start(t)
	c := tiktoktest.DefaultCreator
	c.CommentDisabled, c.DuetDisabled = true, true
	e.srv.SetCreator(c)
	if _, err := e.p.Publish(context.Background(), request(&memory{}, "defaults", e.src.video(mb))); err != nil {
		t.Fatal(err)
	}
	pi := e.srv.Publishes()[0].PostInfo
	if pi["disable_comment"] != true || pi["disable_duet"] != true || pi["disable_stitch"] != false {
		t.Errorf("post_info %v", pi)
	}
}

func TestErrorCodesMapToClasses(t *testing.T) {
	want := map[string]publishers.Class{
		tiktoktest.CodeAccessTokenInvalid:     publishers.ClassReauth,
		tiktoktest.CodeScopeNotAuthorized:     publishers.ClassReauth,
		tiktoktest.CodeScopePermissionMissed:  publishers.ClassReauth,
		tiktoktest.CodeRateLimitExceeded:      publishers.ClassRateLimited,
		tiktoktest.CodeInternalError:          publishers.ClassTransient,
		tiktoktest.CodeInvalidParams:          publishers.ClassPermanent,
		tiktoktest.CodeInvalidFileUpload:      publishers.ClassPermanent,
		tiktoktest.CodeSpamRiskTooManyPosts:   publishers.ClassRateLimited,
		tiktoktest.CodeSpamRiskTooManyPending: publishers.ClassRateLimited,
		tiktoktest.CodeSpamRiskUserBanned:     publishers.ClassPermanent,
		tiktoktest.CodeSpamRiskText:           publishers.ClassPermanent,
		tiktoktest.CodeReachedActiveUserCap:   publishers.ClassRateLimited,
		tiktoktest.CodeUnaudited:              publishers.ClassPermanent,
		tiktoktest.CodePrivacyLevelMismatch:   publishers.ClassPermanent,
		tiktoktest.CodeURLOwnershipUnverified: publishers.ClassPermanent,
	}
	for _, code := range tiktoktest.Codes {
		for _, ep := range []tiktoktest.Endpoint{tiktoktest.EndpointCreatorInfo, tiktoktest.EndpointVideoInit} {
			t.Run(code+" at "+string(ep), func(t *testing.T) {
				class, ok := want[code]
				if !ok {
					t.Fatalf("no expected class for %s", code)
				}
				e := start(t)
				e.srv.FailNext(ep, 1, tiktoktest.Fault{Code: code, Message: "TikTok explains " + code, Header: map[string][]string{"Retry-After": {"30"}}})
				_, err := e.p.Publish(context.Background(), request(&memory{}, "x", e.src.video(mb)))
				if got := publishers.ClassOf(err); got != class {
					t.Errorf("class %s, want %s (%v)", got, class, err)
				}
				if !strings.Contains(err.Error(), "TikTok explains "+code) {
					t.Errorf("error %q lost TikTok's message", err)
				}
				if code == tiktoktest.CodeRateLimitExceeded {
					if after, _ := publishers.RetryAfter(err); after != 30*time.Second {
						t.Errorf("retry after %s, want Retry-After's 30s", after)
					}
				}
				checkClean(t, e.srv, err)
			})
		}
	}
}

func TestRejectedTokenIsRefreshedOnce(t *testing.T) {
	e := start(t)
	e.srv.ExpireAccessToken(token)
	refreshes := 0
	req := request(&memory{}, "refreshed", e.src.video(mb))
	req.ForceRefresh = func(context.Context) (*oauth2.Token, error) {
		refreshes++
		return &oauth2.Token{AccessToken: "act.fresh.token.0001"}, nil
	}
	if _, err := e.p.Publish(context.Background(), req); err != nil || refreshes != 1 {
		t.Fatalf("Publish = %v after %d refreshes; want success after 1", err, refreshes)
	}
	// A refresh that yields another rejected token: Reauth, one refresh.
	e.srv.ExpireAccessToken("act.fresh.token.0001")
	refreshes = 0
	req.Checkpoints = &memory{}
	req.Content.Text = "refused"
	if _, err := e.p.Publish(context.Background(), req); publishers.ClassOf(err) != publishers.ClassReauth || refreshes != 1 {
		t.Errorf("err = %v after %d refreshes; want reauth after 1", err, refreshes)
	}
}

func TestSecretsStayOutOfErrors(t *testing.T) {
	e := start(t, noChunkRetries) // the lost chunk below must end the attempt
	var uploadURL string
	cp := &memory{}
	cp.OnSave = func(name, value string) {
		if name == tiktok.CheckpointUploadURL {
			uploadURL = value
			// TikTok echoes the capability, its query, its
			// upload_token and the access token back.
			u, _ := url.Parse(value)
			msg := "bad chunk for " + value + " with " + token + "; query " + u.RawQuery + "; upload_token " + u.Query().Get("upload_token")
			e.srv.FailNext(tiktoktest.EndpointUpload, 1, tiktoktest.Fault{Code: tiktoktest.CodeInvalidFileUpload, Message: msg})
		}
	}
	_, err := e.p.Publish(context.Background(), request(cp, "leaky", e.src.video(mb)))
	if err == nil || uploadURL == "" {
		t.Fatalf("err = %v, upload URL %q", err, uploadURL)
	}
	u, _ := url.Parse(uploadURL)
	checkClean(t, e.srv, err, uploadURL, u.RawQuery, u.Query().Get("upload_token"))
	if !strings.Contains(err.Error(), "[redacted]") {
		t.Errorf("error %q: expected the echoed secrets redacted", err)
	}
	// A dead upload server: the transport error names no URL.
	cp2 := &memory{}
	req := request(cp2, "dead", e.src.video(mb))
	cp2.OnSave = func(name, value string) {
		if name == tiktok.CheckpointPublishID {
			e.srv.FailNext(tiktoktest.EndpointUpload, 1, tiktoktest.Fault{Lost: true})
		}
	}
	_, err = e.p.Publish(context.Background(), req)
	if err == nil {
		t.Fatal("the lost chunk did not end the attempt")
	}
	_, query2, _ := strings.Cut(cp2.Get(tiktok.CheckpointUploadURL), "?")
	checkClean(t, e.srv, err, cp2.Get(tiktok.CheckpointUploadURL), query2)
}

// TestPullInitMarkClearedOnlyByARefusal: an init whose answer is an
// error that can follow an accepted init (a gateway's 5xx, a proxy's
// page, a 200 that does not decode) keeps the mark, so the next attempt
// starts no second pull; TikTok's own refusal clears it.
func TestPullInitMarkClearedOnlyByARefusal(t *testing.T) {
	for _, tc := range []struct {
		name    string
		fault   tiktoktest.Fault
		refused bool
	}{
		{"502 after the init took effect", tiktoktest.Fault{Status: 502, Body: "<html>Bad Gateway</html>", Applied: true}, false},
		{"500 internal_error after the init took effect", tiktoktest.Fault{Code: tiktoktest.CodeInternalError, Applied: true}, false},
		{"200 that does not decode", tiktoktest.Fault{Status: 200, Body: `{"data":{"publish_id":`, Applied: true}, false},
		{"504 from a proxy", tiktoktest.Fault{Status: 504, Body: "Gateway Timeout"}, false},
		{"TikTok refuses: invalid_params", tiktoktest.Fault{Code: "invalid_params"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := start(t, func(o *tiktok.Options) { o.PullPrefixes = []string{"https://cdn.example.com/"} })
			e.srv.SetVerifiedPrefixes("https://cdn.example.com/")
			e.srv.FailNext(tiktoktest.EndpointVideoInit, 1, tc.fault)
			cps := &memory{}
			req := request(cps, "pull", publishers.Media{URL: "https://cdn.example.com/a.mp4", Kind: publishers.MediaVideo})
			if _, err := e.p.Publish(context.Background(), req); err == nil {
				t.Fatal("first attempt succeeded through the fault")
			}
			_, err := e.p.Publish(context.Background(), req)
			if tc.refused {
				if err != nil {
					t.Fatalf("second attempt after a refusal: %v", err)
				}
				if p := e.srv.Published("pull"); p != 1 {
					t.Errorf("%d posts, want 1", p)
				}
				return
			}
			if publishers.ClassOf(err) != publishers.ClassPermanent {
				t.Fatalf("second attempt: err = %v, want permanent (no second pull)", err)
			}
			if i := e.srv.Inits("pull"); i > 1 {
				t.Errorf("%d inits took effect, want at most 1", i)
			}
		})
	}
}
