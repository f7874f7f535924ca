package api

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/heraldhq/herald/internal/redistest"
)

func TestEachKeyIsRateLimitedOnItsOwn(t *testing.T) {
	f := newFixture(t, func(o *Options, db *redistest.DB) {
		o.RateLimit = RateLimit{Redis: db.Client, PerMinute: 3}
	})
	for i := range 3 {
		expect(t, f.do("GET", "/v1/posts/p"+strconv.Itoa(i), ""), http.StatusNotFound)
	}
	r := f.do("GET", "/v1/posts/p4", "")
	expect(t, r, http.StatusTooManyRequests)
	// 3 a minute: the next request is allowed about 20s after the first.
	if after, err := strconv.Atoi(r.header.Get("Retry-After")); r.error(t).Code != codeRateLimited || err != nil || after < 1 || after > 20 {
		t.Errorf("429: Retry-After %q, %s", r.header.Get("Retry-After"), r.body)
	}
	// Another key has its own budget; probes are not counted.
	expect(t, f.doWith("GET", "/v1/posts/p1", "", map[string]string{"Authorization": "Bearer " + otherKey}), http.StatusNotFound)
	expect(t, f.doWith("GET", "/healthz", "", nil), http.StatusOK)
}
