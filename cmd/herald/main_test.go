package main

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/heraldhq/herald/internal/eventually"
	"github.com/heraldhq/herald/internal/logging/logtest"
	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/jobs"
)

func TestMain(m *testing.M) { redistest.Main(m) }

func herald(t *testing.T, ctx context.Context, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	// Locked buffers: a worker stopped while attempts still wait on a
	// platform returns after its shutdown timeout, and asynq leaves those
	// attempts running; they log when they end, after run returned.
	var o, e logtest.Buffer
	err = run(ctx, args, &o, &e)
	return o.String(), e.String(), err
}

func TestUnknownCommandIsAUsageError(t *testing.T) {
	_, stderr, err := herald(t, context.Background(), "publish-everything")
	if !errors.Is(err, errUsage) {
		t.Errorf("err = %v, want usage error", err)
	}
	if !strings.Contains(stderr, `unknown command "publish-everything"`) || !strings.Contains(stderr, "worker") {
		t.Errorf("stderr does not explain: %q", stderr)
	}
}

func TestVersion(t *testing.T) {
	out, _, err := herald(t, context.Background(), "version")
	if err != nil || !strings.HasPrefix(out, "herald ") {
		t.Errorf("version: %q, %v", out, err)
	}
}

func TestDoctorReportsRedisAndConfig(t *testing.T) {
	db := redistest.New(t)
	t.Setenv("HERALD_REDIS_URL", db.URL())
	out, _, err := herald(t, context.Background(), "doctor")
	if err != nil {
		t.Fatalf("doctor: %v\n%s", err, out)
	}
	for _, want := range []string{"configuration: ok", "HERALD_WORKER_CONCURRENCY", "maxmemory-policy noeviction", "WARNING: no persistence"} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor output lacks %q:\n%s", want, out)
		}
	}
}

func TestDoctorNamesABadVariable(t *testing.T) {
	t.Setenv("HERALD_WORKER_CONCURRENCY", "abc")
	out, _, err := herald(t, context.Background(), "doctor")
	if err == nil {
		t.Fatal("doctor passed with a bad variable")
	}
	if !strings.Contains(out, "HERALD_WORKER_CONCURRENCY=abc") {
		t.Errorf("doctor does not name the variable:\n%s", out)
	}
}

func TestWorkerRefusesARedisThatEvicts(t *testing.T) {
	db := redistest.New(t)
	ctx := context.Background()
	if err := db.Client.ConfigSet(ctx, "maxmemory-policy", "allkeys-lru").Err(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Client.ConfigSet(context.Background(), "maxmemory-policy", "noeviction") })
	t.Setenv("HERALD_REDIS_URL", db.URL())
	t.Setenv("HERALD_SANDBOX_URL", "http://127.0.0.1:1")
	t.Setenv("HERALD_WORKER_METRICS_ADDR", "")
	t.Setenv("HERALD_TOKEN_KEYS", "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	_, _, err := herald(t, ctx, "worker")
	if err == nil || !strings.Contains(err.Error(), "maxmemory-policy is allkeys-lru") {
		t.Errorf("worker on an evicting Redis: %v, want a refusal naming the policy", err)
	}
}

func TestDemoPublishesItsPosts(t *testing.T) {
	if testing.Short() {
		t.Skip("the demo takes about 25s")
	}
	db := redistest.New(t)
	t.Setenv("HERALD_REDIS_URL", db.URL())
	t.Setenv("HERALD_MONITOR_ADDR", "127.0.0.1:0")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	out, stderr, err := herald(t, ctx, "demo", "--until-done")
	if err != nil {
		t.Fatalf("demo: %v\nstdout:\n%s\nstderr:\n%s", err, out, stderr)
	}
	for _, want := range []string{
		"hello      PUBLISHED", "photo      PUBLISHED", "flaky      PUBLISHED",
		"throttled  PUBLISHED", "rejected   FAILED (permanent)", "canceled   canceled",
		"will retry", "with a valid signature, 0 refused", "post.published 4",
		"connecting demo-account through the sandbox's consent page: http://", "connected demo-account (Allow clicked",
		"connect another account yourself within 10 minutes: open http://",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	if strings.Count(out, "PUBLISHED") != 4 {
		t.Errorf("want 4 posts published exactly once:\n%s", out)
	}
}

func TestKeysGenerateAndRotate(t *testing.T) {
	out, _, err := herald(t, context.Background(), "keys", "generate", "--id", "new")
	if err != nil || !strings.HasPrefix(out, "new:") {
		t.Fatalf("keys generate: %q %v", out, err)
	}
	db := redistest.New(t)
	t.Setenv("HERALD_REDIS_URL", db.URL())
	t.Setenv("HERALD_TOKEN_KEYS", strings.TrimSpace(out)+",k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	out, _, err = herald(t, context.Background(), "keys", "rotate")
	if err != nil || !strings.Contains(out, `sealed with key "new"`) {
		t.Errorf("keys rotate on an empty store: %q %v", out, err)
	}
}

func TestWorkerWithoutTokenKeysSaysWhatToDo(t *testing.T) {
	db := redistest.New(t)
	t.Setenv("HERALD_REDIS_URL", db.URL())
	t.Setenv("HERALD_SANDBOX_URL", "http://127.0.0.1:1")
	t.Setenv("HERALD_TOKEN_KEYS", "")
	_, _, err := herald(t, context.Background(), "worker")
	if err == nil || !strings.Contains(err.Error(), "HERALD_TOKEN_KEYS") || !strings.Contains(err.Error(), "herald keys generate") {
		t.Errorf("worker without keys: %v", err)
	}
}

func TestSchedulerEnqueuesOneSweepPerWindow(t *testing.T) {
	db := redistest.New(t)
	t.Setenv("HERALD_REDIS_URL", db.URL())
	t.Setenv("HERALD_SCHEDULER_METRICS_ADDR", "")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 2)
	for range 2 {
		go func() { _, _, err := herald(t, ctx, "scheduler"); done <- err }()
	}
	insp := asynq.NewInspectorFromRedisClient(db.Client)
	eventually.True(t, 10*time.Second, func() bool {
		tasks, _ := insp.ListPendingTasks(jobs.QueueAnalytics)
		return len(tasks) == 1
	}, "one sweep pending")
	cancel()
	for range 2 {
		if err := <-done; err != nil {
			t.Errorf("scheduler: %v", err)
		}
	}
	tasks, _ := insp.ListPendingTasks(jobs.QueueAnalytics)
	if len(tasks) != 1 || tasks[0].Type != jobs.TypeAnalyticsSweep {
		t.Errorf("pending analytics tasks: %d, want the one sweep", len(tasks))
	}
}

func TestMissingPositionalArgumentIsAUsageError(t *testing.T) {
	for _, args := range [][]string{
		{"post", "status"},
		{"post", "cancel", "--json"},
		{"accounts", "disconnect"},
		{"accounts", "erase", "-json"},
		{"webhooks", "enable"},
	} {
		_, stderr, err := herald(t, context.Background(), args...)
		if !errors.Is(err, errUsage) {
			t.Errorf("%v: err = %v, want usage error", args, err)
		}
		if !strings.Contains(stderr, "usage: herald "+args[0]) {
			t.Errorf("%v: stderr does not show the usage: %q", args, stderr)
		}
	}
}

// A subcommand asked for its help prints its flags and runs nothing: a
// `herald worker -h` that went on to start a worker would take tasks.
func TestSubcommandHelpRunsNothing(t *testing.T) {
	for _, cmd := range []string{"worker", "api", "scheduler", "monitor", "doctor"} {
		t.Run(cmd, func(t *testing.T) {
			var stdout, stderr strings.Builder
			ctx, cancel := context.WithCancel(context.Background())
			cancel() // a command that ran anyway would stop at once, not hang the test
			err := run(ctx, []string{cmd, "-h"}, &stdout, &stderr)
			if !errors.Is(err, errHelp) {
				t.Fatalf("herald %s -h: %v, want errHelp", cmd, err)
			}
			if !strings.Contains(stderr.String(), "Usage of herald "+cmd) {
				t.Errorf("herald %s -h printed %q, want its flags' usage", cmd, stderr.String())
			}
		})
	}
}
