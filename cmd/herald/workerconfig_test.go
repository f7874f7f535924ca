package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/config"
	"github.com/heraldhq/herald/internal/eventually"
	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/webhook"
)

// TestWorkerConfigTakesTheEnvironment: the settings an operator tunes
// through the environment reach the worker the binary builds.
func TestWorkerConfigTakesTheEnvironment(t *testing.T) {
	cfg, err := config.LoadFrom(map[string]string{
		"HERALD_LOOK_WINDOW":                 "90s",
		"HERALD_DELAYED_TASK_CHECK_INTERVAL": "3s",
		"HERALD_RETRY_MAX":                   "4",
		"HERALD_WORKER_DEQUEUERS":            "3",
	})
	if err != nil {
		t.Fatal(err)
	}
	wc := workerConfig(cfg, nil, nil, nil)
	if wc.LookWindow != 90*time.Second {
		t.Errorf("LookWindow %s, want HERALD_LOOK_WINDOW's 90s", wc.LookWindow)
	}
	if wc.DelayedTaskCheckInterval != 3*time.Second || wc.MaxRetry != 4 || wc.Dequeuers != 3 {
		t.Errorf("DelayedTaskCheckInterval %s, MaxRetry %d, Dequeuers %d", wc.DelayedTaskCheckInterval, wc.MaxRetry, wc.Dequeuers)
	}
}

// TestVaultStartsRefreshSeriesAtZero: a process with telemetry has the
// refresh series of every platform that refreshes tokens from the start,
// so HeraldReauthSpike's increase() counts the first reauths; a platform
// that refreshes nothing has none.
func TestVaultStartsRefreshSeriesAtZero(t *testing.T) {
	cfg, err := config.LoadFrom(map[string]string{"HERALD_TOKEN_KEYS": "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="})
	if err != nil {
		t.Fatal(err)
	}
	db := redistest.New(t)
	ps := []publishers.Platform{
		{Name: "youtube", Tokens: publishers.Tokens{OAuth: &oauth2.Config{ClientID: "c"}}},
		{Name: "tiktok", Tokens: publishers.Tokens{Refresh: func(context.Context, *http.Client, *oauth2.Token) (*oauth2.Token, error) { return nil, nil }}},
		{Name: "sandbox"},
	}
	tel := newTelemetry()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if _, _, err := newVault(cfg, db.Client, ps, newClient(cfg, db.Client, ps, nil), log, tel); err != nil {
		t.Fatal(err)
	}
	want := `
# HELP herald_token_refreshes_total Calls to a platform's token endpoint, by platform and outcome (ok, reauth, error).
# TYPE herald_token_refreshes_total counter
herald_token_refreshes_total{outcome="error",platform="tiktok"} 0
herald_token_refreshes_total{outcome="error",platform="youtube"} 0
herald_token_refreshes_total{outcome="ok",platform="tiktok"} 0
herald_token_refreshes_total{outcome="ok",platform="youtube"} 0
herald_token_refreshes_total{outcome="reauth",platform="tiktok"} 0
herald_token_refreshes_total{outcome="reauth",platform="youtube"} 0
`
	if err := testutil.GatherAndCompare(tel.reg, strings.NewReader(want), "herald_token_refreshes_total"); err != nil {
		t.Error(err)
	}
}

// TestWorkerShowsWhetherWebhooksReadTheStream: the worker's webhook
// dispatcher feeds herald_webhooks_read_failing, whose series starts at
// 0 for each tenant with endpoints (HeraldWebhooksReadFailing watches it).
func TestWorkerShowsWhetherWebhooksReadTheStream(t *testing.T) {
	cfg, err := config.LoadFrom(map[string]string{
		"HERALD_WEBHOOKS":        "app=https://app.example/hooks",
		"HERALD_WEBHOOK_SECRETS": "app=whsec-0123456789abcdef01234567",
	})
	if err != nil {
		t.Fatal(err)
	}
	tel := newTelemetry()
	wc := workerConfig(cfg, nil, slog.New(slog.NewTextHandler(io.Discard, nil)), tel)
	db := redistest.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- webhook.NewDispatcher(db.Client, wc.Webhooks).Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("dispatcher Run = %v", err)
		}
	})
	want := `
# HELP herald_webhooks_read_failing 1 while this worker's webhook dispatcher cannot read the tenant's events stream (Redis unreachable: it retries, and no deliveries are enqueued meanwhile), else 0.
# TYPE herald_webhooks_read_failing gauge
herald_webhooks_read_failing{tenant="default"} 0
`
	eventually.True(t, 10*time.Second, func() bool {
		return testutil.GatherAndCompare(tel.reg, strings.NewReader(want), "herald_webhooks_read_failing") == nil
	}, "herald_webhooks_read_failing{tenant=\"default\"} 0 is exported")
}
