// Package monitor is the operator's window on Herald: asynqmon's web UI
// at /monitoring, Prometheus metrics of every queue and of the Vault's
// accounts at /metrics, /healthz and /readyz; and the reports `herald
// doctor` prints (Queues; the token census is tokens.TakeCensus).
//
// Queue metrics (asynq_* names, which asynqmon's charts query) are
// computed on every scrape from Redis, so only the monitor process exports
// them, not every worker. asynqmon has no authentication of its own:
// Options.Auth puts basic auth or a bearer token in front of it, and
// Auth.Check refuses an open monitor on an address other machines reach.
// /metrics, /healthz and /readyz stay open for scrapers and probes: their
// labels are bounded sets that carry no user data.
package monitor

import (
	"context"
	"github.com/heraldhq/herald/internal/redischeck"
	"github.com/heraldhq/herald/tokens"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/hibiken/asynq"
	"github.com/hibiken/asynq/x/metrics"
	"github.com/hibiken/asynqmon"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/internal/logging"
	heraldmetrics "github.com/heraldhq/herald/internal/metrics"
)

// RootPath is where asynqmon is served.
const RootPath = "/monitoring"

// DefaultCensusEvery is how often the accounts gauge walks the Vault.
const DefaultCensusEvery = time.Minute

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
	// ReadOnly hides asynqmon's buttons that change queues and tasks.
	ReadOnly bool
	// Auth guards asynqmon; check it with Auth.Check(addr) first.
	Auth Auth
	// CensusEvery is how often herald_accounts counts the Vault's
	// accounts (at most once per interval, whatever the scrape rate).
	// Zero means DefaultCensusEvery; negative turns the gauge off.
	CensusEvery time.Duration
	// Quota, if set, is read on every scrape for the platform quota
	// gauges (cmd wires youtube.Publisher.QuotaUsage to it).
	Quota func(context.Context) ([]heraldmetrics.Quota, error)
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
	if o.CensusEvery >= 0 {
		every := o.CensusEvery
		if every == 0 {
			every = DefaultCensusEvery
		}
		o.Registry.MustRegister(heraldmetrics.AccountsCollector(heraldmetrics.Cached(every, nil, func(ctx context.Context) ([]heraldmetrics.AccountCount, error) {
			c, err := tokens.TakeCensus(ctx, o.Redis, nil)
			out := make([]heraldmetrics.AccountCount, len(c.Accounts))
			for i, a := range c.Accounts {
				out[i] = heraldmetrics.AccountCount{Platform: a.Platform, Status: string(a.Status), N: a.N}
			}
			return out, err
		})))
	}
	if o.Quota != nil {
		o.Registry.MustRegister(heraldmetrics.QuotaCollector(o.Quota))
	}
	o.Registry.MustRegister(heraldmetrics.RedisMemoryCollector(func(ctx context.Context) (heraldmetrics.RedisMemory, error) {
		m, err := redischeck.ReadMemory(ctx, o.Redis)
		return heraldmetrics.RedisMemory{Used: m.Used, Max: m.Max}, err
	}))
	mon := asynqmon.New(asynqmon.Options{
		RootPath:          RootPath,
		RedisConnOpt:      o.RedisConnOpt,
		PrometheusAddress: o.PrometheusURL,
		ReadOnly:          o.ReadOnly,
		PayloadFormatter:  asynqmon.PayloadFormatterFunc(redacted),
		ResultFormatter:   asynqmon.ResultFormatterFunc(redacted),
	})
	mux := heraldmetrics.NewMux(o.Registry, heraldmetrics.Probes{
		Ready: func(ctx context.Context) error { return o.Redis.Ping(ctx).Err() },
	})
	mux.Handle(RootPath+"/", o.Auth.protect(mon))
	mux.Handle("GET /{$}", o.Auth.protect(http.RedirectHandler(RootPath+"/", http.StatusFound)))
	return &Handler{Handler: mux, mon: mon}
}

// Close releases the monitor's resources.
func (h *Handler) Close() error { return h.mon.Close() }

// redacted shows a payload or result as text, with anything shaped like
// a secret masked: payloads never carry tokens (a test scans every task
// type), and this is the second line should one slip in. A JSON payload
// is masked string by string before it is encoded again, since in its
// encoded form a URL's & may read \u0026 and hide the parameter after it.
func redacted(_ string, b []byte) string {
	if !utf8.Valid(b) {
		return "non-printable bytes"
	}
	if s, ok := logging.RedactJSON(b); ok {
		return s
	}
	return logging.Redact(string(b))
}
