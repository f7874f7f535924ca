package api

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/redistest"
)

// rawGet sends GET path as written (no redirect followed) with header.
func (f *fixture) rawGet(path string, header map[string]string) response {
	f.t.Helper()
	req, err := http.NewRequest("GET", f.srv.URL, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	req.URL.Path, req.URL.RawPath = path, ""
	for k, v := range header {
		req.Header.Set(k, v)
	}
	c := *f.srv.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	res, err := c.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{res.StatusCode, res.Header, b}
}

// A path that is not in canonical form is not redirected (a 307 in HTML,
// before any key check and without a log line): it is answered like any
// unknown route, 401 without a key and 404 with one, and logged.
func TestUncleanPathsAreAnsweredAndLogged(t *testing.T) {
	f := newFixture(t)
	for _, p := range []string{"/v1/callbacks/../posts/x", "//v1/posts/x", "/v1/./posts/x", "/v1/posts//x"} {
		r := f.rawGet(p, nil)
		if r.status != http.StatusUnauthorized || r.error(t).Code != codeUnauthorized {
			t.Errorf("GET %s without a key = %d %s %s", p, r.status, r.header.Get("Content-Type"), r.body)
		}
		r = f.rawGet(p, map[string]string{"Authorization": "Bearer " + testKey})
		if r.status != http.StatusNotFound || r.error(t).Code != codeNotFound {
			t.Errorf("GET %s with a key = %d %s %s", p, r.status, r.header.Get("Content-Type"), r.body)
		}
	}
	if n := strings.Count(f.logs.String(), `"msg":"api request"`); n != 8 {
		t.Errorf("%d request lines logged, want 8:\n%s", n, f.logs.String())
	}
}

// Requests that fail authentication are limited per client address, so
// a key cannot be guessed at line speed; once over, even a right key
// from that address waits, or the answer would tell the guess was good.
func TestFailedAuthenticationIsRateLimitedPerAddress(t *testing.T) {
	f := newFixture(t, func(o *Options, db *redistest.DB) {
		o.RateLimit = RateLimit{Redis: db.Client, FailuresPerMinute: 3}
	})
	bad := map[string]string{"Authorization": "Bearer guess-0123456789abcdefghijklmn"}
	for i := range 3 {
		if r := f.doWith("GET", "/v1/posts/p1", "", bad); r.status != http.StatusUnauthorized {
			t.Fatalf("failure %d: status %d", i+1, r.status)
		}
	}
	for _, h := range []map[string]string{bad, nil, {"Authorization": "Bearer " + testKey}} {
		r := f.doWith("GET", "/v1/posts/p1", "", h)
		expect(t, r, http.StatusTooManyRequests)
		after, err := strconv.Atoi(r.header.Get("Retry-After"))
		if r.error(t).Code != codeRateLimited || err != nil || after < 1 || after > 20 {
			t.Errorf("429: Retry-After %q, %s", r.header.Get("Retry-After"), r.body)
		}
	}
	// Probes and the platforms' callbacks carry no key: not limited.
	expect(t, f.doWith("GET", "/healthz", "", nil), http.StatusOK)
}

// Successful requests do not use up the failure budget.
func TestSuccessfulRequestsDoNotCountAsFailures(t *testing.T) {
	f := newFixture(t, func(o *Options, db *redistest.DB) {
		o.RateLimit = RateLimit{Redis: db.Client, FailuresPerMinute: 2}
	})
	for range 5 {
		expect(t, f.do("GET", "/v1/posts/p1", ""), http.StatusNotFound)
	}
	expect(t, f.doWith("GET", "/v1/posts/p1", "", nil), http.StatusUnauthorized)
}
