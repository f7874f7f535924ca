package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/api"
	"github.com/heraldhq/herald/config"
	"github.com/heraldhq/herald/deauth"
	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/internal/metrics"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/tenant"
	"github.com/heraldhq/herald/tokens"
)

// apiSettings are the API's settings from the environment.
type apiSettings struct {
	Addr      string // HERALD_API_ADDR
	Tokens    string // HERALD_API_TOKENS (secret)
	RateLimit int    // HERALD_API_RATE_LIMIT: requests per key per minute; 0 is off
}

// loadAPISettings picks the API's settings out of the configuration.
func loadAPISettings(cfg config.Config) (apiSettings, error) {
	return apiSettings{Addr: cfg.APIAddr, Tokens: cfg.APITokens, RateLimit: cfg.APIRateLimit}, nil
}

// apiShutdownTimeout is how long a stopping API waits for requests in
// flight; a disconnect may wait ~31s for a running publish attempt.
const apiShutdownTimeout = 35 * time.Second

func runAPI(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if err := parseFlags(flags("api", stderr), args); err != nil {
		return err
	}
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	set, err := loadAPISettings(cfg)
	if err != nil {
		return err
	}
	if set.Tokens == "" {
		return errors.New("HERALD_API_TOKENS is not set: the API needs at least one key, as name:token pairs separated by commas (a token of 32 random bytes: openssl rand -hex 32)")
	}
	keys, err := api.ParseTokens(set.Tokens)
	if err != nil {
		return fmt.Errorf("HERALD_API_TOKENS: %w", err)
	}
	log := newLogger(stderr, cfg.LogFormat, cfg.LogLevel)
	// The API enqueues jobs: it refuses a Redis that may evict them, as
	// the worker does.
	rdb, err := openRedis(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer rdb.Close()
	mux, err := apiHandler(cfg, rdb, keys, set.RateLimit, log)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", set.Addr)
	if err != nil {
		return fmt.Errorf("HERALD_API_ADDR %s: %w", set.Addr, err)
	}
	names := make([]string, 0, len(keys))
	for _, name := range keys {
		names = append(names, name)
	}
	for _, t := range cfg.TenantList() {
		if len(t.Unchecked) > 0 {
			// Taken as webhook endpoints, which this process is not given;
			// a misspelt key name would leave its key in tenant default.
			log.Warn("HERALD_TENANTS names what is no API key here", "tenant", t.Name, "names", t.Unchecked)
		}
	}
	log.Info("api started", "url", "http://"+ln.Addr().String()+"/v1/", "keys", names, "tenants", cfg.TenantConfig().Names(), "rate_limit", set.RateLimit)
	err = serveAPI(ctx, ln, mux, log)
	log.Info("api stopped")
	return err
}

// apiHandler is everything `herald api` serves: the API, its platform
// callbacks and /metrics, wired to the configured platforms.
func apiHandler(cfg config.Config, rdb redis.UniversalClient, keys map[string]string, rateLimit int, log *slog.Logger) (http.Handler, error) {
	ps, err := platforms(cfg, rdb, nil)
	if err != nil {
		return nil, err
	}
	reg := metrics.NewRegistry()
	appended := metrics.NewEvents(reg) // the API appends post.scheduled and account events
	appended.Tenants(cfg.TenantConfig())
	client := newClient(cfg, rdb, ps, appended.Appended)
	vault, keyring, err := newVault(cfg, rdb, ps, client, log, nil)
	if err != nil {
		return nil, err
	}
	flow, err := newConnectFlow(cfg, rdb, ps, vault, keyring, slices.Collect(maps.Values(keys)), log)
	if err != nil {
		return nil, err
	}
	// TikTok's post.publish.publicly_available looks up at once the post
	// ids moderation withheld.
	// The receiver names the stored id of each account of the user, in
	// whichever tenant: the lookup runs as that tenant.
	lookUp := func(ctx context.Context, account string) error {
		t, id := tenant.Split(account)
		_, err := client.ForTenant(t).LookUpPending(ctx, id)
		return err
	}
	callbacks, err := newCallbacks(cfg, rdb, ps, vault, newEventWriter(cfg, rdb, appended.Appended), lookUp, reg, log)
	if err != nil {
		return nil, err
	}
	h, err := api.New(api.Options{
		Client:      client,
		Vault:       vault,
		Tokens:      keys,
		Tenants:     cfg.TenantConfig(),
		Ready:       func(ctx context.Context) error { return rdb.Ping(ctx).Err() },
		RateLimit:   api.RateLimit{Redis: rdb, PerMinute: rateLimit},
		Observe:     apiMetrics(reg),
		Callbacks:   callbacks,
		Connect:     flow,
		CreatorInfo: creatorInfos(ps),
		Logger:      log,
	})
	if err != nil {
		return nil, err
	}
	return apiMux(h, promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})), nil
}

// creatorInfos is the creator info of every platform that has one.
func creatorInfos(ps []publishers.Platform) map[string]api.CreatorInfoFunc {
	m := map[string]api.CreatorInfoFunc{}
	for _, p := range ps {
		if p.CreatorInfo != nil {
			m[p.Name] = p.CreatorInfo
		}
	}
	return m
}

// apiMux serves GET /metrics and hands every other request to the API.
// Not an http.ServeMux: it would answer a path not in canonical form
// (/v1/callbacks/../posts/x, //v1/...) with its own HTML redirect, before
// the API checks a key or logs the request.
func apiMux(api, metrics http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/metrics" && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
			metrics.ServeHTTP(w, r)
			return
		}
		api.ServeHTTP(w, r)
	})
}

// newCallbacks sets up the platforms' disconnect notices (package
// deauth) from the configuration. A source whose settings are missing
// answers 503 naming the setting, so the platform retries while the
// operator fixes it.
func newCallbacks(cfg config.Config, rdb redis.UniversalClient, ps []publishers.Platform, vault *tokens.Vault, stream *events.Writer, lookUp func(context.Context, string) error, reg prometheus.Registerer, log *slog.Logger) (*deauth.Receiver, error) {
	o := deauth.Options{
		OnTikTokPostPublic: lookUp,
		Redis:              rdb,
		Vault:              vault,
		Platforms:          noticePlatforms(ps),
		PublicURL:          cfg.PublicURL,
		TikTokClientSecret: cfg.TikTokClientSecret,
		TikTokClientKey:    cfg.TikTokClientKey,
		Registerer:         reg,
		Logger:             log,
		// Before the Vault acts: the stream tells the app why the
		// account.disconnected or account.erased that follows happened.
		OnEvent: func(ctx context.Context, e deauth.Event) {
			log.InfoContext(ctx, "account deauthorized by its platform", "type", events.AccountDeauthorized,
				"account_id", e.AccountID, "platform", e.Platform, "action", e.Action, "reason", e.Reason)
			ev := events.Event{Type: events.AccountDeauthorized, AccountID: e.AccountID, Platform: e.Platform, Reason: e.Reason}
			if err := stream.Append(ctx, ev); err != nil {
				log.WarnContext(ctx, "events: account.deauthorized not appended", "account_id", e.AccountID, "err", err)
			}
		},
	}
	for _, secret := range []string{cfg.MetaAppSecret, cfg.InstagramAppSecret} {
		if secret != "" {
			o.MetaAppSecrets = append(o.MetaAppSecrets, secret)
		}
	}
	if aud := cfg.GoogleRISCAudiences(); len(aud) > 0 {
		risc, err := deauth.NewRISC(deauth.RISCOptions{
			JWKSURL: cfg.GoogleRISCJWKSURL, Issuer: cfg.GoogleRISCIssuer, Audiences: aud,
		})
		if err != nil {
			return nil, fmt.Errorf("google cross-account protection: %w", err)
		}
		o.RISC = risc
	}
	return deauth.New(o)
}

// serveAPI serves h on ln until ctx ends, with the timeouts a server
// facing other programs needs.
func serveAPI(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      90 * time.Second, // above the longest call: erase, disconnect
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	stopped := make(chan error, 1)
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), apiShutdownTimeout)
		defer cancel()
		stopped <- srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return <-stopped
}

// apiMetrics counts the API's requests by route and status, and times
// them by route. Routes are patterns ("GET /v1/posts/{id}"), never ids.
func apiMetrics(reg prometheus.Registerer) func(string, int, time.Duration) {
	requests := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "herald_api_requests_total",
		Help: "API requests by route pattern and status code.",
	}, []string{"route", "code"})
	duration := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "herald_api_request_duration_seconds",
		Help:    "Duration of API requests, by route pattern.",
		Buckets: prometheus.ExponentialBuckets(0.001, 4, 9),
	}, []string{"route"})
	reg.MustRegister(requests, duration)
	return func(route string, status int, d time.Duration) {
		if route == "" {
			route = "none"
		}
		requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
		duration.WithLabelValues(route).Observe(d.Seconds())
	}
}
