package youtube_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/publisherstest"
	"github.com/heraldhq/herald/publishers/youtube"
	"github.com/heraldhq/herald/publishers/youtube/youtubetest"
)

// untilPacificMidnight is the wait from epoch (noon in Los Angeles) to
// the quota reset.
const untilPacificMidnight = 12 * time.Hour

func TestErrorReasonsAreClassified(t *testing.T) {
	tests := []struct {
		reason string
		status int // 0: the fake's usual status for the reason
		op     youtubetest.Op
		class  publishers.Class
		wait   time.Duration
	}{
		{"quotaExceeded", 0, youtubetest.OpVideosInsert, publishers.ClassRateLimited, untilPacificMidnight},
		{"dailyLimitExceeded", 0, youtubetest.OpVideosInsert, publishers.ClassRateLimited, untilPacificMidnight},
		{"rateLimitExceeded", 0, youtubetest.OpVideosInsert, publishers.ClassRateLimited, 30 * time.Second},
		{"userRateLimitExceeded", 0, youtubetest.OpVideosInsert, publishers.ClassRateLimited, 30 * time.Second},
		{"uploadLimitExceeded", 0, youtubetest.OpVideosInsert, publishers.ClassRateLimited, 24 * time.Hour},
		{"backendError", 0, youtubetest.OpVideosInsert, publishers.ClassTransient, 0},
		{"backendError", 0, youtubetest.OpUploadChunk, publishers.ClassTransient, 0},
		{"internalError", 500, youtubetest.OpUploadChunk, publishers.ClassTransient, 0},
		{"", 502, youtubetest.OpVideosInsert, publishers.ClassTransient, 0},
		{"", 408, youtubetest.OpUploadChunk, publishers.ClassTransient, 0},
		{"", 429, youtubetest.OpVideosInsert, publishers.ClassRateLimited, 30 * time.Second},
		{"somethingNew", 429, youtubetest.OpUploadChunk, publishers.ClassRateLimited, 30 * time.Second},
		{"authError", 0, youtubetest.OpVideosInsert, publishers.ClassReauth, 0},
		{"authError", 0, youtubetest.OpUploadChunk, publishers.ClassReauth, 0},
		{"insufficientPermissions", 403, youtubetest.OpVideosInsert, publishers.ClassReauth, 0},
		{"youtubeSignupRequired", 401, youtubetest.OpVideosInsert, publishers.ClassReauth, 0},
		{"forbidden", 0, youtubetest.OpVideosInsert, publishers.ClassPermanent, 0},
		{"badRequest", 0, youtubetest.OpVideosInsert, publishers.ClassPermanent, 0},
		{"invalidTitle", 0, youtubetest.OpVideosInsert, publishers.ClassPermanent, 0},
		{"invalidDescription", 0, youtubetest.OpVideosInsert, publishers.ClassPermanent, 0},
		{"invalidCategoryId", 0, youtubetest.OpVideosInsert, publishers.ClassPermanent, 0},
		{"invalidTags", 0, youtubetest.OpVideosInsert, publishers.ClassPermanent, 0},
		{"invalidPublishAt", 0, youtubetest.OpVideosInsert, publishers.ClassPermanent, 0},
		{"mediaBodyRequired", 0, youtubetest.OpUploadChunk, publishers.ClassPermanent, 0},
		{"somethingNew", 400, youtubetest.OpVideosInsert, publishers.ClassPermanent, 0},
		{"somethingNew", 503, youtubetest.OpVideosInsert, publishers.ClassTransient, 0},
	}
	for _, tt := range tests {
		t.Run(string(tt.op)+" "+tt.reason+" "+http.StatusText(tt.status), func(t *testing.T) {
			// Retries inside the attempt are tested on their own.
			e := setup(t, noChunkRetries)
			fault := youtubetest.Fault{Status: tt.status, Reason: tt.reason, Message: "YouTube says " + tt.reason}
			if strings.HasPrefix(tt.reason, "rate") || strings.HasPrefix(tt.reason, "userRate") || tt.status == http.StatusTooManyRequests {
				fault.RetryAfter = 30 * time.Second
			}
			e.srv.FailNext(tt.op, 1, fault)
			_, err := e.p.Publish(context.Background(), e.request("post-1", chunk, &publisherstest.Checkpoints{}))
			if c := publishers.ClassOf(err); c != tt.class {
				t.Fatalf("class = %s, want %s (%v)", c, tt.class, err)
			}
			if wait, _ := publishers.RetryAfter(err); wait != tt.wait {
				t.Errorf("retry after %s, want %s", wait, tt.wait)
			}
			if !strings.Contains(err.Error(), strings.TrimSpace("YouTube says "+tt.reason)) || !strings.HasPrefix(err.Error(), tt.class.String()) || !strings.Contains(err.Error(), ": youtube: ") {
				t.Errorf("error %q should carry YouTube's message and name the step", err)
			}
			if tt.reason != "" && !strings.Contains(err.Error(), tt.reason) {
				t.Errorf("error %q does not name the reason", err)
			}
			if n := len(e.srv.Videos()); n != 0 {
				t.Errorf("%d videos made", n)
			}
		})
	}
}

func TestQuotaExceededDefersToTheReset(t *testing.T) {
	// Noon in Los Angeles in summer (PDT) and winter (PST), and a
	// minute before midnight.
	tests := []struct {
		now  time.Time
		wait time.Duration
	}{
		{time.Date(2030, 7, 1, 19, 0, 0, 0, time.UTC), 12 * time.Hour},
		{time.Date(2030, 1, 15, 20, 0, 0, 0, time.UTC), 12 * time.Hour},
		{time.Date(2030, 1, 16, 7, 59, 0, 0, time.UTC), time.Minute},
		{time.Date(2030, 3, 10, 9, 0, 0, 0, time.UTC), 22 * time.Hour}, // 1 am on the 23-hour day
	}
	for _, tt := range tests {
		e := setup(t, func(o *youtube.Options) { o.Now = func() time.Time { return tt.now } })
		e.srv.FailNext(youtubetest.OpVideosInsert, 1, youtubetest.Fault{Reason: "quotaExceeded"})
		_, err := e.p.Publish(context.Background(), e.request("post-1", chunk, &publisherstest.Checkpoints{}))
		if wait, ok := publishers.RetryAfter(err); !ok || wait != tt.wait {
			t.Errorf("at %s: retry after %s (%v), want %s", tt.now, wait, err, tt.wait)
		}
	}
}
