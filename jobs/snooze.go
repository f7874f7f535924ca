package jobs

import (
	"errors"
	"time"
)

// A task that must wait (its post is not due yet, or another attempt
// holds its lock) is snoozed: its handler returns a snooze, which
// RetryPolicy turns into a retry after the snooze's delay and IsFailure
// does not count. A snooze is no platform's rate limit and no failure;
// metrics and logs say it is a wait.

// snoozeError is a handler's answer for a task that must wait.
type snoozeError struct {
	after  time.Duration
	reason string
}

func (e *snoozeError) Error() string { return "snoozed for " + e.after.String() + ": " + e.reason }

// snooze asks asynq to run the task again after d, without counting a
// failure. reason says why, for asynqmon and the logs.
func snooze(d time.Duration, reason string) error {
	return &snoozeError{after: max(d, 0), reason: reason}
}

// Snoozed reports whether err asks for the task to wait, and how long.
// The worker's middleware and metrics tell a wait from a failure with it.
func Snoozed(err error) (after time.Duration, ok bool) {
	var s *snoozeError
	if errors.As(err, &s) {
		return s.after, true
	}
	return 0, false
}
