package main

import (
	"context"
	"fmt"
	"io"

	"github.com/heraldhq/herald/config"
	"github.com/heraldhq/herald/internal/metrics"
	"github.com/heraldhq/herald/internal/monitor"
)

func runMonitor(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if err := parseFlags(flags("monitor", stderr), args); err != nil {
		return err
	}
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	log := newLogger(stderr, cfg.LogFormat, cfg.LogLevel)
	rdb := cfg.Redis.NewClient()
	defer rdb.Close()
	if err := rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis %s: %w", cfg.Redis, err)
	}
	mon := monitor.New(monitor.Options{
		RedisConnOpt:  cfg.Redis.AsynqOpt(),
		Redis:         rdb,
		Registry:      metrics.NewRegistry(),
		PrometheusURL: cfg.PrometheusURL,
		ReadOnly:      cfg.MonitorReadOnly,
	})
	defer mon.Close()
	log.Info("monitor started", "url", "http://"+cfg.MonitorAddr+monitor.RootPath+"/")
	return metrics.Serve(ctx, cfg.MonitorAddr, mon)
}
