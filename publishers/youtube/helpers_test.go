package youtube_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/internal/logging/logtest"
	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/media"
	"github.com/heraldhq/herald/publishers/youtube"
	"github.com/heraldhq/herald/publishers/youtube/youtubetest"
)

func TestMain(m *testing.M) { redistest.Main(m) }

// chunk is the chunk size of the tests' publishers: small, so that a
// video of a few hundred KiB takes several chunks.
const chunk = 256 << 10

// epoch is the tests' clock: noon in Los Angeles (PST), so the quota
// resets in 12 hours.
var epoch = time.Date(2030, 1, 15, 20, 0, 0, 0, time.UTC)

// pattern is a video of any size made up on the fly: byte i is a function
// of i, so nothing is held in memory and resumed reads match.
type pattern struct {
	size, off int64
}

func at(i int64) byte { return byte(i*31 + i>>9) }

func (p *pattern) Read(b []byte) (int, error) {
	if p.off >= p.size {
		return 0, io.EOF
	}
	n := int(min(int64(len(b)), p.size-p.off))
	for i := range n {
		b[i] = at(p.off + int64(i))
	}
	p.off += int64(n)
	return n, nil
}

func (p *pattern) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		off += p.off
	case io.SeekEnd:
		off += p.size
	}
	if off < 0 {
		return 0, errors.New("negative offset")
	}
	p.off = off
	return off, nil
}

func sumOf(size int64) string {
	h := sha256.New()
	io.CopyBuffer(h, &pattern{size: size}, make([]byte, 64<<10))
	return hex.EncodeToString(h.Sum(nil))
}

// files serves the tests' media: /video/{size} is a pattern video with
// Range support, /thumb.png a small picture. tap, when set, sees every
// video byte count written, to act mid-upload.
type files struct {
	*httptest.Server
	served atomic.Int64
	mu     sync.Mutex
	tap    func(served int64)
}

func newFiles(t testing.TB) *files {
	f := &files{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /video/{size}", func(w http.ResponseWriter, r *http.Request) {
		size, _ := strconv.ParseInt(r.PathValue("size"), 10, 64)
		w.Header().Set("Content-Type", "video/mp4")
		http.ServeContent(&tapWriter{ResponseWriter: w, f: f}, r, "", time.Time{}, &pattern{size: size})
	})
	mux.HandleFunc("GET /chunked/{size}", func(w http.ResponseWriter, r *http.Request) {
		size, _ := strconv.ParseInt(r.PathValue("size"), 10, 64)
		w.Header().Set("Content-Type", "video/mp4")
		w.(http.Flusher).Flush() // no Content-Length
		io.Copy(w, &pattern{size: size})
	})
	mux.HandleFunc("GET /thumb.png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.Write(thumbnail)
	})
	f.Server = httptest.NewServer(mux)
	t.Cleanup(f.Close)
	return f
}

var thumbnail = bytes.Repeat([]byte("png!"), 1000)

func (f *files) video(size int64) string { return f.URL + "/video/" + strconv.FormatInt(size, 10) }

type tapWriter struct {
	http.ResponseWriter
	f *files
}

func (w *tapWriter) Write(b []byte) (int, error) {
	n, err := w.ResponseWriter.Write(b)
	total := w.f.served.Add(int64(n))
	w.f.mu.Lock()
	tap := w.f.tap
	w.f.mu.Unlock()
	if tap != nil {
		tap(total)
	}
	return n, err
}

// clock is the tests' time: it stands at epoch and moves only when the
// publisher sleeps, so that retries with backoff take no real time.
type clock struct {
	mu    sync.Mutex
	now   time.Time
	slept time.Duration
	naps  int
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.slept += d
	c.naps++
	return nil
}

// Slept is how long the publisher slept in all, and how often.
func (c *clock) Slept() (time.Duration, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.slept, c.naps
}

// noChunkRetries turns in-process chunk retries off, for tests of what
// the next attempt does after a failure.
func noChunkRetries(o *youtube.Options) { o.ChunkRetryDeadline = -1 }

// env is a fake YouTube, a media server, an account and a publisher.
type env struct {
	srv   *youtubetest.Server
	files *files
	p     *youtube.Publisher
	tok   youtubetest.Token
	logs  *logtest.Buffer
	clock *clock
}

func setup(t testing.TB, tweak ...func(*youtube.Options)) *env {
	t.Helper()
	srv := youtubetest.New()
	t.Cleanup(srv.Close)
	fetcher, err := media.New(media.Options{AllowPrivate: true})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{srv: srv, files: newFiles(t), tok: srv.IssueToken("acct-1"), logs: &logtest.Buffer{}, clock: &clock{now: epoch}}
	opts := youtube.Options{
		Endpoint: srv.Endpoint(), UploadEndpoint: srv.UploadEndpoint(),
		Media: fetcher, ChunkSize: chunk,
		Now: e.clock.Now, Sleep: e.clock.Sleep,
		Logger: slog.New(slog.NewTextHandler(e.logs, nil)),
	}
	for _, f := range tweak {
		f(&opts)
	}
	e.p = youtube.New(opts)
	return e
}

// request is a post of one video of size bytes, titled after postID.
func (e *env) request(postID string, size int64, cp publishers.Checkpoints) publishers.Request {
	return publishers.Request{
		PostID: postID, AccountID: "acct-1", Attempt: 1,
		Content: publishers.Content{
			Title: "Video " + postID, Text: "About " + postID,
			Media: []publishers.Media{{URL: e.files.video(size), Kind: publishers.MediaVideo}},
		},
		Token:       &oauth2.Token{AccessToken: e.tok.AccessToken, TokenType: "Bearer"},
		Checkpoints: cp,
	}
}

// refresher is a ForceRefresh that asks the fake's token endpoint, and
// counts its calls.
func (e *env) refresher(refreshToken string, calls *atomic.Int32) func(context.Context) (*oauth2.Token, error) {
	conf := &oauth2.Config{
		ClientID: youtubetest.ClientID, ClientSecret: youtubetest.ClientSecret,
		Endpoint: oauth2.Endpoint{TokenURL: e.srv.TokenURL(), AuthStyle: oauth2.AuthStyleInParams},
	}
	return func(ctx context.Context) (*oauth2.Token, error) {
		calls.Add(1)
		return conf.TokenSource(ctx, &oauth2.Token{RefreshToken: refreshToken}).Token()
	}
}

// onlyVideo returns the one video the fake holds, failing t otherwise.
func (e *env) onlyVideo(t *testing.T) youtubetest.Video {
	t.Helper()
	videos := e.srv.Videos()
	if len(videos) != 1 {
		t.Fatalf("%d videos on the channel, want exactly 1", len(videos))
	}
	return videos[0]
}

// resent is how many bytes the fake received beyond the video's size.
func (e *env) resent(size int64) int64 { return e.srv.BytesReceived() - size }
