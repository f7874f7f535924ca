package instagram_test

import (
	"fmt"
	"github.com/heraldhq/herald/publishers/publisherstest"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/instagram"
	"github.com/heraldhq/herald/publishers/instagram/instagramtest"
)

const (
	token = "IGQVJ-tok-8f3a9c1d2e"
	user  = "17841400000000001"
)

var epoch = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// memory and clock are the shared test doubles.
type (
	memory = publisherstest.Checkpoints
	clock  = publisherstest.Clock
)

type env struct {
	srv *instagramtest.Server
	p   *instagram.Publisher
	clk *clock
}

// start runs a fake Graph API and a publisher for it on one fake clock.
func start(t *testing.T, opts ...func(*instagram.Options)) env {
	t.Helper()
	srv := instagramtest.New()
	t.Cleanup(srv.Close)
	clk := publisherstest.NewClock(epoch)
	srv.SetClock(clk.Now)
	o := instagram.Options{BaseURL: srv.URL(), RefreshBaseURL: srv.URL(), Now: clk.Now, Sleep: clk.Sleep}
	for _, f := range opts {
		f(&o)
	}
	return env{srv: srv, p: instagram.New(o), clk: clk}
}

func image(name string) publishers.Media {
	return publishers.Media{URL: "https://cdn.example.com/" + name + ".jpg", Kind: publishers.MediaImage}
}

func video(name string) publishers.Media {
	return publishers.Media{URL: "https://cdn.example.com/" + name + ".mp4", Kind: publishers.MediaVideo}
}

func request(cp publishers.Checkpoints, caption string, media ...publishers.Media) publishers.Request {
	return publishers.Request{
		PostID: "post-1", AccountID: "acct-1", PlatformUserID: user, Attempt: 1,
		Content:     publishers.Content{Text: caption, Media: media},
		Token:       &oauth2.Token{AccessToken: token},
		Checkpoints: cp,
	}
}

// steps describes the calls the server saw, one word or two each.
func steps(srv *instagramtest.Server) []string {
	var out []string
	for _, c := range srv.Calls() {
		s := string(c.Endpoint)
		switch {
		case c.Endpoint == instagramtest.EndpointCreate && c.Params.Get("is_carousel_item") == "true":
			s = "create item " + or(c.Params.Get("media_type"), "IMAGE")
		case c.Endpoint == instagramtest.EndpointCreate:
			s = "create " + or(c.Params.Get("media_type"), "IMAGE")
		case c.Endpoint == instagramtest.EndpointRead && c.Params.Get("fields") == "status_code,status":
			s = "status"
		case c.Endpoint == instagramtest.EndpointRead && c.Params.Get("fields") == "permalink":
			s = "permalink"
		}
		if c.Status != 200 {
			s += fmt.Sprintf(" -> %d", c.Status)
		}
		if c.Lost {
			s += " (lost)"
		}
		out = append(out, s)
	}
	return out
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func join(s []string) string { return strings.Join(s, ", ") }

// checkNoTokenInURLs fails t if any call carried the token in its URL.
func checkNoTokenInURLs(t *testing.T, srv *instagramtest.Server) {
	t.Helper()
	for _, c := range srv.Calls() {
		if c.TokenInURL {
			t.Errorf("%s %s sent the token in its URL", c.Method, c.Path)
		}
		for k, vs := range c.Params {
			for _, v := range vs {
				if strings.Contains(v, token) {
					t.Errorf("%s %s sent the token as parameter %s", c.Method, c.Path, url.QueryEscape(k))
				}
			}
		}
	}
}
