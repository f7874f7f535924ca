package main

import (
	"context"
	"fmt"
	"io"

	"github.com/heraldhq/herald/config"
	"github.com/heraldhq/herald/internal/metrics"
	"github.com/heraldhq/herald/internal/monitor"
	"github.com/heraldhq/herald/publishers/youtube"
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
	auth := monitorAuth(cfg)
	if err := auth.Check(cfg.MonitorAddr); err != nil {
		return err
	}
	rdb := cfg.Redis.NewClient()
	defer rdb.Close()
	if err := rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("redis %s: %w", cfg.Redis, err)
	}
	yt := youtube.New(youtube.Options{
		Endpoint:         cfg.YouTubeAPIURL,
		UploadEndpoint:   cfg.YouTubeUploadURL,
		Redis:            rdb,
		Project:          cfg.YouTubeProject,
		UploadsPerDay:    cfg.YouTubeUploadsPerDay,
		UnitsPerDay:      cfg.YouTubeUnitsPerDay,
		UploadUnits:      cfg.YouTubeUploadUnits,
		AnalyticsReserve: cfg.YouTubeAnalyticsReserve,
	})
	mon := monitor.New(monitor.Options{
		RedisConnOpt:  cfg.Redis.AsynqOpt(),
		Redis:         rdb,
		Registry:      metrics.NewRegistry(),
		PrometheusURL: cfg.PrometheusURL,
		ReadOnly:      cfg.MonitorReadOnly,
		Auth:          auth,
		Quota:         youtubeQuota(yt),
	})
	defer mon.Close()
	log.Info("monitor started", "url", "http://"+cfg.MonitorAddr+monitor.RootPath+"/", "login", auth.Enabled(), "readonly", cfg.MonitorReadOnly)
	return metrics.Serve(ctx, cfg.MonitorAddr, mon)
}

// monitorAuth is who may use asynqmon, from the configuration.
func monitorAuth(cfg config.Config) monitor.Auth {
	return monitor.Auth{Username: cfg.MonitorUser, Password: cfg.MonitorPassword, BearerToken: cfg.MonitorToken}
}

// youtubeQuota reads YouTube's quota buckets for the quota gauges.
func youtubeQuota(yt *youtube.Publisher) func(context.Context) ([]metrics.Quota, error) {
	return func(ctx context.Context) ([]metrics.Quota, error) {
		u, err := yt.QuotaUsage(ctx)
		if err != nil {
			return nil, err
		}
		return []metrics.Quota{
			{Platform: "youtube", Project: u.Project, Bucket: "uploads", Used: u.Uploads, Limit: u.UploadsBudget, Reset: u.Reset},
			{Platform: "youtube", Project: u.Project, Bucket: "units", Used: u.Units, Limit: u.UnitsBudget, Reset: u.Reset},
		}, nil
	}
}
