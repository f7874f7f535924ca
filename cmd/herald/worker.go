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
	fs := flags("worker", stderr)
	var queues map[string]int // from --queues; nil: HERALD_WORKER_QUEUES
	fs.Func("queues", "queues this worker serves, with optional weights, e.g. critical,publish or critical=10,publish=6 (default HERALD_WORKER_QUEUES)",
		func(s string) (err error) {
			queues, err = jobs.ParseQueues(s)
			return err
		})
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	if queues == nil {
		queues = cfg.WorkerQueueLayout()
	}
	log := newLogger(stderr, cfg.LogFormat, cfg.LogLevel)
	rdb, err := openRedisPool(ctx, cfg, log, workerClientName, jobs.PoolSize(cfg.WorkerConcurrency, cfg.WorkerDequeuers))
	if err != nil {
		return err
	}
	defer rdb.Close()
	tc, err := tenantsOf(cfg)
	if err != nil {
		return err
	}
	tel := newTelemetry()
	tel.tenants(tc)
	ps, err := platforms(cfg, rdb, tel)
	if err != nil {
		return err
	}
	wc := workerConfig(cfg, ps, log, tel)
	wc.Queues = queues
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
	log.Info("worker started", "platforms", wc.Publishers.Names(), "queues", jobs.FormatQueues(queues), "concurrency", wc.Concurrency, "metrics", cfg.WorkerMetricsAddr)
	for _, ep := range wc.Webhooks.Endpoints {
		// Which app hears what: a misassigned endpoint is seen here.
		log.Info("webhook endpoint", "endpoint", ep.Name, "tenant", ep.Tenant)
	}
	if others := unservedBy(queues); len(others) > 0 {
		log.Info("other workers must serve the rest of the queues (herald doctor checks)", "queues", others)
	}
	err = g.Wait()
	log.Info("worker stopped")
	return err
}

// unservedBy lists Herald's queues that layout leaves to other workers.
func unservedBy(layout map[string]int) []string {
	var out []string
	for _, q := range jobs.QueueNames() {
		if _, ok := layout[q]; !ok {
			out = append(out, q)
		}
	}
	return out
}
