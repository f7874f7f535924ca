package jobs_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
)

func TestRetryDelay(t *testing.T) {
	p := jobs.RetryPolicy{Base: 10 * time.Second, Cap: time.Hour, Rand: func() float64 { return 0.5 }}
	oops := errors.New("oops")
	tests := []struct {
		name string
		n    int
		err  error
		want time.Duration
	}{
		{"transient first retry", 0, publishers.Transient(oops), 5 * time.Second},
		{"transient doubles", 3, publishers.Transient(oops), 40 * time.Second},
		{"transient capped", 20, publishers.Transient(oops), 30 * time.Minute},
		{"huge n capped", 1000, oops, 30 * time.Minute},
		{"unclassified is transient", 1, oops, 10 * time.Second},
		{"rate limited waits as told, and a second for asynq's rounding", 5, publishers.RateLimited(42*time.Second, oops), 43 * time.Second},
		{"rate limited wrapped", 5, fmt.Errorf("post x: %w", publishers.RateLimited(time.Minute, oops)), time.Minute + time.Second},
		{"rate limited without delay backs off", 0, publishers.RateLimited(0, oops), 5 * time.Second},
		{"dead worker retried soon", 7, asynq.ErrLeaseExpired, time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := p.Delay(tt.n, tt.err, nil); got != tt.want {
				t.Errorf("Delay(%d, %v) = %v, want %v", tt.n, tt.err, got, tt.want)
			}
		})
	}
}

func TestRetryDelayIsFullJitter(t *testing.T) {
	p := jobs.RetryPolicy{Base: time.Second, Cap: time.Minute}
	seen := map[time.Duration]bool{}
	for range 100 {
		d := p.Delay(2, errors.New("x"), nil)
		if d < 0 || d > 4*time.Second {
			t.Fatalf("Delay = %v, outside [0, 4s]", d)
		}
		seen[d] = true
	}
	if len(seen) < 50 {
		t.Errorf("only %d distinct delays in 100: not jittered", len(seen))
	}
}

func TestIsFailure(t *testing.T) {
	oops := errors.New("oops")
	tests := []struct {
		err  error
		want bool
	}{
		{publishers.Transient(oops), true},
		{oops, true},
		{publishers.Permanent(oops), true},
		{publishers.RateLimited(time.Second, oops), false},
		{fmt.Errorf("wrapped: %w", publishers.RateLimited(0, oops)), false},
		{asynq.ErrLeaseExpired, false},
	}
	for _, tt := range tests {
		if got := jobs.IsFailure(tt.err); got != tt.want {
			t.Errorf("IsFailure(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}
