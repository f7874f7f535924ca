package events

import (
	"log/slog"
	"time"

	"github.com/heraldhq/herald/internal/wait"
)

// A reader outlives a Redis outage of any length: asynq does, and a
// worker that exited because its events reader gave up would leave its
// in-flight tasks to orphan recovery. The outage shows in the log (a
// warning when reads start failing, a reminder at most every
// failLogEvery, a note when they work again) and, through OnFailing, in
// a gauge that an alert can watch.

// Defaults of Reader.RetryMin and RetryMax: the first retries come
// quickly, for a failover's few seconds; a long outage costs one read
// every half minute.
const (
	defaultRetryMin = 2 * time.Second
	defaultRetryMax = 30 * time.Second
)

// failLogEvery is how often, at most, a reader whose reads keep failing
// says so again.
const failLogEvery = time.Minute

func (r *Reader) logger() *slog.Logger {
	if r.Logger != nil {
		return r.Logger
	}
	return slog.Default()
}

func (r *Reader) clock() time.Time {
	if r.now != nil {
		return r.now()
	}
	return time.Now()
}

// backoff is the reader's retry backoff; a RetryMin of zero or less is
// the default, so a zero value never retries in a busy loop.
func (r *Reader) backoff() wait.Backoff {
	b := wait.Backoff{Min: r.RetryMin, Max: r.RetryMax}
	if b.Min <= 0 {
		b.Min = defaultRetryMin
	}
	if b.Max <= 0 {
		b.Max = defaultRetryMax
	}
	return b
}

// readFailures is one ConsumeBatches' run of consecutive failed reads.
type readFailures struct {
	r *Reader
	// n counts the failed reads in a row; 0 while reads work.
	n int
	// since is when the first of them failed, logged when one was last
	// logged.
	since, logged time.Time
}

// failed notes a failed read and returns how long to wait before the
// next. The error is Redis's or the network's: it names no secret
// (go-redis never puts a password in one).
func (f *readFailures) failed(err error) time.Duration {
	r, now := f.r, f.r.clock()
	f.n++
	next := r.backoff().Delay(f.n)
	switch {
	case f.n == 1:
		f.since, f.logged = now, now
		r.logger().Warn("events: reading the stream failed; retrying until it works",
			"tenant", r.tenant, "stream", r.stream, "group", r.group, "consumer", r.consumer,
			"error", err, "retry_in", next.Round(time.Millisecond))
		if r.OnFailing != nil {
			r.OnFailing(true)
		}
	case now.Sub(f.logged) >= failLogEvery:
		f.logged = now
		r.logger().Warn("events: reading the stream still fails; retrying until it works",
			"tenant", r.tenant, "stream", r.stream, "group", r.group, "consumer", r.consumer,
			"error", err, "failing_for", now.Sub(f.since).Round(time.Second), "failures", f.n,
			"retry_in", next.Round(time.Millisecond))
	}
	return next
}

// recovered notes a read that worked, ending a run of failures.
func (f *readFailures) recovered() {
	if f.n == 0 {
		return
	}
	r := f.r
	r.logger().Info("events: reading the stream works again",
		"tenant", r.tenant, "stream", r.stream, "group", r.group, "consumer", r.consumer,
		"failed_for", r.clock().Sub(f.since).Round(time.Second), "failures", f.n)
	f.n = 0
	if r.OnFailing != nil {
		r.OnFailing(false)
	}
}

// ended clears the failing state when ConsumeBatches returns: a reader
// that stopped is not failing.
func (f *readFailures) ended() {
	if f.n > 0 && f.r.OnFailing != nil {
		f.r.OnFailing(false)
	}
}
