package linkedin_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/linkedin/linkedintest"
)

// A ResolveOnly request (the post was canceled while its outcome was
// unknown) finds the post a lost create answer made, and sends nothing.
func TestResolveOnlyFindsTheLostPost(t *testing.T) {
	e := start(t)
	e.srv.FailNext(linkedintest.EndpointCreatePost, 1, linkedintest.Fault{Lost: true})
	req := e.reader(request(&memory{}, member, "Canceled too late"))
	if _, err := e.p.Publish(context.Background(), req); err == nil {
		t.Fatal("first attempt succeeded")
	}
	req.ResolveOnly = true
	before := len(e.srv.Calls())
	res, err := e.p.Publish(context.Background(), req)
	if err != nil {
		t.Fatalf("resolve: %v", err)
	}
	if got := steps(e.srv.Calls()[before:]); !slices.Equal(got, []string{"list_posts"}) {
		t.Errorf("resolve calls %s, want list_posts only", join(got))
	}
	if posts := e.srv.Posts(); len(posts) != 1 || res.RemoteID != posts[0].URN {
		t.Errorf("result %+v, posts %v", res, posts)
	}
}

// A ResolveOnly request for a post never sent, or sent and not listed
// after the lookups, is ErrNotPublished; it never creates the post.
func TestResolveOnlyNothingThere(t *testing.T) {
	t.Run("never sent", func(t *testing.T) {
		e := start(t)
		req := request(&memory{}, member, "Never sent")
		req.ResolveOnly = true
		_, err := e.p.Publish(context.Background(), req)
		if !errors.Is(err, publishers.ErrNotPublished) || len(e.srv.Calls()) != 0 {
			t.Fatalf("err = %v after %d calls, want ErrNotPublished and no call", err, len(e.srv.Calls()))
		}
	})
	t.Run("refused, then not listed", func(t *testing.T) {
		e := start(t)
		e.srv.FailNext(linkedintest.EndpointCreatePost, 1, linkedintest.Fault{Status: 503})
		req := e.reader(request(&memory{}, member, "Refused"))
		if _, err := e.p.Publish(context.Background(), req); err == nil {
			t.Fatal("first attempt succeeded")
		}
		req.ResolveOnly = true
		var err error
		for range maxTries {
			_, err = e.p.Publish(context.Background(), req)
			if d, ok := publishers.RetryAfter(err); ok {
				e.clk.Advance(d)
				continue
			}
			break
		}
		if !errors.Is(err, publishers.ErrNotPublished) {
			t.Fatalf("err = %v, want ErrNotPublished", err)
		}
		if n := e.srv.Created("Refused"); n != 0 {
			t.Errorf("%d posts, want none", n)
		}
	})
}

// maxTries bounds the attempts a test makes.
const maxTries = 5
