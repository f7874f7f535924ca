package sandbox_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/publisherstest"
	"github.com/heraldhq/herald/publishers/sandbox/sandboxtest"
)

// resolve sends req as a ResolveOnly request and checks it only read.
func resolve(t *testing.T, srv *sandboxtest.Server, p publishers.Publisher, req publishers.Request) (publishers.Result, error) {
	t.Helper()
	before := len(srv.Calls())
	req.ResolveOnly = true
	res, err := p.Publish(context.Background(), req)
	for _, c := range srv.Calls()[before:] {
		if c.Method != http.MethodGet {
			t.Errorf("resolve made %s %s", c.Method, c.Path)
		}
	}
	return res, err
}

// TestResolveOnly: a ResolveOnly request says whether the checkpointed
// draft became a post, without creating or publishing anything.
func TestResolveOnly(t *testing.T) {
	ctx := context.Background()
	t.Run("published", func(t *testing.T) {
		srv, p := start(t)
		cp := &publisherstest.Checkpoints{}
		want, err := p.Publish(ctx, request("post-1", cp))
		if err != nil {
			t.Fatal(err)
		}
		got, err := resolve(t, srv, p, request("post-1", cp))
		if err != nil || got.RemoteID != want.RemoteID || got.URL != want.URL {
			t.Fatalf("resolve = %+v, %v; want %+v", got, err, want)
		}
	})
	t.Run("draft only", func(t *testing.T) {
		srv, p := start(t)
		// The draft is saved; its publish fails.
		cp := &publisherstest.Checkpoints{OnSave: func(string, string) { srv.FailNext(1, sandboxtest.Fault{Status: 503}) }}
		if _, err := p.Publish(ctx, request("post-1", cp)); err == nil {
			t.Fatal("publish succeeded")
		}
		if _, err := resolve(t, srv, p, request("post-1", cp)); !errors.Is(err, publishers.ErrNotPublished) {
			t.Fatalf("err = %v, want ErrNotPublished", err)
		}
		if n := len(srv.Posts()); n != 0 {
			t.Errorf("%d posts", n)
		}
	})
	t.Run("no draft", func(t *testing.T) {
		srv, p := start(t)
		if _, err := resolve(t, srv, p, request("post-1", &publisherstest.Checkpoints{})); !errors.Is(err, publishers.ErrNotPublished) {
			t.Fatalf("err = %v, want ErrNotPublished", err)
		}
		if n := len(srv.Calls()); n != 0 {
			t.Errorf("%d calls, want none", n)
		}
	})
}
