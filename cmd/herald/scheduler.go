package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/heraldhq/herald/config"
	"github.com/heraldhq/herald/internal/metrics"
)

// runScheduler enqueues the periodic work: one analytics sweep per
// HERALD_ANALYTICS_INTERVAL; and it runs the retention sweep itself
// (sweepRetention). Several schedulers may run for availability:
// each sweep's TaskID names its window and the task is retained for the
// window, so asynq accepts one sweep per window however many schedulers
// offer it (no lease to lose, nothing to elect).
func runScheduler(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if err := parseFlags(flags("scheduler", stderr), args); err != nil {
		return err
	}
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	log := newLogger(stderr, cfg.LogFormat, cfg.LogLevel)
	rdb, err := openRedis(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer rdb.Close()
	ps, err := platforms(cfg, rdb, nil)
	if err != nil {
		return err
	}
	client := newClient(cfg, rdb, ps, nil)
	g, ctx := errgroup.WithContext(ctx)
	if cfg.SchedulerMetricsAddr != "" {
		g.Go(func() error {
			h := metrics.NewMux(metrics.NewRegistry(), metrics.Probes{Ready: func(ctx context.Context) error { return rdb.Ping(ctx).Err() }})
			if err := metrics.Serve(ctx, cfg.SchedulerMetricsAddr, h); err != nil {
				return fmt.Errorf("metrics on %s: %w", cfg.SchedulerMetricsAddr, err)
			}
			return nil
		})
	}
	g.Go(func() error {
		// Check often enough that a new window's sweep starts promptly.
		tick := time.NewTicker(min(cfg.AnalyticsInterval/10, 30*time.Second))
		defer tick.Stop()
		for {
			if ok, err := client.EnqueueSweep(ctx, cfg.AnalyticsInterval); err != nil {
				log.Warn("scheduler: enqueue analytics sweep", "err", err)
			} else if ok {
				log.Info("scheduler: analytics sweep enqueued", "interval", cfg.AnalyticsInterval)
			}
			select {
			case <-ctx.Done():
				return nil
			case <-tick.C:
			}
		}
	})
	g.Go(func() error { return sweepRetention(ctx, client, log, retentionEvery) })
	log.Info("scheduler started", "analytics_interval", cfg.AnalyticsInterval, "record_retention", cfg.RecordRetention)
	return g.Wait()
}
