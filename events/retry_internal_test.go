package events

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"
)

// records keeps the level and message of each log record.
type records struct {
	mu   sync.Mutex
	logs []string
}

func (h *records) Enabled(context.Context, slog.Level) bool { return true }
func (h *records) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.logs = append(h.logs, r.Level.String()+" "+r.Message)
	return nil
}
func (h *records) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *records) WithGroup(string) slog.Handler      { return h }

// TestFailingReadsLogOncePerMinute: a run of failed reads warns at its
// first failure and then at most once a minute, says once when reads
// work again, tells OnFailing both, and waits longer and longer, up to
// RetryMax.
func TestFailingReadsLogOncePerMinute(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 0, 0, 0, time.UTC)
	now := start
	h := &records{}
	var states []bool
	r := &Reader{tenant: "default", stream: Stream, group: "app", consumer: "a",
		RetryMin: 2 * time.Second, RetryMax: 30 * time.Second, Logger: slog.New(h),
		OnFailing: func(failing bool) { states = append(states, failing) },
		now:       func() time.Time { return now }}
	f := readFailures{r: r}
	var waits []time.Duration
	for _, at := range []time.Duration{0, 10 * time.Second, 59 * time.Second, 60 * time.Second, 90 * time.Second, 119 * time.Second, 121 * time.Second, 150 * time.Second} {
		now = start.Add(at)
		waits = append(waits, f.failed(errors.New("connection refused")))
	}
	f.recovered()
	f.recovered() // a second good read says nothing more
	const (
		warn  = "WARN events: reading the stream failed; retrying until it works"
		still = "WARN events: reading the stream still fails; retrying until it works"
		works = "INFO events: reading the stream works again"
	)
	want := []string{warn, still, still, works}
	if len(h.logs) != len(want) {
		t.Fatalf("logged\n%q\nwant\n%q", h.logs, want)
	}
	for i := range want {
		if h.logs[i] != want[i] {
			t.Fatalf("logged\n%q\nwant\n%q", h.logs, want)
		}
	}
	if len(states) != 2 || !states[0] || states[1] {
		t.Errorf("OnFailing heard %v, want [true false]", states)
	}
	if waits[0] < time.Second || waits[0] > 2*time.Second {
		t.Errorf("first wait %v, want 1s-2s", waits[0])
	}
	for i, w := range waits[5:] {
		if w < 15*time.Second || w > 30*time.Second {
			t.Errorf("wait %d = %v, want within the cap's 15s-30s", i+5, w)
		}
	}
	// A new outage warns at once again.
	now = now.Add(time.Second)
	f.failed(errors.New("connection refused"))
	if last := h.logs[len(h.logs)-1]; last != warn {
		t.Errorf("a new outage logged %q, want %q", last, warn)
	}
}
