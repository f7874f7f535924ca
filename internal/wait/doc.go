// Package wait holds the one way Herald's code waits: Sleep, a timer that
// gives up when its context is done, so that a shutdown never waits out a
// poll interval or a backoff.
//
// It lives apart from publishers because platforms (between status
// polls), the benchmark and, until issue 18's jobs split lands, the
// worker all wait this way; none of them should borrow it from another.
//
//	if err := wait.Sleep(ctx, pollInterval); err != nil {
//		return err // ctx is done
//	}
//
// Backoff says how long to wait before the next retry of something that
// keeps failing (a reader of the events stream while Redis is down):
// doubling up to a cap, jittered.
package wait
