//go:build unix

package cputime_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/internal/cputime"
	"github.com/heraldhq/herald/internal/redistest"
)

func TestMain(m *testing.M) { redistest.Main(m) }

func TestProcessGrowsAsThisProcessWorks(t *testing.T) {
	before := cputime.Process()
	if before <= 0 {
		t.Fatalf("Process = %v, want the CPU the test binary has used so far", before)
	}
	// Spin until the clock moves: getrusage's resolution is coarse.
	deadline := time.Now().Add(10 * time.Second)
	for cputime.Process() == before {
		if time.Now().After(deadline) {
			t.Fatal("Process did not grow over 10s of spinning")
		}
	}
}

func TestRedisReadsTheServersCPU(t *testing.T) {
	ctx := context.Background()
	db := redistest.New(t)
	before, err := cputime.Redis(ctx, db.Client)
	if err != nil {
		t.Fatal(err)
	}
	// Give the server work until its clock moves (INFO cpu counts in
	// the server's own ticks).
	deadline := time.Now().Add(10 * time.Second)
	for {
		if err := db.Client.Set(ctx, "k", "v", 0).Err(); err != nil {
			t.Fatal(err)
		}
		now, err := cputime.Redis(ctx, db.Client)
		if err != nil {
			t.Fatal(err)
		}
		if now > before {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Redis stayed at %v over 10s of commands", now)
		}
	}
}

type failing struct{}

func (failing) Info(ctx context.Context, _ ...string) *redis.StringCmd {
	c := redis.NewStringCmd(ctx, "info", "cpu")
	c.SetErr(errors.New("connection refused"))
	return c
}

func TestRedisPassesTheError(t *testing.T) {
	if got, err := cputime.Redis(context.Background(), failing{}); err == nil || got != 0 {
		t.Fatalf("Redis = %v, %v; want 0 and the error", got, err)
	}
}
