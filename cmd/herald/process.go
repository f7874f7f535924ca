package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"

	"github.com/redis/go-redis/v9"
	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/config"
	"github.com/heraldhq/herald/internal/logging"
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

// instagramPublisher is the Instagram publisher as configured.
func instagramPublisher(cfg config.Config) *instagram.Publisher {
	return instagram.New(instagram.Options{
		BaseURL:        cfg.InstagramGraphURL,
		Version:        cfg.InstagramAPIVersion,
		RefreshBaseURL: cfg.InstagramRefreshURL,
		AppID:          cfg.MetaAppID,
		AppSecret:      cfg.MetaAppSecret,
	})
}

// tiktokPublisher is the TikTok publisher as configured. fetch may be nil
// where only token refresh and revocation are needed.
func tiktokPublisher(cfg config.Config, fetch *media.Fetcher) *tiktok.Publisher {
	return tiktok.New(tiktok.Options{
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
func registry(cfg config.Config, rdb redis.UniversalClient) (*publishers.Registry, error) {
	fetch, err := media.New(media.Options{MaxBytes: cfg.MediaMaxBytes, AllowPrivate: cfg.MediaAllowPrivate})
	if err != nil {
		return nil, err
	}
	r := publishers.NewRegistry()
	r.Register("youtube", youtube.New(youtube.Options{
		Endpoint:         cfg.YouTubeAPIURL,
		UploadEndpoint:   cfg.YouTubeUploadURL,
		Media:            fetch,
		Redis:            rdb,
		Project:          cfg.YouTubeProject,
		UploadsPerDay:    cfg.YouTubeUploadsPerDay,
		UnitsPerDay:      cfg.YouTubeUnitsPerDay,
		UploadUnits:      cfg.YouTubeUploadUnits,
		AnalyticsReserve: cfg.YouTubeAnalyticsReserve,
	}))
	r.Register("instagram", instagramPublisher(cfg))
	r.Register("tiktok", tiktokPublisher(cfg, fetch))
	r.Register("linkedin", linkedin.New(linkedin.Options{
		BaseURL: cfg.LinkedInURL,
		Version: cfg.LinkedInVersion,
		Media:   fetch,
	}))
	if cfg.SandboxURL != "" {
		r.Register("sandbox", sandbox.New(cfg.SandboxURL, nil))
	}
	return r, nil
}

// tokenPlatforms says how the Vault refreshes and revokes each platform's
// tokens.
func tokenPlatforms(cfg config.Config) map[string]tokens.Platform {
	google := tokens.Platform{Revoke: tokens.GoogleRevoke(cfg.GoogleRevokeURL)}
	if cfg.GoogleClientID != "" {
		google.OAuth = &oauth2.Config{
			ClientID:     cfg.GoogleClientID,
			ClientSecret: cfg.GoogleClientSecret,
			Endpoint:     oauth2.Endpoint{TokenURL: cfg.GoogleTokenURL, AuthStyle: oauth2.AuthStyleInParams},
		}
	}
	ig := instagramPublisher(cfg)
	tt := tiktokPublisher(cfg, nil)
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
func newVault(cfg config.Config, rdb redis.UniversalClient, client *jobs.Client, log *slog.Logger) (*tokens.Vault, *tokens.Keyring, error) {
	if cfg.TokenKeys == "" {
		return nil, nil, errors.New("HERALD_TOKEN_KEYS is not set: tokens are stored encrypted and need a key (make one with `herald keys generate`)")
	}
	keys, err := tokens.ParseKeyring(cfg.TokenKeys)
	if err != nil {
		return nil, nil, fmt.Errorf("HERALD_TOKEN_KEYS: %w", err)
	}
	v := tokens.New(rdb, keys, tokens.Options{
		Platforms:    tokenPlatforms(cfg),
		Skew:         cfg.TokenRefreshSkew,
		Logger:       log,
		OnDisconnect: client.AccountDisconnected,
		OnErase:      client.ForgetAccount,
	})
	return v, keys, nil
}

// workerConfig maps the configuration to the worker's. The caller sets
// Tokens (and Sealer, Revoker) from the Vault.
func workerConfig(cfg config.Config, rdb redis.UniversalClient, log *slog.Logger) (jobs.WorkerConfig, error) {
	reg, err := registry(cfg, rdb)
	if err != nil {
		return jobs.WorkerConfig{}, err
	}
	return jobs.WorkerConfig{
		Concurrency:              cfg.WorkerConcurrency,
		ShutdownTimeout:          cfg.WorkerShutdownTimeout,
		DelayedTaskCheckInterval: cfg.DelayedTaskCheckInterval,
		Retry:                    jobs.RetryPolicy{Base: cfg.RetryBase, Cap: cfg.RetryCap},
		MaxLateness:              cfg.PublishMaxLateness,
		Publishers:               reg,
		Logger:                   log,
		Analytics: jobs.AnalyticsConfig{
			Window:      cfg.AnalyticsWindow,
			HistoryDays: cfg.AnalyticsHistoryDays,
			Interval:    cfg.AnalyticsInterval,
		},
	}, nil
}
