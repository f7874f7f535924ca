package tiktok_test

import (
	"context"
	"slices"
	"testing"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/tiktok"
	"github.com/heraldhq/herald/publishers/tiktok/tiktoktest"
)

// A 5xx on a chunk, then a chunk whose answer is lost although TikTok got
// it: both are retried inside the one attempt, each chunk arriving once
// and in order (TikTok refuses any other order).
func TestChunkHiccupsAreRetriedInsideTheAttempt(t *testing.T) {
	e := start(t)
	e.srv.FailNext(tiktoktest.EndpointUpload, 1, tiktoktest.Fault{Code: tiktoktest.CodeInternalError})
	e.srv.FailNext(tiktoktest.EndpointUpload, 1, tiktoktest.Fault{})
	cp := &memory{}
	cp.OnSave = func(name, value string) {
		if name == tiktok.CheckpointChunks && value == "1" {
			e.srv.FailNext(tiktoktest.EndpointUpload, 1, tiktoktest.Fault{Lost: true})
		}
	}
	res, err := e.p.Publish(context.Background(), request(cp, "hiccups", e.src.video(17*mb)))
	if err != nil || res.RemoteID == "" {
		t.Fatalf("one attempt: %+v, %v (calls %s)", res, err, compact(steps(e.srv.Calls())))
	}
	pb := e.srv.Publishes()
	want := []string{"bytes 0-5242879/17825792", "bytes 5242880-10485759/17825792", "bytes 10485760-17825791/17825792"}
	if len(pb) != 1 || !slices.Equal(pb[0].Chunks, want) || pb[0].SHA256 != wantHash(17*mb, 5*mb, 3) {
		t.Errorf("publishes %d, chunks %v; want one, each chunk once: %v", len(pb), pb[0].Chunks, want)
	}
	if e.clk.Slept() == 0 {
		t.Error("retried without a backoff")
	}
}

func TestChunkRetriesStopAtTheDeadline(t *testing.T) {
	e := start(t)
	e.srv.FailNext(tiktoktest.EndpointUpload, -1, tiktoktest.Fault{})
	cp := &memory{}
	_, err := e.p.Publish(context.Background(), request(cp, "down", e.src.video(6*mb)))
	if err == nil || publishers.ClassOf(err) != publishers.ClassTransient {
		t.Fatalf("err = %v, want transient once the retries are spent", err)
	}
	if slept := e.clk.Slept(); slept == 0 || slept > tiktok.DefaultChunkRetryDeadline {
		t.Errorf("slept %s, want some, within %s", slept, tiktok.DefaultChunkRetryDeadline)
	}
	tries := e.srv.Count(tiktoktest.EndpointUpload)
	if statuses := e.srv.Count(tiktoktest.EndpointStatus); tries < 3 || statuses != tries-1 {
		t.Errorf("%d chunk tries, %d status fetches; want several, a fetch before each retry", tries, statuses)
	}
	// The next attempt resumes the same publish.
	e.srv.FailNext(tiktoktest.EndpointUpload, 0, tiktoktest.Fault{})
	if _, err := e.p.Publish(context.Background(), request(cp, "down", e.src.video(6*mb))); err != nil {
		t.Fatal(err)
	}
	if n := len(e.srv.Publishes()); n != 1 {
		t.Errorf("%d publishes, want 1", n)
	}
}

// An upload URL TikTok no longer takes is no hiccup: the attempt ends at
// once, marking the URL dead, and the next one starts over.
func TestDeadUploadURLIsNotRetried(t *testing.T) {
	e := start(t)
	cp := &memory{}
	cp.OnSave = func(name, value string) {
		if name == tiktok.CheckpointChunks && value == "1" {
			e.srv.ExpireUploadURLs()
		}
	}
	_, err := e.p.Publish(context.Background(), request(cp, "dead url", e.src.video(12*mb)))
	if err == nil || publishers.ClassOf(err) != publishers.ClassTransient {
		t.Fatalf("err = %v, want transient", err)
	}
	if e.clk.Slept() != 0 || e.srv.Count(tiktoktest.EndpointStatus) != 0 {
		t.Errorf("slept %s, %d status fetches: retried a dead upload URL", e.clk.Slept(), e.srv.Count(tiktoktest.EndpointStatus))
	}
	if cp.Get(tiktok.CheckpointUploadAt) != "0" {
		t.Errorf("upload URL not marked dead: %q", cp.Get(tiktok.CheckpointUploadAt))
	}
}
