package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/media"
	"github.com/heraldhq/herald/publishers/youtube"
	"github.com/heraldhq/herald/publishers/youtube/youtubetest"
)

// uploadResult is what a figure 6 child reports.
type uploadResult struct {
	Bytes   int64   `json:"bytes"`
	Seconds float64 `json:"seconds"`
	PeakRSS int64   `json:"peak_rss"`
	Err     string  `json:"err,omitempty"`
}

func (u uploadResult) mbps() float64 { return float64(u.Bytes) / u.Seconds / 1e6 }

// figUpload is figure 6: a video streamed from a local media server
// through the YouTube publisher into its fake, against io.Copy of as many
// bytes over loopback TCP; each in a child process for its peak RSS.
func figUpload(ctx context.Context, e *env) ([]row, error) {
	size := int64(1 << 30)
	if e.quick {
		size = 64 << 20
	}
	var yt, cp uploadResult
	if err := e.runChildJSON(ctx, &yt, "upload-youtube", "-size", strconv.FormatInt(size, 10)); err != nil {
		return nil, fmt.Errorf("youtube child: %w", err)
	}
	if err := e.runChildJSON(ctx, &cp, "upload-copy", "-size", strconv.FormatInt(size, 10)); err != nil {
		return nil, fmt.Errorf("copy child: %w", err)
	}
	return []row{{
		Figure:   "6. Upload",
		Herald:   fmt.Sprintf("%.0f MB/s", yt.mbps()),
		Baseline: fmt.Sprintf("%.0f MB/s io.Copy", cp.mbps()),
		Ratio:    ratio(yt.mbps(), cp.mbps()),
		Note: fmt.Sprintf("%d MiB from a local media server through youtube.Publisher (default %d MiB chunks) into youtubetest, which hashes every byte; two loopback hops against one; peak RSS of the child running publisher, fake and media server %s (io.Copy child %s)",
			size>>20, youtube.DefaultChunkSize>>20, mib(yt.PeakRSS), mib(cp.PeakRSS)),
	}}, nil
}

func runUploadChild(kind string, args []string) (uploadResult, error) {
	fs := flag.NewFlagSet(kind, flag.ContinueOnError)
	size := fs.Int64("size", 1<<30, "bytes to move")
	if err := fs.Parse(args); err != nil {
		return uploadResult{}, err
	}
	var (
		elapsed time.Duration
		err     error
	)
	switch kind {
	case "upload-youtube":
		elapsed, err = uploadYouTube(*size)
	case "upload-copy":
		elapsed, err = loopbackCopy(*size)
	default:
		err = fmt.Errorf("child: unknown kind %q", kind)
	}
	if err != nil {
		return uploadResult{}, err
	}
	return uploadResult{Bytes: *size, Seconds: elapsed.Seconds(), PeakRSS: peakRSS()}, nil
}

// uploadYouTube publishes one video of size bytes to the fake.
func uploadYouTube(size int64) (time.Duration, error) {
	yt := youtubetest.New()
	defer yt.Close()
	files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "video/mp4")
		http.ServeContent(w, r, "", time.Time{}, newVideo(size))
	}))
	defer files.Close()
	fetcher, err := media.New(media.Options{AllowPrivate: true, MaxBytes: size + 1})
	if err != nil {
		return 0, err
	}
	p := youtube.New(youtube.Options{
		Endpoint: yt.Endpoint(), UploadEndpoint: yt.UploadEndpoint(),
		Media: fetcher, Logger: discardLogger(),
	})
	tok := yt.IssueToken("acct-1")
	req := publishers.Request{
		PostID: "upload-1", AccountID: "acct-1", Attempt: 1,
		Content: publishers.Content{
			Title: "Benchmark upload", Text: "1 GiB",
			Media: []publishers.Media{{URL: files.URL + "/video.mp4", Kind: publishers.MediaVideo}},
		},
		Token:       &oauth2.Token{AccessToken: tok.AccessToken, TokenType: "Bearer"},
		Checkpoints: &memoryCheckpoints{m: map[string]string{}},
	}
	start := time.Now()
	if _, err := p.Publish(context.Background(), req); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// loopbackCopy times io.Copy of size bytes over a loopback TCP
// connection, to a reader that discards them.
func loopbackCopy(size int64) (time.Duration, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	got := make(chan int64, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			got <- -1
			return
		}
		defer c.Close()
		n, _ := io.Copy(io.Discard, c)
		got <- n
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		return 0, err
	}
	start := time.Now()
	_, err = io.Copy(c, newVideo(size))
	c.Close()
	n := <-got
	elapsed := time.Since(start)
	if err != nil {
		return 0, err
	}
	if n != size {
		return 0, fmt.Errorf("copied %d bytes of %d", n, size)
	}
	return elapsed, nil
}

// video is a file of size bytes made up on the fly from one repeated
// block, so that nothing of its size is ever held in memory.
type video struct {
	size, off int64
}

var videoBlock = func() []byte {
	b := make([]byte, 64<<10)
	for i := range b {
		b[i] = byte(i*31 + i>>9)
	}
	return b
}()

func newVideo(size int64) *video { return &video{size: size} }

func (v *video) Read(b []byte) (int, error) {
	if v.off >= v.size {
		return 0, io.EOF
	}
	n := 0
	for n < len(b) && v.off < v.size {
		i := v.off % int64(len(videoBlock))
		k := copy(b[n:], videoBlock[i:min(int64(len(videoBlock)), i+v.size-v.off)])
		n += k
		v.off += int64(k)
	}
	return n, nil
}

func (v *video) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		off += v.off
	case io.SeekEnd:
		off += v.size
	}
	if off < 0 {
		return 0, errors.New("negative offset")
	}
	v.off = off
	return off, nil
}

// memoryCheckpoints keeps one post's checkpoints in a map.
type memoryCheckpoints struct {
	mu sync.Mutex
	m  map[string]string
}

func (c *memoryCheckpoints) Get(name string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[name]
}

func (c *memoryCheckpoints) Save(_ context.Context, name, value string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[name] = value
	return nil
}
