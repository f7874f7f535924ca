package wait

import (
	"math/rand/v2"
	"time"
)

// Backoff is a capped exponential backoff: the wait before retry n (from
// 1) is Min doubled n-1 times, at most Max, jittered into its upper half
// (a random time between half of it and all of it), so that processes
// that lost Redis together do not all come back in the same instant,
// while each still waits at least half the step.
type Backoff struct {
	Min, Max time.Duration
}

// Delay is the wait before retry n (n < 1 counts as 1). A Max below Min
// caps at Min; a Min of zero or less waits nothing.
func (b Backoff) Delay(n int) time.Duration {
	d := b.Min
	if d <= 0 {
		return 0
	}
	for i := 1; i < n && d < b.Max; i++ {
		d *= 2
	}
	if d > b.Max && b.Max >= b.Min {
		d = b.Max
	}
	half := d / 2
	return d - half + rand.N(half+1)
}
