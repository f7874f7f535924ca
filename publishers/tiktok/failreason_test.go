package tiktok_test

import (
	"context"
	"strings"
	"testing"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/tiktok"
	"github.com/heraldhq/herald/publishers/tiktok/tiktoktest"
)

// Every fail_reason the Get Post Status reference documents, with what
// Herald makes of it, through the fake: a publish that failed for a
// reason worth another try is forgotten, so that the next attempt inits a
// new one; any other is final, and the next attempt asks again instead.
func TestEveryDocumentedFailReason(t *testing.T) {
	tests := []struct {
		reason string
		class  publishers.Class
	}{
		{"file_format_check_failed", publishers.ClassPermanent},
		{"duration_check_failed", publishers.ClassPermanent},
		{"frame_rate_check_failed", publishers.ClassPermanent},
		{"picture_size_check_failed", publishers.ClassPermanent},
		{"internal", publishers.ClassTransient},
		{"video_pull_failed", publishers.ClassTransient},
		{"photo_pull_failed", publishers.ClassTransient},
		{"publish_cancelled", publishers.ClassPermanent},
		{"auth_removed", publishers.ClassReauth},
		{"spam_risk_too_many_posts", publishers.ClassRateLimited},
		{"spam_risk_user_banned_from_posting", publishers.ClassPermanent},
		{"spam_risk_text", publishers.ClassPermanent},
		{"spam_risk", publishers.ClassPermanent},
		{"something_new", publishers.ClassPermanent},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			if got := tiktok.FailReasonClass(tt.reason); got != tt.class {
				t.Errorf("FailReasonClass = %s, want %s", got, tt.class)
			}
			e := start(t)
			e.srv.SetProcessing(tiktoktest.Processing{Polls: 1, FailReason: tt.reason})
			cp := &memory{}
			req := request(cp, tt.reason, e.src.video(mb))
			_, err := e.p.Publish(context.Background(), req)
			if publishers.ClassOf(err) != tt.class || !strings.Contains(err.Error(), tt.reason) {
				t.Fatalf("err = %v, want %s naming the fail_reason", err, tt.class)
			}
			if wait, limited := publishers.RetryAfter(err); limited && wait != tiktok.DefaultPostingCapWait {
				t.Errorf("waits %s, want the posting cap's %s", wait, tiktok.DefaultPostingCapWait)
			}
			e.srv.SetProcessing(tiktoktest.Processing{})
			_, err = e.p.Publish(context.Background(), req)
			retry := tt.class == publishers.ClassTransient || tt.class == publishers.ClassRateLimited
			wantInits := 1
			if retry {
				wantInits = 2
				if err != nil {
					t.Errorf("the next attempt: %v", err)
				}
			} else if publishers.ClassOf(err) != tt.class {
				t.Errorf("the next attempt: %v, want %s again", err, tt.class)
			}
			if n := e.srv.Inits(tt.reason); n != wantInits {
				t.Errorf("%d inits, want %d", n, wantInits)
			}
		})
	}
}
