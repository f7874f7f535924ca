package wait

import (
	"context"
	"time"
)

// Sleep waits d, or until ctx is done. Publishers that poll a platform
// (a container, a video being processed) wait through it, and tests
// replace it with a fake clock's. A d of zero or less makes no timer: it
// only reports whether ctx is done.
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
