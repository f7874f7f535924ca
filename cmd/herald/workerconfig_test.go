package main

import (
	"testing"
	"time"

	"github.com/heraldhq/herald/config"
)

// TestWorkerConfigTakesTheEnvironment: the settings an operator tunes
// through the environment reach the worker the binary builds.
func TestWorkerConfigTakesTheEnvironment(t *testing.T) {
	cfg, err := config.LoadFrom(map[string]string{
		"HERALD_LOOK_WINDOW":                 "90s",
		"HERALD_DELAYED_TASK_CHECK_INTERVAL": "3s",
		"HERALD_RETRY_MAX":                   "4",
	})
	if err != nil {
		t.Fatal(err)
	}
	wc := workerConfig(cfg, nil, nil, nil)
	if wc.LookWindow != 90*time.Second {
		t.Errorf("LookWindow %s, want HERALD_LOOK_WINDOW's 90s", wc.LookWindow)
	}
	if wc.DelayedTaskCheckInterval != 3*time.Second || wc.MaxRetry != 4 {
		t.Errorf("DelayedTaskCheckInterval %s, MaxRetry %d", wc.DelayedTaskCheckInterval, wc.MaxRetry)
	}
}
