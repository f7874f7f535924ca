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
	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/publishers"
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
