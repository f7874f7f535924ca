package tiktok_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/tiktok"
	"github.com/heraldhq/herald/publishers/tiktok/tiktoktest"
)

// TikTok withholds a public post's id until moderation ends: the post is
// published with its id pending, and calling Publish again looks it up.
func TestPostIDArrivesAfterModeration(t *testing.T) {
	e := start(t)
	e.srv.SetProcessing(tiktoktest.Processing{ModerationDelay: 2 * time.Hour})
	cp := &memory{}
	req := request(cp, "moderated", e.src.video(mb))
	res, err := e.p.Publish(context.Background(), req)
	if err != nil || !res.RemoteIDPending || res.RemoteID != "" {
		t.Fatalf("first call: %+v, %v; want published with the id pending", res, err)
	}
	e.clk.Advance(time.Hour)
	statuses := e.srv.Count(tiktoktest.EndpointStatus)
	if res, err = e.p.Publish(context.Background(), req); err != nil || !res.RemoteIDPending {
		t.Fatalf("under moderation: %+v, %v", res, err)
	}
	if n := e.srv.Count(tiktoktest.EndpointStatus) - statuses; n != 1 {
		t.Errorf("a lookup made %d status fetches, want 1", n)
	}
	e.clk.Advance(time.Hour)
	res, err = e.p.Publish(context.Background(), req)
	post := e.srv.Posts()
	if err != nil || res.RemoteIDPending || len(post) != 1 || res.RemoteID != post[0].ID || !strings.HasSuffix(res.URL, "/video/"+post[0].ID) {
		t.Fatalf("after moderation: %+v, %v; want the post %+v", res, err, post)
	}
	if cp.Get(tiktok.CheckpointPost) != post[0].ID {
		t.Errorf("checkpoint %q", cp.Get(tiktok.CheckpointPost))
	}
	if n := e.srv.Inits("moderated"); n != 1 {
		t.Errorf("%d inits, want 1", n)
	}
}

func TestPostTakenDownInModerationFails(t *testing.T) {
	e := start(t)
	e.srv.SetProcessing(tiktoktest.Processing{ModerationDelay: time.Hour})
	req := request(&memory{}, "taken down", e.src.video(mb))
	if res, err := e.p.Publish(context.Background(), req); err != nil || !res.RemoteIDPending {
		t.Fatalf("%+v, %v", res, err)
	}
	e.srv.RemoveInModeration(e.srv.Publishes()[0].ID, "spam_risk_text")
	_, err := e.p.Publish(context.Background(), req)
	if publishers.ClassOf(err) != publishers.ClassPermanent || !strings.Contains(err.Error(), "taken down") || !strings.Contains(err.Error(), "spam_risk_text") {
		t.Errorf("err = %v, want permanent: taken down, with the reason", err)
	}
	if n := e.srv.Inits("taken down"); n != 1 {
		t.Errorf("%d inits, want 1: a post online once is never started over", n)
	}
}
