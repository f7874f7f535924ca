package tiktok_test

import (
	"testing"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/tiktok"
)

// TikTok's Content Posting API publishes (init, upload, status fetch,
// creator info) and nothing else: it has no endpoint to comment on a
// post nor to delete one. The publisher must not claim either, so that
// Herald refuses first comments and take-downs of TikTok posts up front.
func TestTikTokCannotCommentNorTakeDown(t *testing.T) {
	var pub publishers.Publisher = tiktok.New(tiktok.Options{})
	if _, ok := pub.(publishers.Commenter); ok {
		t.Error("the TikTok publisher claims to comment")
	}
	if _, ok := pub.(publishers.Remover); ok {
		t.Error("the TikTok publisher claims to delete posts")
	}
	if c := publishers.CapabilitiesOf(pub); c != (publishers.Capabilities{}) {
		t.Errorf("capabilities %+v, want none", c)
	}
}
