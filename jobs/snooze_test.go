package jobs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/heraldhq/herald/publishers"
)

// TestSnoozeIsAWaitNotARateLimit: a snoozed task is retried after the
// snooze, counts no failure, and is not taken for the platform's rate
// limit (which metrics and logs would report as one).
func TestSnoozeIsAWaitNotARateLimit(t *testing.T) {
	p := RetryPolicy{Base: 10 * time.Second, Cap: time.Hour, Rand: func() float64 { return 0.5 }}
	tests := []struct {
		name      string
		err       error
		delay     time.Duration
		failure   bool
		snoozed   bool
		rateLimit bool
	}{
		{"not due yet", snooze(42*time.Second, "post x not due"), 43 * time.Second, false, true, false},
		{"wrapped", fmt.Errorf("post x: %w", snooze(time.Minute, "busy")), time.Minute + time.Second, false, true, false},
		{"busy", errBusy, lockTTL/2 + time.Second, false, true, false},
		{"negative is now", snooze(-time.Second, "late task"), time.Second, false, true, false},
		{"rate limit is not a snooze", publishers.RateLimited(42*time.Second, errors.New("429")), 43 * time.Second, false, false, true},
		{"failure is not a snooze", publishers.Transient(errors.New("503")), 5 * time.Second, true, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := p.Delay(0, tt.err, nil); got != tt.delay {
				t.Errorf("Delay = %v, want %v", got, tt.delay)
			}
			if got := IsFailure(tt.err); got != tt.failure {
				t.Errorf("IsFailure = %v, want %v", got, tt.failure)
			}
			if _, got := Snoozed(tt.err); got != tt.snoozed {
				t.Errorf("Snoozed = %v, want %v", got, tt.snoozed)
			}
			if _, got := publishers.RetryAfter(tt.err); got != tt.rateLimit {
				t.Errorf("publishers.RetryAfter says rate limited = %v, want %v", got, tt.rateLimit)
			}
		})
	}
}

// TestSnoozeIsLoggedAsAWait: the task log says a snoozed task waits, at
// debug level, where a failure is a warning.
func TestSnoozeIsLoggedAsAWait(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	for _, err := range []error{errBusy, publishers.Transient(errors.New("503"))} {
		h := logTasks(log)(asynq.HandlerFunc(func(context.Context, *asynq.Task) error { return err }))
		_ = h.ProcessTask(context.Background(), asynq.NewTask(TypePublish, []byte(`{"post":{"post_id":"p1"}}`)))
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "level=DEBUG msg=\"task snoozed\"") || !strings.Contains(lines[1], "level=WARN msg=\"task failed\"") {
		t.Errorf("log:\n%s\nwant a debug snooze, then a failure warning", buf.String())
	}
}
