package youtube_test

import (
	"context"
	"testing"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/publisherstest"
	"github.com/heraldhq/herald/publishers/youtube"
	"github.com/heraldhq/herald/publishers/youtube/youtubetest"
)

func TestChunksFailingAtRandomAreRetriedInsideTheAttempt(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		e := setup(t)
		const size = 12*chunk + 77
		e.srv.FailChunksAtRandom(0.35, seed)
		res, err := e.p.Publish(context.Background(), e.request("post-1", size, &publisherstest.Checkpoints{}))
		if err != nil {
			t.Fatalf("seed %d: one attempt: %v", seed, err)
		}
		failures := int64(e.srv.ChunkFailures())
		if failures == 0 {
			t.Fatalf("seed %d: the fake failed no chunk; the test proves nothing", seed)
		}
		v := e.onlyVideo(t)
		if v.ID != res.RemoteID || v.SHA256 != sumOf(size) {
			t.Errorf("seed %d: video %s (sha %s), want %s with the file's bytes", seed, v.ID, v.SHA256, res.RemoteID)
		}
		if n := len(e.srv.Uploads()); n != 1 {
			t.Errorf("seed %d: %d sessions, want 1", seed, n)
		}
		if got := e.resent(size); got > failures*chunk {
			t.Errorf("seed %d: %d bytes resent for %d failures, more than a chunk each", seed, got, failures)
		}
		if _, naps := e.clock.Slept(); int64(naps) != failures {
			t.Errorf("seed %d: slept %d times for %d failures, want a backoff before each retry", seed, naps, failures)
		}
	}
}

func TestChunkRetriesStopAtTheDeadline(t *testing.T) {
	e := setup(t)
	cp := &publisherstest.Checkpoints{}
	e.srv.FailNext(youtubetest.OpUploadChunk, -1, youtubetest.Fault{Reason: "backendError"})
	_, err := e.p.Publish(context.Background(), e.request("post-1", 3*chunk, cp))
	if publishers.ClassOf(err) != publishers.ClassTransient {
		t.Fatalf("err = %v, want transient once the retries are spent", err)
	}
	slept, naps := e.clock.Slept()
	if slept > youtube.DefaultChunkRetryDeadline || naps < 3 {
		t.Errorf("slept %s in %d naps, want several within %s", slept, naps, youtube.DefaultChunkRetryDeadline)
	}
	if n := e.srv.Count(youtubetest.OpUploadStatus, 0); n != naps {
		t.Errorf("%d status queries for %d retries, want one before each", n, naps)
	}
	// The next attempt resumes the same session.
	e.srv.FailNext(youtubetest.OpUploadChunk, 0, youtubetest.Fault{})
	if _, err := e.p.Publish(context.Background(), e.request("post-1", 3*chunk, cp)); err != nil {
		t.Fatal(err)
	}
	if n := len(e.srv.Uploads()); n != 1 {
		t.Errorf("%d sessions, want 1", n)
	}
}

func TestChunkErrorsThatAreNoHiccupEndTheAttempt(t *testing.T) {
	for _, f := range []youtubetest.Fault{{Reason: "badContent", Status: 400}, {Reason: "forbidden"}} {
		e := setup(t)
		e.srv.FailNext(youtubetest.OpUploadChunk, 1, f)
		_, err := e.p.Publish(context.Background(), e.request("post-1", 2*chunk, &publisherstest.Checkpoints{}))
		if publishers.ClassOf(err) != publishers.ClassPermanent {
			t.Errorf("%s: err = %v, want permanent", f.Reason, err)
		}
		if _, naps := e.clock.Slept(); naps != 0 {
			t.Errorf("%s: retried %d times", f.Reason, naps)
		}
	}
}
