package jobs

import (
	"errors"
	"fmt"
	"strings"
)

// ErrRedisFull: Redis reached its maxmemory and refuses writes (it runs
// with noeviction, as asynq needs). Nothing was scheduled; try again once
// posts have gone out and their records expired, or give Redis more
// memory. The API answers it with 503 and Retry-After.
var ErrRedisFull = errors.New("redis is full (used memory reached maxmemory): nothing can be scheduled until memory is freed")

// storeError turns Redis's OOM reply, which reaches Herald as an opaque
// string ("OOM command not allowed when used memory > 'maxmemory'"), into
// ErrRedisFull; other errors stay as they are.
func storeError(err error) error {
	if err != nil && isOOM(err) {
		return fmt.Errorf("%w", ErrRedisFull)
	}
	return err
}

// IsRedisFull reports whether err says Redis is full: ErrRedisFull, or
// Redis's OOM reply from any call (an edit, a cancel) that did not turn
// it into ErrRedisFull itself.
func IsRedisFull(err error) bool {
	return err != nil && (errors.Is(err, ErrRedisFull) || isOOM(err))
}

// isOOM reports whether err is Redis's out-of-memory reply, as it is
// or inside another (a Lua script's error, asynq's wrapping).
func isOOM(err error) bool {
	return strings.Contains(err.Error(), "OOM command not allowed")
}
