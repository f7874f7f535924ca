package metrics

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/heraldhq/herald/jobs"
)

// Publish counts publish attempts and times them.
type Publish struct {
	attempts *prometheus.CounterVec
	duration *prometheus.HistogramVec
	lag      *prometheus.HistogramVec
	perPost  *prometheus.HistogramVec
	// published holds, for each platform given to Platforms, the series
	// a published attempt touches, looked up once: a worker observes
	// every attempt, and resolving four label sets each time cost more
	// than the observations (BenchmarkPublishedAttempt).
	published sync.Map // platform -> *publishedSeries
}

// publishedSeries are the series of one platform's published attempts.
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
			Help: "Publish attempts by platform, outcome (published, retry, failed, canceled) and failure class.",
		}, []string{"platform", "outcome", "class"}),
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

// Platforms creates the series of each platform at zero, so that rate()
// and alerts see a platform before its first failure.
func (p *Publish) Platforms(names ...string) {
	for _, name := range names {
		n := platformLabel(name)
		s := &publishedSeries{
			attempts: p.attempts.WithLabelValues(n, OutcomePublished, ""),
			duration: p.duration.WithLabelValues(n),
			lag:      p.lag.WithLabelValues(n),
			perPost:  p.perPost.WithLabelValues(n),
		}
		if n == name {
			p.published.Store(name, s)
		}
	}
}

// Observe records one attempt's outcome; it fits jobs.WorkerConfig.Observe.
func (p *Publish) Observe(o jobs.Outcome) {
	if o.State == jobs.StatePublished && o.Class == "" {
		if s, ok := p.published.Load(o.Platform); ok {
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
	p.attempts.WithLabelValues(platform, outcome, classLabel(o.Class)).Inc()
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
