package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/analytics"
	"github.com/heraldhq/herald/config"
	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/internal/logging"
	"github.com/heraldhq/herald/internal/metrics"
	"github.com/heraldhq/herald/internal/redischeck"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/tenant"
	"github.com/heraldhq/herald/tokens"
	"github.com/heraldhq/herald/webhook"
)

// newLogger builds the process logger from the configuration, with the
// guard that redacts anything shaped like a secret.
func newLogger(w io.Writer, format string, level slog.Level) *slog.Logger {
	return logging.New(w, format, level)
}

// openRedis connects a long-running process to the configured Redis and
// runs checkRedis; the caller closes the client.
func openRedis(ctx context.Context, cfg config.Config, log *slog.Logger) (redis.UniversalClient, error) {
	return openRedisPool(ctx, cfg, log, "", 0)
}

// openRedisPool is openRedis with a pool of size connections (0: the
// default) whose connections carry name (empty: none) in CLIENT LIST.
func openRedisPool(ctx context.Context, cfg config.Config, log *slog.Logger, name string, size int) (redis.UniversalClient, error) {
	rdb := cfg.Redis.NewClientPool(name, size)
	if err := checkRedis(ctx, rdb, log); err != nil {
		rdb.Close()
		return nil, err
	}
	return rdb, nil
}

// checkRedis runs the start-up checks every long-running process shares:
// it refuses Redis that may evict jobs and warns of one that forgets them.
func checkRedis(ctx context.Context, rdb redis.UniversalClient, log *slog.Logger) error {
	r, err := redischeck.Check(ctx, rdb)
	if err != nil {
		return err
	}
	for _, w := range r.Warnings {
		log.Warn("redis: " + w)
	}
	if !r.OK() {
		return fmt.Errorf("redis is not fit for Herald: %s (run `herald doctor` for details)", r.Problems[0])
	}
	return nil
}

// telemetry is a process's metrics. A nil *telemetry reports nothing
// (keys, api: processes without platform calls of their own).
type telemetry struct {
	reg      *prometheus.Registry
	publish  *metrics.Publish
	tokens   *metrics.Tokens
	requests *metrics.Requests
	events   *metrics.Events
}

// tenants bounds the metrics' tenant label to the configured tenants.
func (t *telemetry) tenants(c tenant.Config) {
	if t != nil {
		t.publish.Tenants(c)
		t.events.Tenants(c)
	}
}

// eventObserver counts appended events, or is nil without telemetry.
func (t *telemetry) eventObserver() func(tenant, typ string) {
	if t == nil {
		return nil
	}
	return t.events.Appended
}

func newTelemetry() *telemetry {
	reg := metrics.NewRegistry()
	return &telemetry{reg: reg, publish: metrics.NewPublish(reg), tokens: metrics.NewTokens(reg),
		requests: metrics.NewRequests(reg), events: metrics.NewEvents(reg)}
}

// newClient is the jobs client every process uses, as configured: posts
// may name the platforms of ps. observeEvent, if not nil, counts the
// events it appends.
func newClient(cfg config.Config, rdb redis.UniversalClient, ps []publishers.Platform, observeEvent func(tenant, typ string)) *jobs.Client {
	opts := []jobs.ClientOption{
		jobs.WithMaxRetry(cfg.RetryMax), jobs.WithMaxLateness(cfg.PublishMaxLateness),
		jobs.WithEventsMaxLen(cfg.EventsMaxLen), jobs.WithPlatforms(publishers.Names(ps)...),
		jobs.WithCapabilities(publishers.CapabilitiesByName(ps)), jobs.WithRetention(cfg.RecordRetention),
	}
	if observeEvent != nil {
		opts = append(opts, jobs.WithEventObserver(observeEvent))
	}
	return jobs.NewClient(rdb, opts...)
}

// newEventWriter appends to the events stream as configured, for
// processes that append events of their own (the platforms' notices).
// observe, if not nil, counts them.
func newEventWriter(cfg config.Config, rdb redis.UniversalClient, observe func(tenant, typ string)) *events.Writer {
	return events.NewWriter(rdb, events.WriterOptions{MaxLen: cfg.EventsMaxLen, Observe: observe})
}

// webhookEndpoints is HERALD_WEBHOOKS as package webhook takes it, each
// endpoint with the tenant whose events it receives (HERALD_TENANTS).
func webhookEndpoints(cfg config.Config) []webhook.Endpoint {
	tc, _ := tenantsOf(cfg) // the worker refuses to start when it fails
	var eps []webhook.Endpoint
	for _, ep := range cfg.WebhookEndpoints() {
		eps = append(eps, webhook.Endpoint{Name: ep.Name, URL: ep.URL, Secrets: ep.Secrets, Tenant: tc.OfEndpoint(ep.Name)})
	}
	return eps
}

// client returns an HTTP client for platform whose requests are counted.
func (t *telemetry) client(platform string, timeout time.Duration) *http.Client {
	c := &http.Client{Timeout: timeout}
	if t != nil {
		c.Transport = t.requests.Transport(platform, nil)
	}
	return c
}

// newVault opens the token Vault, wired to jobs: a disconnect enqueues
// the revocation and cancels the account's posts; an erase also deletes
// what jobs keeps.
func newVault(cfg config.Config, rdb redis.UniversalClient, ps []publishers.Platform, client *jobs.Client, log *slog.Logger, tel *telemetry) (*tokens.Vault, *tokens.Keyring, error) {
	if cfg.TokenKeys == "" {
		return nil, nil, errors.New("HERALD_TOKEN_KEYS is not set: tokens are stored encrypted and need a key (make one with `herald keys generate`)")
	}
	keys, err := tokens.ParseKeyring(cfg.TokenKeys)
	if err != nil {
		return nil, nil, fmt.Errorf("HERALD_TOKEN_KEYS: %w", err)
	}
	o := tokens.Options{
		Platforms:  vaultPlatforms(ps),
		HTTPClient: tel.client("oauth", 20*time.Second),
		Skew:       cfg.TokenRefreshSkew,
		Logger:     log,
	}
	if tel != nil {
		o.OnRefresh, o.OnCoalesced = tel.tokens.Refreshed, tel.tokens.Coalesced
		// The refresh series of the platforms that refresh start at zero,
		// so that increase() in HeraldReauthSpike sees the first ones.
		for name, p := range o.Platforms {
			if p.OAuth != nil || p.Refresh != nil {
				tel.tokens.Platforms(name)
			}
		}
	}
	return tokens.New(rdb, keys, jobs.VaultHooks(client, o)), keys, nil
}

// workerConfig maps the configuration to the worker's, publishing to the
// platforms of ps that have a publisher. The caller sets Tokens and
// Sealer from the Vault.
func workerConfig(cfg config.Config, ps []publishers.Platform, log *slog.Logger, tel *telemetry) jobs.WorkerConfig {
	var (
		observe      func(jobs.Outcome)
		observeEvent func(tenant, typ string)
		delivered    func(tenant, outcome string)
		readFailing  func(tenant string, failing bool)
	)
	if tel != nil {
		observe, observeEvent, delivered = tel.publish.Observe, tel.events.Appended, tel.events.Delivered
		readFailing = tel.events.ReadFailing
	}
	return jobs.WorkerConfig{
		Observe:      observe,
		ObserveEvent: observeEvent,
		EventsMaxLen: cfg.EventsMaxLen,
		Webhooks: webhook.Config{
			Endpoints: webhookEndpoints(cfg), MaxAge: cfg.WebhookMaxAge, Timeout: cfg.WebhookTimeout, Observe: delivered,
			ReadFailing: readFailing,
		},
		Concurrency:              cfg.WorkerConcurrency,
		Dequeuers:                cfg.WorkerDequeuers,
		ShutdownTimeout:          cfg.WorkerShutdownTimeout,
		DelayedTaskCheckInterval: cfg.DelayedTaskCheckInterval,
		Retry:                    jobs.RetryPolicy{Base: cfg.RetryBase, Cap: cfg.RetryCap},
		RecordRetention:          cfg.RecordRetention,
		MaxLateness:              cfg.PublishMaxLateness,
		MaxRetry:                 cfg.RetryMax,
		LookWindow:               cfg.LookWindow,
		Publishers:               publishers.RegistryOf(ps),
		Logger:                   log,
		Analytics: analytics.Config{
			Window:        cfg.AnalyticsWindow,
			HistoryDays:   cfg.AnalyticsHistoryDays,
			Interval:      cfg.AnalyticsInterval,
			ReconnectLead: cfg.ReconnectLead,
		},
	}
}
