package api

import (
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/redistest"
)

func TestEachKeyIsRateLimitedOnItsOwn(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2030, 1, 1, 10, 0, 15, 0, time.UTC)
	f := newFixture(t, func(o *Options, db *redistest.DB) {
		o.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		o.RateLimit = RateLimit{Redis: db.Client, PerMinute: 3}
	})
	for i := range 3 {
		expect(t, f.do("GET", "/v1/posts/p"+strconv.Itoa(i), ""), http.StatusNotFound)
	}
	r := f.do("GET", "/v1/posts/p4", "")
	expect(t, r, http.StatusTooManyRequests)
	if r.error(t).Code != codeRateLimited || r.header.Get("Retry-After") != "45" {
		t.Errorf("429: Retry-After %q, %s", r.header.Get("Retry-After"), r.body)
	}
	// Another key has its own budget; probes are not counted.
	expect(t, f.doWith("GET", "/v1/posts/p1", "", map[string]string{"Authorization": "Bearer " + otherKey}), http.StatusNotFound)
	expect(t, f.doWith("GET", "/healthz", "", nil), http.StatusOK)
	// The next minute starts afresh.
	mu.Lock()
	now = now.Add(45 * time.Second)
	mu.Unlock()
	expect(t, f.do("GET", "/v1/posts/p1", ""), http.StatusNotFound)
}
