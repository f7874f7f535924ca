package wire

import (
	"context"
	"testing"
	"time"
)

// The waits grow from about a second to at most 16 s and stop before the
// deadline; Reset starts a new budget.
func TestChunkBackoffWaitsWithinItsDeadline(t *testing.T) {
	now := time.Unix(0, 0)
	var waits []time.Duration
	b := &ChunkBackoff{
		Deadline: DefaultChunkRetryDeadline,
		Now:      func() time.Time { return now },
		Sleep: func(_ context.Context, d time.Duration) error {
			waits = append(waits, d)
			now = now.Add(d)
			return nil
		},
	}
	for {
		ok, err := b.Wait(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
	}
	if len(waits) < 3 || b.Failures() != len(waits) {
		t.Fatalf("waits %v, failures %d", waits, b.Failures())
	}
	var total time.Duration
	for i, d := range waits {
		step := min(firstChunkPause<<i, maxChunkPause)
		if d < step/2 || d > step {
			t.Errorf("wait %d = %v, want within [%v, %v]", i, d, step/2, step)
		}
		total += d
	}
	if total >= DefaultChunkRetryDeadline {
		t.Errorf("waited %v in all, past the %v deadline", total, DefaultChunkRetryDeadline)
	}
	b.Reset()
	if ok, _ := b.Wait(context.Background()); !ok || b.Failures() != 1 {
		t.Errorf("after Reset: ok %v, failures %d", ok, b.Failures())
	}
}

// A sleep cut short by its context ends the retries with its error.
func TestChunkBackoffEndsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	b := &ChunkBackoff{Deadline: time.Minute, Now: time.Now, Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }}
	if ok, err := b.Wait(ctx); ok || err == nil {
		t.Errorf("Wait = %v, %v; want false with the context's error", ok, err)
	}
}
