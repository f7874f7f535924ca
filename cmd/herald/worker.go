package main

import (
	"context"
	"fmt"
	"io"

	"golang.org/x/sync/errgroup"

	"github.com/heraldhq/herald/config"
	"github.com/heraldhq/herald/internal/metrics"
	"github.com/heraldhq/herald/jobs"
)

func runWorker(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if err := parseFlags(flags("worker", stderr), args); err != nil {
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
	tel := newTelemetry()
	ps, err := platforms(cfg, rdb, tel)
	if err != nil {
		return err
	}
	wc := workerConfig(cfg, ps, log, tel)
	client := newClient(cfg, rdb, ps, tel.eventObserver())
	vault, keys, err := newVault(cfg, rdb, ps, client, log, tel)
	if err != nil {
		return err
	}
	wc.Tokens, wc.Sealer = vault, keys
	tel.publish.Platforms(wc.Publishers.Names()...)
	reg := tel.reg
	w, err := jobs.NewWorker(rdb, wc)
	if err != nil {
		return err
	}
	g, ctx := errgroup.WithContext(ctx)
	if cfg.WorkerMetricsAddr != "" {
		health := func(ctx context.Context) error {
			if err := w.Healthy(); err != nil {
				return err
			}
			return rdb.Ping(ctx).Err()
		}
		g.Go(func() error {
			if err := metrics.Serve(ctx, cfg.WorkerMetricsAddr, metrics.NewMux(reg, metrics.Probes{Ready: health})); err != nil {
				return fmt.Errorf("metrics on %s: %w", cfg.WorkerMetricsAddr, err)
			}
			return nil
		})
	}
	g.Go(func() error { return w.Run(ctx) })
	log.Info("worker started", "platforms", wc.Publishers.Names(), "concurrency", wc.Concurrency, "metrics", cfg.WorkerMetricsAddr)
	err = g.Wait()
	log.Info("worker stopped")
	return err
}
