package metrics

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/tenant"
)

// Publish counts publish attempts and times them. The attempts carry the
// post's tenant; the histograms do not (a tenant label would multiply
// their buckets, and how late and how long posts take is a property of
// the workers and platforms, not of an app).
type Publish struct {
	attempts *prometheus.CounterVec
	duration *prometheus.HistogramVec
	lag      *prometheus.HistogramVec
	perPost  *prometheus.HistogramVec
	// tenants bounds the tenant label (set by Tenants).
	tenants   tenant.Config
	platforms []string
	// published holds, for each platform given to Platforms and each
	// configured tenant, the series a published attempt touches, looked
	// up once: a worker observes every attempt, and resolving four label
	// sets each time cost more than the observations
	// (BenchmarkPublishedAttempt).
	published sync.Map // seriesKey -> *publishedSeries
}

// seriesKey names the published series of one platform and tenant label.
type seriesKey struct{ platform, tenant string }

// publishedSeries are the series of one platform's published attempts
// of one tenant.
type publishedSeries struct {
	attempts               prometheus.Counter
	duration, lag, perPost prometheus.Observer
}

// Publish outcomes, the outcome label of herald_publish_attempts_total.
const (
	OutcomePublished = "published"
	OutcomeRetry     = "retry"
	OutcomeFailed    = "failed"
	OutcomeCanceled  = "canceled"
)

// NewPublish registers the publish metrics on reg.
func NewPublish(reg prometheus.Registerer) *Publish {
	p := &Publish{
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herald_publish_attempts_total",
			Help: "Publish attempts by platform, outcome (published, retry, failed, canceled), failure class and tenant (configured tenants; other).",
		}, []string{"platform", "outcome", "class", "tenant"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "herald_publish_duration_seconds",
			Help:    "Duration of publish attempts, by platform.",
			Buckets: prometheus.ExponentialBuckets(0.05, 2, 14),
		}, []string{"platform"}),
		lag: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "herald_schedule_lag_seconds",
			Help:    "Start of a publish attempt minus the post's scheduled time.",
			Buckets: []float64{0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600},
		}, []string{"platform"}),
		perPost: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "herald_publish_attempts_per_post",
			Help:    "Attempts a post took until it was published, by platform.",
			Buckets: []float64{1, 2, 3, 4, 6, 8, 12, 16, 25},
		}, []string{"platform"}),
	}
	reg.MustRegister(p.attempts, p.duration, p.lag, p.perPost)
	return p
}

// Platforms creates the series of each platform (for each tenant Tenants
// named) at zero, so that rate() and alerts see a platform before its
// first failure.
func (p *Publish) Platforms(names ...string) {
	for _, name := range names {
		n := platformLabel(name)
		p.platforms = append(p.platforms, n)
		for _, t := range p.tenants.Names() {
			p.cache(n, t)
		}
		p.duration.WithLabelValues(n)
		p.lag.WithLabelValues(n)
		p.perPost.WithLabelValues(n)
	}
}

// Tenants sets the configured tenants, the values the tenant label takes
// (a post of any other tenant counts as "other"), and starts their series
// of the platforms named so far at zero. Call it before the first
// Observe; without it every post counts as tenant.Default's or other.
func (p *Publish) Tenants(c tenant.Config) {
	p.tenants = c
	for _, n := range p.platforms {
		for _, t := range c.Names() {
			p.cache(n, t)
		}
	}
}

// cache creates the published series of platform label n and tenant
// label t (at zero) and keeps them for Observe.
func (p *Publish) cache(n, t string) {
	p.published.Store(seriesKey{n, t}, &publishedSeries{
		attempts: p.attempts.WithLabelValues(n, OutcomePublished, "", t),
		duration: p.duration.WithLabelValues(n),
		lag:      p.lag.WithLabelValues(n),
		perPost:  p.perPost.WithLabelValues(n),
	})
}

// Observe records one attempt's outcome; it fits jobs.WorkerConfig.Observe.
func (p *Publish) Observe(o jobs.Outcome) {
	t := p.tenants.Label(tenant.Of(o.PostID))
	if o.State == jobs.StatePublished && o.Class == "" {
		// Only platforms given to Platforms are cached, under their
		// label; any other name misses and takes the path below.
		if s, ok := p.published.Load(seriesKey{o.Platform, t}); ok {
			s.(*publishedSeries).observe(o)
			return
		}
	}
	platform := platformLabel(o.Platform)
	outcome := OutcomeRetry
	switch o.State {
	case jobs.StatePublished:
		outcome = OutcomePublished
		if o.Attempt > 0 {
			p.perPost.WithLabelValues(platform).Observe(float64(o.Attempt))
		}
	case jobs.StateFailed:
		outcome = OutcomeFailed
	case jobs.StateCanceled:
		outcome = OutcomeCanceled
	}
	p.attempts.WithLabelValues(platform, outcome, classLabel(o.Class), t).Inc()
	p.duration.WithLabelValues(platform).Observe(o.Duration.Seconds())
	if o.Lag >= 0 {
		p.lag.WithLabelValues(platform).Observe(o.Lag.Seconds())
	}
}

// observe is Observe for a published attempt.
func (s *publishedSeries) observe(o jobs.Outcome) {
	s.attempts.Inc()
	if o.Attempt > 0 {
		s.perPost.Observe(float64(o.Attempt))
	}
	s.duration.Observe(o.Duration.Seconds())
	if o.Lag >= 0 {
		s.lag.Observe(o.Lag.Seconds())
	}
}
