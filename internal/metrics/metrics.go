// Package metrics holds Herald's Prometheus metrics and the small HTTP
// server (/metrics, /healthz) every Herald process runs.
//
// Label values are bounded sets (platform, state, class): never an account
// or post id, which would leak user data and explode cardinality.
package metrics

import (
	"context"
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/heraldhq/herald/jobs"
)

// NewRegistry returns a registry with the Go runtime and process
// collectors: one registry per process.
func NewRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// Publish counts publish attempts and times them.
type Publish struct {
	attempts *prometheus.CounterVec
	duration *prometheus.HistogramVec
	lag      *prometheus.HistogramVec
}

// NewPublish registers the publish metrics on reg.
func NewPublish(reg prometheus.Registerer) *Publish {
	p := &Publish{
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herald_publish_attempts_total",
			Help: "Publish attempts by platform and outcome (published, retry, failed) and error class.",
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
	}
	reg.MustRegister(p.attempts, p.duration, p.lag)
	return p
}

// Observe records one attempt's outcome; it fits jobs.WorkerConfig.Observe.
func (p *Publish) Observe(o jobs.Outcome) {
	outcome := "retry"
	switch o.State {
	case jobs.StatePublished:
		outcome = "published"
	case jobs.StateFailed:
		outcome = "failed"
	}
	p.attempts.WithLabelValues(o.Platform, outcome, o.Class).Inc()
	p.duration.WithLabelValues(o.Platform).Observe(o.Duration.Seconds())
	if o.Lag >= 0 {
		p.lag.WithLabelValues(o.Platform).Observe(o.Lag.Seconds())
	}
}

// Mux returns a mux serving /metrics from reg and /healthz from health
// (nil: always healthy).
func Mux(reg *prometheus.Registry, health func(context.Context) error) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if health != nil {
			ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
			defer cancel()
			if err := health(ctx); err != nil {
				http.Error(w, "unhealthy: "+err.Error(), http.StatusServiceUnavailable)
				return
			}
		}
		_, _ = w.Write([]byte("ok\n"))
	})
	return mux
}

// Serve runs h on addr until ctx ends. It returns once the listener is
// closed; a failure to listen is returned at once.
func Serve(ctx context.Context, addr string, h http.Handler) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return ServeListener(ctx, ln, h)
}

// ServeListener is Serve on an open listener.
func ServeListener(ctx context.Context, ln net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
