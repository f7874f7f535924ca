package media_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/media"
)

const secretQuery = "X-Amz-Signature=s3cr3tsig"

func newFetcher(t *testing.T, opts media.Options) *media.Fetcher {
	t.Helper()
	f, err := media.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// serve starts a file server for one test.
func serve(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func content(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i * 7)
	}
	return b
}

func fileHandler(ctype string, data []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", ctype)
		http.ServeContent(w, r, "f", time.Time{}, bytes.NewReader(data))
	}
}

func TestOpenStreamsTheFile(t *testing.T) {
	data := content(100_000)
	srv := serve(t, fileHandler("video/mp4", data))
	f := newFetcher(t, media.Options{AllowPrivate: true})
	file, err := f.Open(context.Background(), srv.URL+"/v.mp4?"+secretQuery, publishers.MediaVideo)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	got, err := io.ReadAll(file)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data) || file.Size != int64(len(data)) || file.ContentType != "video/mp4" {
		t.Errorf("got %d bytes, size %d, type %q; want %d bytes of video/mp4", len(got), file.Size, file.ContentType, len(data))
	}
}

func TestOpenAtResumes(t *testing.T) {
	data := content(10_000)
	tests := []struct {
		name    string
		handler http.HandlerFunc
	}{
		{"server honours Range", fileHandler("video/mp4", data)},
		{"server ignores Range", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "video/mp4")
			w.Header().Set("Content-Length", strconv.Itoa(len(data)))
			w.Write(data)
		}},
		{"no Content-Length", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "video/mp4")
			w.(http.Flusher).Flush()
			w.Write(data)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, tt.handler)
			f := newFetcher(t, media.Options{AllowPrivate: true})
			file, err := f.OpenAt(context.Background(), srv.URL, publishers.MediaVideo, 4321)
			if err != nil {
				t.Fatal(err)
			}
			defer file.Close()
			got, err := io.ReadAll(file)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, data[4321:]) {
				t.Errorf("got %d bytes, want the last %d", len(got), len(data)-4321)
			}
			if file.Size != int64(len(data)) && file.Size != -1 {
				t.Errorf("size %d, want the whole file's %d (or -1)", file.Size, len(data))
			}
		})
	}
}

func TestOpenRefusesInternalAddresses(t *testing.T) {
	srv := serve(t, fileHandler("video/mp4", content(10)))
	port := srv.Listener.Addr().(interface{ String() string }).String()
	_, port, _ = strings.Cut(port, ":")
	f := newFetcher(t, media.Options{})
	for _, u := range []string{
		srv.URL + "/v.mp4?" + secretQuery,                    // 127.0.0.1
		"http://localhost:" + port + "/v.mp4?" + secretQuery, // a name that resolves to loopback
		"http://[::1]:" + port + "/v.mp4",
		"http://169.254.169.254/latest/meta-data/",
		"http://0.0.0.0:" + port + "/",
	} {
		_, err := f.Open(context.Background(), u, publishers.MediaVideo)
		if publishers.ClassOf(err) != publishers.ClassPermanent || !strings.Contains(err.Error(), "refused") {
			t.Errorf("%s: err = %v, want permanent refusal", u, err)
			continue
		}
		if strings.Contains(err.Error(), "s3cr3tsig") || strings.Contains(err.Error(), "/v.mp4") {
			t.Errorf("error %q shows the URL's path or query", err)
		}
	}
}

func TestRedirectsAreChecked(t *testing.T) {
	var srv *httptest.Server
	srv = serve(t, func(w http.ResponseWriter, r *http.Request) {
		switch n, _ := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/hop/")); {
		case r.URL.Path == "/ftp":
			http.Redirect(w, r, "ftp://example.com/v.mp4", http.StatusFound)
		case n > 0:
			http.Redirect(w, r, fmt.Sprintf("/hop/%d", n-1), http.StatusFound)
		default:
			fileHandler("video/mp4", content(10))(w, r)
		}
	})
	f := newFetcher(t, media.Options{AllowPrivate: true})
	tests := []struct {
		path  string
		class publishers.Class
		ok    bool
	}{
		{"/hop/5", 0, true},
		{"/hop/6", publishers.ClassPermanent, false},
		{"/ftp", publishers.ClassPermanent, false},
	}
	for _, tt := range tests {
		file, err := f.Open(context.Background(), srv.URL+tt.path, publishers.MediaVideo)
		if tt.ok {
			if err != nil {
				t.Errorf("%s: %v", tt.path, err)
			} else {
				file.Close()
			}
			continue
		}
		if publishers.ClassOf(err) != tt.class || err == nil {
			t.Errorf("%s: err = %v, want %s", tt.path, err, tt.class)
		}
	}
}

func TestOpenClassifiesAnswers(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		ctype   string
		length  int
		kind    string
		class   publishers.Class
		message string
	}{
		{"not found", 404, "video/mp4", 10, "video", publishers.ClassPermanent, "404"},
		{"gone", 410, "video/mp4", 10, "video", publishers.ClassPermanent, "410"},
		{"forbidden", 403, "video/mp4", 10, "video", publishers.ClassPermanent, "403"},
		{"server error", 500, "video/mp4", 10, "video", publishers.ClassTransient, "500"},
		{"unavailable", 503, "video/mp4", 10, "video", publishers.ClassTransient, "503"},
		{"too many requests", 429, "video/mp4", 10, "video", publishers.ClassTransient, "429"},
		{"too large", 200, "video/mp4", 2000, "video", publishers.ClassPermanent, "more than the limit of 1000"},
		{"wrong type", 200, "text/html; charset=utf-8", 10, "video", publishers.ClassPermanent, `content type "text/html"`},
		{"image as video", 200, "image/png", 10, "video", publishers.ClassPermanent, `content type "image/png"`},
		{"octet-stream image", 200, "application/octet-stream", 10, "image", publishers.ClassPermanent, "application/octet-stream"},
		{"unknown kind", 200, "video/mp4", 10, "gif", publishers.ClassPermanent, "unknown media kind"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tt.ctype)
				w.Header().Set("Content-Length", strconv.Itoa(tt.length))
				w.WriteHeader(tt.status)
				w.Write(content(tt.length))
			})
			f := newFetcher(t, media.Options{AllowPrivate: true, MaxBytes: 1000})
			file, err := f.Open(context.Background(), srv.URL+"/f?"+secretQuery, tt.kind)
			if err == nil {
				file.Close()
			}
			if publishers.ClassOf(err) != tt.class || err == nil || !strings.Contains(err.Error(), tt.message) {
				t.Fatalf("err = %v, want %s with %q", err, tt.class, tt.message)
			}
			if !strings.Contains(err.Error(), srv.Listener.Addr().String()) || strings.Contains(err.Error(), "s3cr3tsig") {
				t.Errorf("error %q should name the host and not the query", err)
			}
		})
	}
}

func TestSizeLimitHoldsWithoutContentLength(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "video/mp4")
		w.(http.Flusher).Flush() // chunked: no Content-Length
		w.Write(content(5000))
	})
	f := newFetcher(t, media.Options{AllowPrivate: true, MaxBytes: 1000})
	file, err := f.Open(context.Background(), srv.URL, publishers.MediaVideo)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	if file.Size != -1 {
		t.Errorf("size = %d, want -1 (unknown)", file.Size)
	}
	n, err := io.Copy(io.Discard, file)
	if publishers.ClassOf(err) != publishers.ClassPermanent || n > 1000 {
		t.Errorf("read %d bytes, err = %v; want at most 1000 and a permanent error", n, err)
	}
}

func TestFileAtTheLimitIsRead(t *testing.T) {
	srv := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "video/mp4")
		w.(http.Flusher).Flush()
		w.Write(content(1000))
	})
	f := newFetcher(t, media.Options{AllowPrivate: true, MaxBytes: 1000})
	file, err := f.Open(context.Background(), srv.URL, publishers.MediaVideo)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	if n, err := io.Copy(io.Discard, file); err != nil || n != 1000 {
		t.Errorf("read %d bytes, err = %v; want 1000 bytes", n, err)
	}
}

func TestBadURLsArePermanent(t *testing.T) {
	f := newFetcher(t, media.Options{})
	for _, u := range []string{"ftp://example.com/v.mp4", "file:///etc/passwd", "http:///nohost", "::not a url", "gopher://x"} {
		if _, err := f.Open(context.Background(), u, publishers.MediaVideo); publishers.ClassOf(err) != publishers.ClassPermanent {
			t.Errorf("%q: err = %v, want permanent", u, err)
		}
	}
}

func TestNetworkErrorsAreTransient(t *testing.T) {
	srv := httptest.NewServer(fileHandler("video/mp4", content(10)))
	srv.Close()
	f := newFetcher(t, media.Options{AllowPrivate: true})
	_, err := f.Open(context.Background(), srv.URL+"/v?"+secretQuery, publishers.MediaVideo)
	if publishers.ClassOf(err) != publishers.ClassTransient || strings.Contains(err.Error(), "s3cr3tsig") {
		t.Errorf("err = %v, want transient without the query", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = f.Open(ctx, "http://example.com/v", publishers.MediaVideo)
	if !errors.Is(err, context.Canceled) || publishers.ClassOf(err) != publishers.ClassTransient {
		t.Errorf("canceled: err = %v", err)
	}
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestCustomTransportNeedsAllowPrivate(t *testing.T) {
	rt := roundTripper(func(*http.Request) (*http.Response, error) { return nil, errors.New("no") })
	if _, err := media.New(media.Options{Client: &http.Client{Transport: rt}}); err == nil {
		t.Error("a transport the check cannot be installed in was accepted")
	}
	if _, err := media.New(media.Options{Client: &http.Client{Transport: rt}, AllowPrivate: true}); err != nil {
		t.Errorf("with AllowPrivate: %v", err)
	}
}
