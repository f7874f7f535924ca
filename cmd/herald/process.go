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
	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/config"
	"github.com/heraldhq/herald/internal/logging"
	"github.com/heraldhq/herald/internal/metrics"
	"github.com/heraldhq/herald/internal/redischeck"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/instagram"
	"github.com/heraldhq/herald/publishers/linkedin"
	"github.com/heraldhq/herald/publishers/media"
	"github.com/heraldhq/herald/publishers/sandbox"
	"github.com/heraldhq/herald/publishers/tiktok"
	"github.com/heraldhq/herald/publishers/youtube"
	"github.com/heraldhq/herald/tokens"
)

// newLogger builds the process logger from the configuration, with the
// guard that redacts anything shaped like a secret.
func newLogger(w io.Writer, format string, level slog.Level) *slog.Logger {
	return logging.New(w, format, level)
}

// openRedis connects a long-running process to the configured Redis and
// runs checkRedis; the caller closes the client.
func openRedis(ctx context.Context, cfg config.Config, log *slog.Logger) (redis.UniversalClient, error) {
	rdb := cfg.Redis.NewClient()
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

// eventObserver counts appended events, or is nil without telemetry.
func (t *telemetry) eventObserver() func(string) {
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

// newClient is the jobs client every process uses, as configured.
// observeEvent, if not nil, counts the events it appends.
func newClient(cfg config.Config, rdb redis.UniversalClient, observeEvent func(string)) *jobs.Client {
	opts := []jobs.ClientOption{
		jobs.WithMaxRetry(cfg.RetryMax), jobs.WithMaxLateness(cfg.PublishMaxLateness),
		jobs.WithEventsMaxLen(cfg.EventsMaxLen),
	}
	if observeEvent != nil {
		opts = append(opts, jobs.WithEventObserver(observeEvent))
	}
	return jobs.NewClient(rdb, opts...)
}

// webhookEndpoints is HERALD_WEBHOOKS as jobs takes it.
func webhookEndpoints(cfg config.Config) []jobs.WebhookEndpoint {
	var eps []jobs.WebhookEndpoint
	for _, ep := range cfg.WebhookEndpoints() {
		eps = append(eps, jobs.WebhookEndpoint(ep))
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

// instagramPublisher is the Instagram publisher as configured.
func instagramPublisher(cfg config.Config, tel *telemetry) *instagram.Publisher {
	return instagram.New(instagram.Options{
		Client:         tel.client("instagram", instagram.DefaultTimeout),
		BaseURL:        cfg.InstagramGraphURL,
		Version:        cfg.InstagramAPIVersion,
		RefreshBaseURL: cfg.InstagramRefreshURL,
		AppID:          cfg.MetaAppID,
		AppSecret:      cfg.MetaAppSecret,
	})
}

// tiktokPublisher is the TikTok publisher as configured. fetch may be nil
// where only token refresh and revocation are needed.
func tiktokPublisher(cfg config.Config, fetch *media.Fetcher, tel *telemetry) *tiktok.Publisher {
	return tiktok.New(tiktok.Options{
		Client:       tel.client("tiktok", tiktok.DefaultTimeout),
		UploadClient: tel.client("tiktok", 0),
		BaseURL:      cfg.TikTokURL,
		ClientKey:    cfg.TikTokClientKey,
		ClientSecret: cfg.TikTokClientSecret,
		PullPrefixes: cfg.TikTokPullPrefixList(),
		Unaudited:    cfg.TikTokUnaudited,
		Fetcher:      fetch,
	})
}

// registry returns the publishers this process can use, from the
// configuration. Real platforms are always there (an account of theirs
// needs its tokens in the Vault to be used); the sandbox only when
// HERALD_SANDBOX_URL points at one.
func registry(cfg config.Config, rdb redis.UniversalClient, tel *telemetry) (*publishers.Registry, error) {
	fetch, err := media.New(media.Options{MaxBytes: cfg.MediaMaxBytes, AllowPrivate: cfg.MediaAllowPrivate})
	if err != nil {
		return nil, err
	}
	r := publishers.NewRegistry()
	r.Register("youtube", youtube.New(youtube.Options{
		Endpoint:         cfg.YouTubeAPIURL,
		Client:           youtubeClient(tel),
		UploadEndpoint:   cfg.YouTubeUploadURL,
		Media:            fetch,
		Redis:            rdb,
		Project:          cfg.YouTubeProject,
		UploadsPerDay:    cfg.YouTubeUploadsPerDay,
		UnitsPerDay:      cfg.YouTubeUnitsPerDay,
		UploadUnits:      cfg.YouTubeUploadUnits,
		AnalyticsReserve: cfg.YouTubeAnalyticsReserve,
	}))
	r.Register("instagram", instagramPublisher(cfg, tel))
	r.Register("tiktok", tiktokPublisher(cfg, fetch, tel))
	r.Register("linkedin", linkedin.New(linkedin.Options{
		Client:  tel.client("linkedin", linkedin.DefaultTimeout),
		BaseURL: cfg.LinkedInURL,
		Version: cfg.LinkedInVersion,
		Media:   fetch,
	}))
	if cfg.SandboxURL != "" {
		r.Register("sandbox", sandbox.New(cfg.SandboxURL, tel.client("sandbox", sandbox.DefaultTimeout)))
	}
	return r, nil
}

// youtubeClient is YouTube's HTTP client: no overall timeout (uploads are
// long), a bound on waiting for answers instead.
func youtubeClient(tel *telemetry) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.ResponseHeaderTimeout = youtube.DefaultCallTimeout
	if tel == nil {
		return &http.Client{Transport: t}
	}
	return &http.Client{Transport: tel.requests.Transport("youtube", t)}
}

// tokenPlatforms says how the Vault refreshes and revokes each platform's
// tokens.
func tokenPlatforms(cfg config.Config, tel *telemetry) map[string]tokens.Platform {
	google := tokens.Platform{Revoke: tokens.GoogleRevoke(cfg.GoogleRevokeURL)}
	if cfg.GoogleClientID != "" {
		google.OAuth = &oauth2.Config{
			ClientID:     cfg.GoogleClientID,
			ClientSecret: cfg.GoogleClientSecret,
			Endpoint:     oauth2.Endpoint{TokenURL: cfg.GoogleTokenURL, AuthStyle: oauth2.AuthStyleInParams},
		}
	}
	ig := instagramPublisher(cfg, tel)
	tt := tiktokPublisher(cfg, nil, tel)
	return map[string]tokens.Platform{
		// TikTok's refresh speaks client_key, not client_id, and rotates
		// refresh tokens.
		"tiktok":  {Refresh: tt.RefreshToken, Revoke: tt.Revoke},
		"youtube": google,
		// Meta offers no revocation of an Instagram token; disconnect
		// deletes it. Long-lived tokens are renewed weeks before expiry.
		"instagram": {
			Refresh: func(ctx context.Context, _ *http.Client, t *oauth2.Token) (*oauth2.Token, error) {
				nt, err := ig.RefreshToken(ctx, t)
				if publishers.ClassOf(err) == publishers.ClassReauth {
					return nil, fmt.Errorf("%w (%v)", tokens.ErrInvalidGrant, err)
				}
				return nt, err
			},
			Skew: instagram.RefreshMargin,
		},
		"sandbox": {}, // its tokens never expire and it has nothing to revoke
	}
}

// newVault opens the token Vault, wired to jobs: a disconnect enqueues
// the revocation and cancels the account's posts; an erase also deletes
// what jobs keeps.
func newVault(cfg config.Config, rdb redis.UniversalClient, client *jobs.Client, log *slog.Logger, tel *telemetry) (*tokens.Vault, *tokens.Keyring, error) {
	if cfg.TokenKeys == "" {
		return nil, nil, errors.New("HERALD_TOKEN_KEYS is not set: tokens are stored encrypted and need a key (make one with `herald keys generate`)")
	}
	keys, err := tokens.ParseKeyring(cfg.TokenKeys)
	if err != nil {
		return nil, nil, fmt.Errorf("HERALD_TOKEN_KEYS: %w", err)
	}
	o := tokens.Options{
		Platforms:    tokenPlatforms(cfg, tel),
		HTTPClient:   tel.client("oauth", 20*time.Second),
		Skew:         cfg.TokenRefreshSkew,
		Logger:       log,
		OnConnect:    client.AccountConnected,
		OnReauth:     client.AccountNeedsReauth,
		OnDisconnect: client.AccountDisconnected,
		OnErase:      client.ForgetAccount,
	}
	if tel != nil {
		o.OnRefresh, o.OnCoalesced = tel.tokens.Refreshed, tel.tokens.Coalesced
	}
	return tokens.New(rdb, keys, o), keys, nil
}

// workerConfig maps the configuration to the worker's. The caller sets
// Tokens (and Sealer, Revoker) from the Vault.
func workerConfig(cfg config.Config, rdb redis.UniversalClient, log *slog.Logger, tel *telemetry) (jobs.WorkerConfig, error) {
	reg, err := registry(cfg, rdb, tel)
	if err != nil {
		return jobs.WorkerConfig{}, err
	}
	var (
		observe      func(jobs.Outcome)
		observeEvent func(string)
		delivered    func(string)
	)
	if tel != nil {
		observe, observeEvent, delivered = tel.publish.Observe, tel.events.Appended, tel.events.Delivered
	}
	return jobs.WorkerConfig{
		Observe:      observe,
		ObserveEvent: observeEvent,
		EventsMaxLen: cfg.EventsMaxLen,
		Webhooks: jobs.WebhookConfig{
			Endpoints: webhookEndpoints(cfg), MaxAge: cfg.WebhookMaxAge, Timeout: cfg.WebhookTimeout, Observe: delivered,
		},
		Concurrency:              cfg.WorkerConcurrency,
		ShutdownTimeout:          cfg.WorkerShutdownTimeout,
		DelayedTaskCheckInterval: cfg.DelayedTaskCheckInterval,
		Retry:                    jobs.RetryPolicy{Base: cfg.RetryBase, Cap: cfg.RetryCap},
		MaxLateness:              cfg.PublishMaxLateness,
		MaxRetry:                 cfg.RetryMax,
		Publishers:               reg,
		Logger:                   log,
		Analytics: jobs.AnalyticsConfig{
			Window:        cfg.AnalyticsWindow,
			HistoryDays:   cfg.AnalyticsHistoryDays,
			Interval:      cfg.AnalyticsInterval,
			ReconnectLead: cfg.ReconnectLead,
		},
	}, nil
}
