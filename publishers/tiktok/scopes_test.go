package tiktok_test

import (
	"testing"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/tiktok"
)

// Direct Post takes video.publish, the inbox video.upload.
func TestNeeds(t *testing.T) {
	needs := tiktok.Platform(tiktok.Options{}).Needs
	for _, tt := range []struct {
		inbox, want string
	}{{"", "video.publish"}, {"false", "video.publish"}, {"true", "video.upload"}, {"junk", "video.publish"}} {
		got := needs("open-1", publishers.Content{Options: map[string]string{tiktok.OptionInbox: tt.inbox}})
		if len(got) != 1 || got[0].String() != tt.want {
			t.Errorf("inbox %q: %v, want %s", tt.inbox, got, tt.want)
		}
	}
}
