package wait_test

import (
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/wait"
)

func TestBackoffDoublesUpToItsCap(t *testing.T) {
	b := wait.Backoff{Min: 2 * time.Second, Max: 30 * time.Second}
	// The step before jitter: 2s, 4s, 8s, 16s, then the cap.
	steps := []time.Duration{2 * time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 30 * time.Second, 30 * time.Second}
	for n, step := range steps {
		for range 50 {
			if d := b.Delay(n); d < step/2 || d > step {
				t.Fatalf("Delay(%d) = %v, want within [%v, %v]", n, d, step/2, step)
			}
		}
	}
	if d := b.Delay(1 << 20); d < 15*time.Second || d > 30*time.Second {
		t.Fatalf("Delay(huge n) = %v, want within the cap's [15s, 30s]", d)
	}
}

func TestBackoffJitters(t *testing.T) {
	b := wait.Backoff{Min: time.Second, Max: time.Minute}
	seen := map[time.Duration]bool{}
	for range 20 {
		seen[b.Delay(3)] = true
	}
	// Twenty draws from two billion nanoseconds: equal ones would mean
	// every reader of a failed Redis retries at the same instant.
	if len(seen) < 2 {
		t.Fatalf("20 delays all equal %v: no jitter", b.Delay(3))
	}
}

func TestBackoffWithoutMinWaitsNothing(t *testing.T) {
	if d := (wait.Backoff{}).Delay(5); d != 0 {
		t.Fatalf("zero Backoff Delay = %v, want 0", d)
	}
	if d := (wait.Backoff{Min: time.Second}).Delay(10); d < time.Second/2 || d > time.Second {
		t.Fatalf("Backoff without Max: Delay = %v, want capped at Min", d)
	}
}
