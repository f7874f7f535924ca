package faultrules

import (
	"context"
	"net/http"
	"time"
)

// Delay waits d, the latency a fake injects into a call, giving up when
// the caller does (ctx) or the server closes (closing): a test's Close
// must not wait out a minute's latency.
func Delay(ctx context.Context, d time.Duration, closing <-chan struct{}) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-closing:
		return http.ErrServerClosed
	}
}
