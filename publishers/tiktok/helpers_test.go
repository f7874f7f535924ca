package tiktok_test

import (
	"cmp"
	"fmt"
	"github.com/heraldhq/herald/publishers/publisherstest"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/media"
	"github.com/heraldhq/herald/publishers/tiktok"
	"github.com/heraldhq/herald/publishers/tiktok/tiktoktest"
)

const (
	token = "act.1a2b3c4d5e6f7g8h9i0jSECRET"
	mb    = 1 << 20
)

var epoch = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// memory and clock are the shared test doubles.
type (
	memory = publisherstest.Checkpoints
	clock  = publisherstest.Clock
)

// source serves generated videos at /v/{size}.mp4 without holding them:
// byte i is pattern(i). It honours "Range: bytes=N-" and counts what it
// served.
type source struct {
	*httptest.Server
	opens  atomic.Int64
	served atomic.Int64
}

func pattern(i int64) byte { return byte((i*131 + i>>11) % 251) }

func newSource(t *testing.T) *source {
	t.Helper()
	s := &source{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.opens.Add(1)
		name := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/v/"), ".mp4")
		size, err := strconv.ParseInt(name, 10, 64)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		var from int64
		if rg := r.Header.Get("Range"); rg != "" {
			fmt.Sscanf(rg, "bytes=%d-", &from)
		}
		w.Header().Set("Content-Type", cmp.Or(r.URL.Query().Get("type"), "video/mp4"))
		w.Header().Set("Content-Length", strconv.FormatInt(size-from, 10))
		if from > 0 {
			w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", from, size-1, size))
			w.WriteHeader(http.StatusPartialContent)
		}
		buf := make([]byte, 32<<10)
		for i := from; i < size; {
			n := min(int64(len(buf)), size-i)
			for j := range n {
				buf[j] = pattern(i + j)
			}
			if _, err := w.Write(buf[:n]); err != nil {
				return
			}
			s.served.Add(n)
			i += n
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *source) video(size int64) publishers.Media {
	return publishers.Media{URL: fmt.Sprintf("%s/v/%d.mp4", s.URL, size), Kind: publishers.MediaVideo}
}

// wantHash is the fake's hash of a generated video uploaded once in the
// given chunks.
func wantHash(size, chunk, count int64) string {
	data := make([]byte, size)
	for i := range data {
		data[i] = pattern(int64(i))
	}
	return tiktoktest.SourceHash(data, chunk, count)
}

type env struct {
	srv *tiktoktest.Server
	src *source
	p   *tiktok.Publisher
	clk *clock
}

// start runs a fake TikTok, a media source and a publisher for them on
// one fake clock, with 5 MiB chunks.
func start(t *testing.T, opts ...func(*tiktok.Options)) env {
	t.Helper()
	srv := tiktoktest.New()
	t.Cleanup(srv.Close)
	clk := publisherstest.NewClock(epoch)
	srv.SetClock(clk.Now)
	src := newSource(t)
	f, err := media.New(media.Options{AllowPrivate: true})
	if err != nil {
		t.Fatal(err)
	}
	o := tiktok.Options{
		BaseURL: srv.URL(), ClientKey: tiktoktest.DefaultClientKey, ClientSecret: tiktoktest.DefaultClientSecret,
		Fetcher: f, ChunkSize: 5 * mb, Now: clk.Now, Sleep: clk.Sleep,
	}
	for _, fn := range opts {
		fn(&o)
	}
	return env{srv: srv, src: src, p: tiktok.New(o), clk: clk}
}

// noChunkRetries turns chunk retries inside the attempt off, for tests of
// what the next attempt does after a failed chunk.
func noChunkRetries(o *tiktok.Options) { o.ChunkRetryDeadline = -1 }

// request is a post of the media, public: TikTok has no default privacy.
func request(cp publishers.Checkpoints, caption string, m ...publishers.Media) publishers.Request {
	return publishers.Request{
		PostID: "post-1", AccountID: "acct-1", PlatformUserID: "open-1", Attempt: 1,
		Content: publishers.Content{Text: caption, Media: m,
			Options: map[string]string{tiktok.OptionPrivacyLevel: tiktok.PrivacyPublic}},
		Token:       &oauth2.Token{AccessToken: token},
		Checkpoints: cp,
	}
}

// steps describes the calls the server saw, one word or two each.
func steps(calls []tiktoktest.Call) []string {
	var out []string
	for _, c := range calls {
		s := string(c.Endpoint)
		if c.Endpoint == tiktoktest.EndpointUpload {
			s += " " + c.Range
		}
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

// compact folds runs of the same step into "step xN".
func compact(s []string) string {
	var out []string
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && s[j] == s[i] {
			j++
		}
		if j-i > 1 {
			out = append(out, fmt.Sprintf("%s x%d", s[i], j-i))
		} else {
			out = append(out, s[i])
		}
		i = j
	}
	return strings.Join(out, ", ")
}

// checkClean fails t if any call carried a token in its URL, or err's
// text holds a secret.
func checkClean(t *testing.T, srv *tiktoktest.Server, err error, secrets ...string) {
	t.Helper()
	for _, c := range srv.Calls() {
		if c.TokenInURL {
			t.Errorf("%s %s sent the token in its URL", c.Method, c.Path)
		}
	}
	if err == nil {
		return
	}
	for _, s := range append(secrets, token) {
		if s != "" && strings.Contains(err.Error(), s) {
			t.Errorf("error %q holds a secret", err)
		}
	}
}
