package jobs

import (
	"errors"
	"math/rand/v2"
	"time"

	"github.com/hibiken/asynq"

	"github.com/heraldhq/herald/publishers"
)

// RetryPolicy turns a failed attempt's error class into asynq behaviour.
// Permanent and reauth errors never reach it: the handler wraps them in
// asynq.SkipRetry, which archives the task with its reason.
type RetryPolicy struct {
	// Base and Cap bound the exponential backoff of transient errors:
	// attempt n waits a uniformly random time in [0, min(Cap, Base*2^n)]
	// ("full jitter"), which spreads a burst of failures apart.
	Base, Cap time.Duration
	// Rand returns a number in [0, 1); nil uses math/rand/v2.
	Rand func() float64
}

// DefaultRetryPolicy is used when a worker is given none.
var DefaultRetryPolicy = RetryPolicy{Base: 10 * time.Second, Cap: time.Hour}

// leaseRecoveryDelay is how soon a task whose worker died is retried: it
// has already waited for its lease to expire.
const leaseRecoveryDelay = time.Second

// Delay is an asynq.RetryDelayFunc: n is how many failures the task had.
func (p RetryPolicy) Delay(n int, err error, _ *asynq.Task) time.Duration {
	if errors.Is(err, asynq.ErrLeaseExpired) {
		return leaseRecoveryDelay
	}
	if after, ok := Snoozed(err); ok {
		// Whole seconds, as for a rate limit below.
		return after + time.Second
	}
	if after, ok := publishers.RetryAfter(err); ok && after > 0 {
		// asynq files retries by whole seconds and releases them once that
		// second begins, up to a second early: the extra second makes sure
		// the platform's delay is honoured.
		return after + time.Second
	}
	ceiling := p.Cap
	if n < 62 && p.Base > 0 {
		if d := p.Base << n; d > 0 && d < p.Cap {
			ceiling = d
		}
	}
	r := rand.Float64
	if p.Rand != nil {
		r = p.Rand
	}
	return time.Duration(r() * float64(ceiling))
}

// IsFailure is asynq's IsFailure: a snooze is a wait, a rate limit is the
// platform's pace, not a failure, and a lease that expired because a
// worker died is not the post's fault. None uses up the task's retries.
func IsFailure(err error) bool {
	if _, snoozed := Snoozed(err); snoozed || errors.Is(err, asynq.ErrLeaseExpired) {
		return false
	}
	_, limited := publishers.RetryAfter(err)
	return !limited
}
