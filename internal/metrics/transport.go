package metrics

import (
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Requests counts the HTTP requests Herald makes to platforms, and the
// media bytes it uploads. Wrap each platform's client transport with
// Transport.
type Requests struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	uploaded *prometheus.CounterVec
	// versionRejected counts 426 answers (version.go).
	versionRejected *prometheus.CounterVec
}

// NewRequests registers the platform request metrics on reg.
func NewRequests(reg prometheus.Registerer) *Requests {
	r := &Requests{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herald_platform_requests_total",
			Help: `Requests to platform APIs by platform, endpoint (method and path template, ids as ":id") and status code ("error" when no answer came).`,
		}, []string{"platform", "endpoint", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "herald_platform_request_duration_seconds",
			Help:    "Time to the response headers of platform API requests, by platform.",
			Buckets: prometheus.ExponentialBuckets(0.025, 2, 12),
		}, []string{"platform"}),
		uploaded: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herald_upload_bytes_total",
			Help: "Media bytes sent to platforms, by platform.",
		}, []string{"platform"}),
		versionRejected: newVersionRejected(),
	}
	reg.MustRegister(r.requests, r.duration, r.uploaded, r.versionRejected)
	return r
}

// Transport returns a RoundTripper that counts each request through next
// (nil: http.DefaultTransport) under platform. The endpoint label is the
// method and the URL path with every segment outside a fixed vocabulary
// of API words replaced by ":id"; the query is never looked at.
// Request bodies that are media (any content type but JSON, forms and
// text) count towards herald_upload_bytes_total as they are sent.
func (r *Requests) Transport(platform string, next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	r.versionRejected.WithLabelValues(platformLabel(platform)) // from zero, so increase() sees the first
	return &transport{r: r, platform: platformLabel(platform), next: next}
}

// Uploaded counts n media bytes sent to platform by a path that does not
// go through Transport.
func (r *Requests) Uploaded(platform string, n int64) {
	if r == nil || n <= 0 {
		return
	}
	r.uploaded.WithLabelValues(platformLabel(platform)).Add(float64(n))
}

type transport struct {
	r        *Requests
	platform string
	next     http.RoundTripper
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil && req.Body != http.NoBody && isMedia(req.Header.Get("Content-Type")) {
		// A RoundTripper must not modify the request: count through a
		// shallow copy.
		c := *req
		c.Body = &countingBody{ReadCloser: req.Body, add: t.r.uploaded.WithLabelValues(t.platform)}
		if req.GetBody != nil {
			c.GetBody = func() (io.ReadCloser, error) {
				b, err := req.GetBody()
				if err != nil {
					return nil, err
				}
				return &countingBody{ReadCloser: b, add: t.r.uploaded.WithLabelValues(t.platform)}, nil
			}
		}
		req = &c
	}
	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	code := "error"
	if err == nil {
		code = statusLabel(resp.StatusCode)
		t.r.countVersion(t.platform, resp.StatusCode)
	}
	t.r.requests.WithLabelValues(t.platform, Endpoint(req.Method, req.URL), code).Inc()
	t.r.duration.WithLabelValues(t.platform).Observe(time.Since(start).Seconds())
	return resp, err
}

type countingBody struct {
	io.ReadCloser
	add prometheus.Counter
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 {
		b.add.Add(float64(n))
	}
	return n, err
}

// isMedia says whether a request body of this content type is media
// rather than an API call's arguments.
func isMedia(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return contentType != "" // unparsable but set: count it, never a label
	}
	switch {
	case mt == "application/json", mt == "application/x-www-form-urlencoded", strings.HasPrefix(mt, "text/"),
		strings.HasSuffix(mt, "+json"), mt == "multipart/form-data":
		return false
	}
	return true
}

func statusLabel(code int) string {
	if code < 100 || code > 599 {
		return other
	}
	return strconv.Itoa(code)
}

// maxSegments bounds how deep an endpoint template goes.
const maxSegments = 6

// apiVersion is a version segment: v2, v24.0.
var apiVersion = regexp.MustCompile(`^v[0-9]{1,3}(\.[0-9]{1,3})?$`)

// apiWords are the path segments of the platform APIs Herald calls. Any
// other segment is an id (a video, a draft, a user, an upload session) and
// becomes ":id", so a label never carries user data and the set of
// endpoints stays bounded.
var apiWords = wordSet(`
		youtube upload videos thumbnails set playlistItems playlists channels
		token revoke oauth accessToken access_token refresh_access_token
		post publish video content init status fetch creator_info query user info
		drafts accounts posts stats
		media media_publish stories insights content_publishing_limit
		rest images organizationalEntityShareStatistics networkSizes memberCreatorPostAnalytics
`)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// Endpoint is the endpoint label of a request: its method and its path
// template, e.g. "POST /v1/drafts/:id/publish".
func Endpoint(method string, u *url.URL) string {
	method = oneOf(method, http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodHead)
	if u == nil {
		return method + " /"
	}
	segs := strings.Split(strings.Trim(u.Path, "/"), "/")
	var b strings.Builder
	b.WriteString(method)
	b.WriteByte(' ')
	n := 0
	for _, s := range segs {
		if s == "" {
			continue
		}
		if n == maxSegments {
			b.WriteString("/...")
			break
		}
		n++
		b.WriteByte('/')
		if apiWords[s] || apiVersion.MatchString(s) {
			b.WriteString(s)
		} else {
			b.WriteString(":id")
		}
	}
	if n == 0 || (strings.HasSuffix(u.Path, "/") && n < maxSegments) {
		b.WriteByte('/')
	}
	return b.String()
}
