package linkedin_test

import (
	"bytes"
	"fmt"
	"github.com/heraldhq/herald/publishers/publisherstest"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/linkedin"
	"github.com/heraldhq/herald/publishers/linkedin/linkedintest"
	"github.com/heraldhq/herald/publishers/media"
)

const (
	token  = "AQX-member-tok-5e1f0c9d"
	member = "urn:li:person:8675309abc"
	// memberID is member's id, for the tokens the fake issues.
	memberID = "8675309abc"
	org      = "urn:li:organization:2414183"
)

// epoch is the tests' clock, on which version is served (the fake
// sunsets versions on its clock).
var epoch = time.Date(2026, 12, 2, 3, 4, 5, 0, time.UTC)

// version is the LinkedIn-Version the tests configure.
const version = "202607"

// memory and clock are the shared test doubles.
type (
	memory = publisherstest.Checkpoints
	clock  = publisherstest.Clock
)

type env struct {
	srv   *linkedintest.Server
	p     *linkedin.Publisher
	clk   *clock
	files *httptest.Server
}

// video is the test video: 25 bytes, three parts of 10 on the fake.
var videoBytes = []byte("0123456789abcdefghijKLMNO")

// start runs a fake LinkedIn, a media server and a publisher for them on
// one fake clock.
func start(t *testing.T, opts ...func(*linkedin.Options)) env {
	t.Helper()
	srv := linkedintest.New()
	t.Cleanup(srv.Close)
	srv.SetPartSize(10)
	clk := publisherstest.NewClock(epoch)
	srv.SetClock(clk.Now)
	files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, ".jpg"):
			w.Header().Set("Content-Type", "image/jpeg")
			http.ServeContent(w, r, "", time.Time{}, bytes.NewReader([]byte("JPEG:"+r.URL.Path)))
		case strings.HasSuffix(r.URL.Path, ".pdf"):
			w.Header().Set("Content-Type", "application/pdf")
			http.ServeContent(w, r, "", time.Time{}, bytes.NewReader([]byte("%PDF-1.7 "+r.URL.Path)))
		case strings.HasSuffix(r.URL.Path, ".mp4"):
			w.Header().Set("Content-Type", "video/mp4")
			http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(videoBytes))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(files.Close)
	fetch, err := media.New(media.Options{AllowPrivate: true, ContentTypes: linkedin.MediaContentTypes()})
	if err != nil {
		t.Fatal(err)
	}
	o := linkedin.Options{BaseURL: srv.URL(), Version: version, Media: fetch, Now: clk.Now, Sleep: clk.Sleep}
	for _, f := range opts {
		f(&o)
	}
	return env{srv: srv, p: linkedin.New(o), clk: clk, files: files}
}

func (e env) image(name string) publishers.Media {
	return publishers.Media{URL: e.files.URL + "/" + name + ".jpg", Kind: publishers.MediaImage}
}

func (e env) video(name string) publishers.Media {
	return publishers.Media{URL: e.files.URL + "/" + name + ".mp4", Kind: publishers.MediaVideo}
}

func request(cp publishers.Checkpoints, author, text string, media ...publishers.Media) publishers.Request {
	return publishers.Request{
		PostID: "post-1", AccountID: "acct-1", PlatformUserID: author, Attempt: 1,
		Content:     publishers.Content{Text: text, Media: media},
		Token:       &oauth2.Token{AccessToken: token},
		Checkpoints: cp,
	}
}

// reader gives req a token issued with r_member_social too, the closed
// permission that listing a member's posts needs.
func (e env) reader(req publishers.Request) publishers.Request {
	req.Token = &oauth2.Token{AccessToken: e.srv.IssueToken(memberID, linkedintest.OrdinaryScopes, "r_member_social")}
	return req
}

// steps describes the calls the server saw, one word each.
func steps(calls []linkedintest.Call) []string {
	var out []string
	for _, c := range calls {
		s := string(c.Endpoint)
		if c.Status >= 300 {
			s += fmt.Sprintf(" -> %d", c.Status)
		}
		if c.Lost {
			s += " (lost)"
		}
		out = append(out, s)
	}
	return out
}

func join(s []string) string { return strings.Join(s, ", ") }

// checkCalls fails t if an API call lacked the protocol headers or
// carried the token in its URL.
func checkCalls(t *testing.T, srv *linkedintest.Server) {
	t.Helper()
	for _, c := range srv.Calls() {
		if c.TokenInURL {
			t.Errorf("%s %s sent the token in its URL", c.Method, c.Path)
		}
		if c.Endpoint == linkedintest.EndpointUpload || c.Endpoint == linkedintest.EndpointToken {
			continue
		}
		if c.Version != version || c.Protocol != "2.0.0" {
			t.Errorf("%s %s: LinkedIn-Version %q, X-Restli-Protocol-Version %q", c.Method, c.Path, c.Version, c.Protocol)
		}
		if !c.Authorized {
			t.Errorf("%s %s: no token", c.Method, c.Path)
		}
	}
}
