package youtube_test

import (
	"context"
	"errors"
	"testing"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/publisherstest"
	"github.com/heraldhq/herald/publishers/youtube/youtubetest"
)

// A ResolveOnly request after the final chunk's answer was lost learns
// the video from the session, and sends no byte.
func TestResolveOnlyLearnsTheVideo(t *testing.T) {
	e := setup(t, noChunkRetries)
	const size = 2*chunk + 10
	cp := &publisherstest.Checkpoints{}
	e.srv.LoseFinalResponse(1)
	if _, err := e.p.Publish(context.Background(), e.request("post-1", size, cp)); err == nil {
		t.Fatal("first attempt succeeded")
	}
	req := e.request("post-1", size, cp)
	req.ResolveOnly = true
	res, err := e.p.Publish(context.Background(), req)
	if err != nil {
		t.Fatalf("resolve: %v", err)
	}
	if v := e.onlyVideo(t); res.RemoteID != v.ID {
		t.Errorf("learned %q, the video is %q", res.RemoteID, v.ID)
	}
	if got := e.resent(size); got != 0 {
		t.Errorf("%d bytes resent, want none", got)
	}
}

// An upload stopped midway, or never started, is no video: ErrNotPublished,
// and nothing is uploaded.
func TestResolveOnlyIncompleteUpload(t *testing.T) {
	for _, tc := range []struct {
		name string
		drop bool
	}{{"never started", false}, {"stopped midway", true}} {
		t.Run(tc.name, func(t *testing.T) {
			e := setup(t, noChunkRetries)
			const size = 5*chunk + 77
			cp := &publisherstest.Checkpoints{}
			if tc.drop {
				e.srv.DropChunk(3, chunk/2+1000)
				if _, err := e.p.Publish(context.Background(), e.request("post-1", size, cp)); err == nil {
					t.Fatal("first attempt succeeded")
				}
			}
			before := e.srv.Count(youtubetest.OpVideosInsert, 0)
			req := e.request("post-1", size, cp)
			req.ResolveOnly = true
			if _, err := e.p.Publish(context.Background(), req); !errors.Is(err, publishers.ErrNotPublished) {
				t.Fatalf("err = %v, want ErrNotPublished", err)
			}
			if n := e.srv.Count(youtubetest.OpVideosInsert, 0); n != before {
				t.Errorf("%d uploads started, want %d", n, before)
			}
		})
	}
}
