package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/heraldhq/herald/config"
	"github.com/heraldhq/herald/internal/eventually"
	"github.com/heraldhq/herald/internal/redistest"
)

// HERALD_RECORD_RETENTION reaches the client the CLI and the processes
// build: a canceled post expires that long after, and the scheduler's
// sweep gives the expiry to a final record that lacks one.
func TestRecordRetentionIsConfigured(t *testing.T) {
	db := redistest.New(t)
	t.Setenv("HERALD_REDIS_URL", db.URL())
	t.Setenv("HERALD_ANALYTICS_WINDOW", "1h")
	t.Setenv("HERALD_RECORD_RETENTION", "1000h")
	ctx := context.Background()
	at := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	file := filepath.Join(t.TempDir(), "p.json")
	if err := os.WriteFile(file, []byte(`{"post_id":"r1","account_id":"ret","platform":"sandbox","publish_at":"`+at+`","content":{"text":"hi"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"post", "schedule", "--file", file}, {"post", "cancel", "r1"}} {
		if _, _, err := herald(t, ctx, args...); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
	}
	key := "herald:{post:r1}"
	if d := db.Client.PTTL(ctx, key).Val(); d < 999*time.Hour || d > 1000*time.Hour {
		t.Errorf("canceled record expires in %v, want about 1000h", d)
	}
	db.Client.Persist(ctx, key)

	cfg, err := config.Load()
	if err != nil {
		t.Fatal(err)
	}
	rdb := cfg.Redis.NewClient()
	defer rdb.Close()
	ps, err := platforms(cfg, rdb, nil)
	if err != nil {
		t.Fatal(err)
	}
	sctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- sweepRetention(sctx, newClient(cfg, rdb, ps, nil), slog.New(slog.NewTextHandler(io.Discard, nil)), 10*time.Millisecond)
	}()
	eventually.True(t, 10*time.Second, func() bool { return db.Client.PTTL(ctx, key).Val() > 999*time.Hour },
		"the sweep gives the canceled record its expiry")
	stop()
	if err := <-done; err != nil {
		t.Errorf("sweep ended with %v", err)
	}
}
