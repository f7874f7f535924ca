package tiktok_test

import (
	"context"
	"errors"
	"testing"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/tiktok"
	"github.com/heraldhq/herald/publishers/tiktok/tiktoktest"
)

// A ResolveOnly request after lost status answers finds the post TikTok
// published, and inits nothing.
func TestResolveOnlyFindsThePublishedPost(t *testing.T) {
	e := start(t)
	e.srv.FailNext(tiktoktest.EndpointStatus, 3, tiktoktest.Fault{Lost: true})
	req := request(&memory{}, "canceled too late", e.src.video(1*mb))
	if _, err := e.p.Publish(context.Background(), req); err == nil {
		t.Fatal("first attempt succeeded")
	}
	req.ResolveOnly = true
	if _, err := e.p.Publish(context.Background(), req); err != nil {
		t.Fatalf("resolve: %v", err)
	}
	if i, p := e.srv.Inits("canceled too late"), e.srv.Published("canceled too late"); i != 1 || p != 1 {
		t.Errorf("%d inits, %d posts; want 1, 1", i, p)
	}
}

// Nothing started is ErrNotPublished without a call; a lost PULL_FROM_URL
// init is an unknown outcome, never a second init.
func TestResolveOnlyWithoutPublishID(t *testing.T) {
	t.Run("nothing started", func(t *testing.T) {
		e := start(t)
		req := request(&memory{}, "never", e.src.video(1*mb))
		req.ResolveOnly = true
		if _, err := e.p.Publish(context.Background(), req); !errors.Is(err, publishers.ErrNotPublished) {
			t.Fatalf("err = %v, want ErrNotPublished", err)
		}
		if i := e.srv.Inits("never"); i != 0 {
			t.Errorf("%d inits", i)
		}
	})
	t.Run("lost pull init", func(t *testing.T) {
		e := start(t, func(o *tiktok.Options) { o.PullPrefixes = []string{"https://cdn.example.com/"} })
		e.srv.SetVerifiedPrefixes("https://cdn.example.com/")
		e.srv.FailNext(tiktoktest.EndpointVideoInit, 1, tiktoktest.Fault{Lost: true})
		req := request(&memory{}, "lost pull", publishers.Media{URL: "https://cdn.example.com/a.mp4", Kind: publishers.MediaVideo})
		if _, err := e.p.Publish(context.Background(), req); err == nil {
			t.Fatal("first attempt succeeded")
		}
		req.ResolveOnly = true
		if _, err := e.p.Publish(context.Background(), req); !errors.Is(err, publishers.ErrOutcomeUnknown) {
			t.Fatalf("err = %v, want ErrOutcomeUnknown", err)
		}
		if i := e.srv.Inits("lost pull"); i != 1 {
			t.Errorf("%d inits, want 1", i)
		}
	})
}
