// Package monitor is the operator's window on Herald: asynqmon's web UI
// at /monitoring, Prometheus metrics of every queue at /metrics, and
// /healthz.
//
// Queue metrics (asynq_* names, which asynqmon's charts query) are
// computed on every scrape from Redis, so only the monitor process exports
// them, not every worker. asynqmon has no authentication of its own: bind
// the monitor to a private address or put it behind an authenticating
// proxy.
package monitor

import (
	"context"
	"net/http"

	"github.com/hibiken/asynq"
	"github.com/hibiken/asynq/x/metrics"
	"github.com/hibiken/asynqmon"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	heraldmetrics "github.com/heraldhq/herald/internal/metrics"
)

// RootPath is where asynqmon is served.
const RootPath = "/monitoring"

// Options configure the monitor.
type Options struct {
	// RedisConnOpt is how asynqmon reaches Redis (it opens its own pool).
	RedisConnOpt asynq.RedisConnOpt
	// Redis serves the queue metrics and health checks.
	Redis redis.UniversalClient
	// Registry receives the queue metrics; it is served at /metrics.
	Registry *prometheus.Registry
	// PrometheusURL, if set, feeds asynqmon's metrics charts.
	PrometheusURL string
	ReadOnly      bool
}

// Handler is the monitor's HTTP handler. Close releases asynqmon's Redis
// connections.
type Handler struct {
	http.Handler
	mon *asynqmon.HTTPHandler
}

// New builds the monitor.
func New(o Options) *Handler {
	o.Registry.MustRegister(metrics.NewQueueMetricsCollector(asynq.NewInspectorFromRedisClient(o.Redis)))
	mon := asynqmon.New(asynqmon.Options{
		RootPath:          RootPath,
		RedisConnOpt:      o.RedisConnOpt,
		PrometheusAddress: o.PrometheusURL,
		ReadOnly:          o.ReadOnly,
	})
	mux := heraldmetrics.Mux(o.Registry, func(ctx context.Context) error { return o.Redis.Ping(ctx).Err() })
	mux.Handle(RootPath+"/", mon)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, RootPath+"/", http.StatusFound)
	})
	return &Handler{Handler: mux, mon: mon}
}

// Close releases the monitor's resources.
func (h *Handler) Close() error { return h.mon.Close() }
