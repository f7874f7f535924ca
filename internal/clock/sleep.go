// Package clock holds Herald's context-aware wait, for the packages that
// back off between attempts (the events reader, the webhook dispatcher,
// the worker). A wait that ends early because its context did is how a
// process shuts down promptly.
package clock

import (
	"context"
	"time"
)

// Sleep waits d, or until ctx is done, and returns ctx's error in that
// case. A d of zero or less makes no timer: it only reports whether ctx
// is done.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
