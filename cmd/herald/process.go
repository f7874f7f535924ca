package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/config"
	"github.com/heraldhq/herald/internal/redischeck"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/sandbox"
	"github.com/heraldhq/herald/tokens"
)

// newLogger builds the process logger from the configuration.
func newLogger(w io.Writer, format string, level slog.Level) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
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

// registry returns the publishers this process can use, from the
// configuration.
func registry(cfg config.Config) *publishers.Registry {
	r := publishers.NewRegistry()
	if cfg.SandboxURL != "" {
		r.Register("sandbox", sandbox.New(cfg.SandboxURL, nil))
	}
	return r
}

// tokenSource is where the worker gets tokens. Until the Vault lands only
// the sandbox platform, which checks no real token, is wired.
func tokenSource() tokens.Source { return tokens.Static{AccessToken: "sandbox"} }

// workerConfig maps the configuration to the worker's.
func workerConfig(cfg config.Config, log *slog.Logger) jobs.WorkerConfig {
	return jobs.WorkerConfig{
		Concurrency:              cfg.WorkerConcurrency,
		ShutdownTimeout:          cfg.WorkerShutdownTimeout,
		DelayedTaskCheckInterval: cfg.DelayedTaskCheckInterval,
		Retry:                    jobs.RetryPolicy{Base: cfg.RetryBase, Cap: cfg.RetryCap},
		MaxLateness:              cfg.PublishMaxLateness,
		Publishers:               registry(cfg),
		Tokens:                   tokenSource(),
		Logger:                   log,
	}
}
