// Package eventually waits in tests for a condition, with a deadline, so no
// test synchronises by sleeping.
package eventually

import (
	"fmt"
	"testing"
	"time"
)

// True polls cond every few milliseconds until it holds, and fails t when
// it still does not after within. what describes the condition for the
// failure message.
func True(t testing.TB, within time.Duration, cond func() bool, what string, args ...any) {
	t.Helper()
	deadline := time.Now().Add(within)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %s, still not: %s", within, fmt.Sprintf(what, args...))
		}
		<-tick.C
	}
}
