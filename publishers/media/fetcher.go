package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald/publishers"
)

// Defaults of Options.
const (
	DefaultMaxBytes = 4 << 30 // 4 GiB
	DefaultTimeout  = 30 * time.Second
	// MaxRedirects is how many redirects a fetch follows.
	MaxRedirects = 5
)

// DefaultContentTypes are the content types accepted per media kind: a
// prefix ending in "/" accepts a whole family. Storage services often
// serve video as application/octet-stream.
var DefaultContentTypes = map[string][]string{
	publishers.MediaImage: {"image/"},
	publishers.MediaVideo: {"video/", "application/octet-stream"},
}

// Options configure a Fetcher. The zero value is safe: private addresses
// refused, DefaultMaxBytes, DefaultTimeout, DefaultContentTypes.
type Options struct {
	// MaxBytes is the largest file fetched; larger ones are refused as
	// Permanent. Zero means DefaultMaxBytes.
	MaxBytes int64
	// AllowPrivate lets the fetcher connect to loopback, private,
	// link-local and other internal addresses: for tests and demos only.
	AllowPrivate bool
	// Client is the HTTP client to copy. Its Transport must be an
	// *http.Transport (or nil, meaning http.DefaultTransport's settings)
	// unless AllowPrivate is set: the fetcher installs its address check
	// in a clone of it and drops its proxy, which would bypass the check.
	// Its CheckRedirect is replaced.
	Client *http.Client
	// Timeout bounds connecting and waiting for the answer's headers;
	// reading the body is bounded only by the context, since files are
	// large. Zero means DefaultTimeout.
	Timeout time.Duration
	// ContentTypes maps a media kind to the accepted content type
	// prefixes. Nil means DefaultContentTypes.
	ContentTypes map[string][]string
	// UserAgent is sent with every fetch when set.
	UserAgent string
}

// Fetcher opens post media over HTTP(S) as streams. It is safe for
// concurrent use.
type Fetcher struct {
	client    *http.Client
	maxBytes  int64
	types     map[string][]string
	userAgent string
}

// File is an opened media file. Read it, then Close it.
type File struct {
	io.ReadCloser
	// Size is the whole file's size in bytes, or -1 when the server did
	// not say. A file opened at an offset still reports the whole size.
	Size int64
	// ContentType is the file's media type without parameters, such as
	// "video/mp4".
	ContentType string
}

// New returns a fetcher configured by opts.
func New(opts Options) (*Fetcher, error) {
	f := &Fetcher{
		maxBytes:  opts.MaxBytes,
		types:     opts.ContentTypes,
		userAgent: opts.UserAgent,
	}
	if f.maxBytes <= 0 {
		f.maxBytes = DefaultMaxBytes
	}
	if f.types == nil {
		f.types = DefaultContentTypes
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	client := &http.Client{}
	if opts.Client != nil {
		*client = *opts.Client
	}
	client.CheckRedirect = checkRedirect
	rt, err := transport(client.Transport, timeout, opts.AllowPrivate)
	if err != nil {
		return nil, err
	}
	client.Transport = rt
	f.client = client
	return f, nil
}

func transport(rt http.RoundTripper, timeout time.Duration, allowPrivate bool) (http.RoundTripper, error) {
	var t *http.Transport
	switch rt := rt.(type) {
	case nil:
		t = http.DefaultTransport.(*http.Transport).Clone()
	case *http.Transport:
		t = rt.Clone()
	default:
		if allowPrivate {
			return rt, nil
		}
		return nil, errors.New("media: Options.Client.Transport must be an *http.Transport so that private addresses can be refused")
	}
	t.ResponseHeaderTimeout = timeout
	t.TLSHandshakeTimeout = timeout
	if !allowPrivate {
		d := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second, Control: control}
		// Every other way to open a connection is cleared, so that
		// DialContext, and with it the check, is used; a proxy would be
		// checked instead of the file's server.
		t.DialContext = d.DialContext
		t.DialTLSContext, t.Dial, t.DialTLS = nil, nil, nil
		t.Proxy = nil
	}
	return t, nil
}

// redirectError is a redirect the fetcher refused to follow.
type redirectError struct{ msg string }

func (e *redirectError) Error() string { return e.msg }

func checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > MaxRedirects {
		return &redirectError{fmt.Sprintf("stopped after %d redirects", MaxRedirects)}
	}
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return &redirectError{fmt.Sprintf("redirected to a %q URL", clip(req.URL.Scheme))}
	}
	return nil
}

// Open starts fetching the media of kind ("image" or "video") at rawURL
// and returns it as a stream: nothing is buffered beyond what a read
// asks for. Failures are classified: a URL that can never work (bad
// scheme, refused address, 404, too large, wrong type) is Permanent, a
// network error or 5xx is Transient. Error texts name the URL's host, never
// its path or query, which may hold signatures.
func (f *Fetcher) Open(ctx context.Context, rawURL, kind string) (*File, error) {
	return f.OpenAt(ctx, rawURL, kind, 0)
}

// OpenAt is Open from byte offset on, for resuming an upload: it asks for
// the rest with a Range request and, when the server ignores ranges,
// reads and discards the first offset bytes.
func (f *Fetcher) OpenAt(ctx context.Context, rawURL, kind string, offset int64) (*File, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, publishers.Permanent(fmt.Errorf("media: %s URL does not parse", kind))
	}
	where := fmt.Sprintf("media: %s at %s", kind, hostOf(u))
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, publishers.Permanent(fmt.Errorf("%s: scheme %q is not http or https", where, u.Scheme))
	}
	if u.Host == "" {
		return nil, publishers.Permanent(fmt.Errorf("%s: URL has no host", where))
	}
	accepted, ok := f.types[kind]
	if !ok {
		return nil, publishers.Permanent(fmt.Errorf("%s: unknown media kind", where))
	}
	if offset < 0 {
		return nil, publishers.Permanent(fmt.Errorf("%s: negative offset %d", where, offset))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, publishers.Permanent(fmt.Errorf("%s: %w", where, err))
	}
	if f.userAgent != "" {
		req.Header.Set("User-Agent", f.userAgent)
	}
	if offset > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(offset, 10)+"-")
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, fetchError(ctx, where, err)
	}
	file, err := f.accept(resp, where, accepted, offset)
	if err != nil {
		resp.Body.Close()
		return nil, err
	}
	return file, nil
}

// fetchError classifies a failed request without the URL that
// *url.Error would print.
func fetchError(ctx context.Context, where string, err error) error {
	if ctx.Err() != nil {
		return publishers.Transient(fmt.Errorf("%s: %w", where, ctx.Err()))
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	var b *blockedError
	if errors.As(err, &b) {
		return publishers.Permanent(fmt.Errorf("%s: refused: %w (only public addresses are fetched unless private ones are allowed)", where, b))
	}
	var r *redirectError
	if errors.As(err, &r) {
		return publishers.Permanent(fmt.Errorf("%s: %w", where, err))
	}
	return publishers.Transient(fmt.Errorf("%s: %w", where, err))
}

func (f *Fetcher) accept(resp *http.Response, where string, accepted []string, offset int64) (*File, error) {
	switch s := resp.StatusCode; {
	case s == http.StatusOK, s == http.StatusPartialContent && offset > 0:
	case s == http.StatusRequestTimeout, s == http.StatusTooManyRequests, s >= 500:
		return nil, publishers.Transient(fmt.Errorf("%s: answered %s", where, resp.Status))
	default:
		return nil, publishers.Permanent(fmt.Errorf("%s: answered %s", where, resp.Status))
	}
	ctype := "application/octet-stream"
	if h := resp.Header.Get("Content-Type"); h != "" {
		mt, _, err := mime.ParseMediaType(h)
		if err != nil {
			return nil, publishers.Permanent(fmt.Errorf("%s: content type %q does not parse", where, clip(h)))
		}
		ctype = mt
	}
	if !acceptable(ctype, accepted) {
		return nil, publishers.Permanent(fmt.Errorf("%s: content type %q is not one of %s", where, ctype, strings.Join(accepted, ", ")))
	}
	size := resp.ContentLength // of this answer
	start := int64(0)
	if resp.StatusCode == http.StatusPartialContent {
		first, _, total, ok := parseContentRange(resp.Header.Get("Content-Range"))
		if !ok || first != offset {
			return nil, publishers.Transient(fmt.Errorf("%s: partial answer with Content-Range %q, asked from %d", where, clip(resp.Header.Get("Content-Range")), offset))
		}
		start, size = offset, total
	} else if size >= 0 && offset > size {
		return nil, publishers.Permanent(fmt.Errorf("%s: %d bytes long, shorter than offset %d: the file changed", where, size, offset))
	}
	if size > f.maxBytes {
		return nil, publishers.Permanent(fmt.Errorf("%s: %d bytes, more than the limit of %d", where, size, f.maxBytes))
	}
	body := &limited{r: resp.Body, c: resp.Body, left: f.maxBytes - start, where: where, max: f.maxBytes}
	if start < offset {
		if _, err := io.CopyN(io.Discard, body, offset); err != nil {
			return nil, publishers.Transient(fmt.Errorf("%s: skip to offset %d: %w", where, offset, err))
		}
	}
	return &File{ReadCloser: body, Size: size, ContentType: ctype}, nil
}

func acceptable(ctype string, accepted []string) bool {
	for _, a := range accepted {
		if ctype == a || strings.HasSuffix(a, "/") && strings.HasPrefix(ctype, a) {
			return true
		}
	}
	return false
}

// hostOf names u's host for error texts: no user info, path or query.
func hostOf(u *url.URL) string {
	if u.Host == "" {
		return "(no host)"
	}
	return clip(u.Host)
}

func clip(s string) string {
	if len(s) > 100 {
		s = s[:100] + "…"
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// limited fails reads past the size limit with a Permanent error: a
// server that sends no Content-Length cannot slip a huge file through.
type limited struct {
	r     io.Reader
	c     io.Closer
	left  int64
	max   int64
	where string
}

func (l *limited) Read(p []byte) (int, error) {
	if l.left <= 0 {
		// One byte more says whether the file goes on.
		var one [1]byte
		n, err := l.r.Read(one[:])
		if n > 0 {
			return 0, publishers.Permanent(fmt.Errorf("%s: more than the limit of %d bytes", l.where, l.max))
		}
		return 0, err
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	return n, err
}

func (l *limited) Close() error { return l.c.Close() }
