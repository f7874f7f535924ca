package metrics_test

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/heraldhq/herald/internal/metrics"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/tenant"
)

// BenchmarkPublishedAttempt is what a worker's metrics cost per published
// attempt: its outcome and its two events (post.publishing,
// post.published).
func BenchmarkPublishedAttempt(b *testing.B) {
	reg := prometheus.NewRegistry()
	p, e := metrics.NewPublish(reg), metrics.NewEvents(reg)
	p.Platforms("youtube")
	o := jobs.Outcome{PostID: "p1", Platform: "youtube", State: jobs.StatePublished, Attempt: 1, Duration: 300 * time.Millisecond, Lag: time.Second}
	b.ReportAllocs()
	for b.Loop() {
		e.Appended(tenant.Default, "post.publishing")
		p.Observe(o)
		e.Appended(tenant.Default, "post.published")
	}
}
