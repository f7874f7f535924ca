package instagram_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/instagram/instagramtest"
)

// A ResolveOnly request finds the media a lost publish answer made, with
// reads only.
func TestResolveOnlyFindsTheLostMedia(t *testing.T) {
	e := start(t)
	e.srv.FailNext(instagramtest.EndpointPublish, 1, instagramtest.Fault{Lost: true})
	req := request(&memory{}, "canceled too late", image("a"))
	if _, err := e.p.Publish(context.Background(), req); err == nil {
		t.Fatal("first attempt succeeded")
	}
	req.ResolveOnly = true
	before := len(e.srv.Calls())
	res, err := e.p.Publish(context.Background(), req)
	if err != nil {
		t.Fatalf("resolve: %v", err)
	}
	if got, want := steps(e.srv)[before:], []string{"status", "list"}; !slices.Equal(got, want) {
		t.Errorf("resolve calls %s, want %s", join(got), join(want))
	}
	if m := e.srv.Media(); len(m) != 1 || res.RemoteID != m[0].ID {
		t.Errorf("result %+v, media %v", res, m)
	}
}

// A ResolveOnly request for a post whose container was never published,
// or that has no container, is ErrNotPublished and publishes nothing.
func TestResolveOnlyNothingPublished(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault bool
		calls []string
	}{
		{"no container", false, nil},
		{"container not published", true, []string{"status"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := start(t)
			cp := &memory{}
			req := request(cp, "never out", image("a"))
			if tc.fault {
				e.srv.FailNext(instagramtest.EndpointPublish, 1, instagramtest.Fault{Status: 500})
				if _, err := e.p.Publish(context.Background(), req); err == nil {
					t.Fatal("first attempt succeeded")
				}
			}
			req.ResolveOnly = true
			before := len(e.srv.Calls())
			_, err := e.p.Publish(context.Background(), req)
			if !errors.Is(err, publishers.ErrNotPublished) {
				t.Fatalf("err = %v, want ErrNotPublished", err)
			}
			if got := steps(e.srv)[before:]; !slices.Equal(got, tc.calls) {
				t.Errorf("resolve calls %s, want %s", join(got), join(tc.calls))
			}
			if n := len(e.srv.Media()); n != 0 {
				t.Errorf("%d media", n)
			}
		})
	}
}
