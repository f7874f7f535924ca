package jobs

import (
	"context"

	"github.com/hibiken/asynq"
)

// When a post's task runs out of retries, asynq archives it: nobody would
// tell the app, and the record would say scheduled for ever. So the last
// attempt knows it is the last (asynq puts the retry count and the
// maximum in the handler's context) and, when it fails like the others,
// records the post failed itself, with the last error's class and the
// reason "retries exhausted: <last reason>", and appends post.failed;
// when the platform may have the post it looks first (unknown.go).
// What escapes even that (an attempt killed on its last try, a task
// archived by hand or by asynq's recoverer) the reconciler settles
// (reconcile.go).

// exhaustedPrefix starts the reason of a post whose retries ran out.
const exhaustedPrefix = "retries exhausted: "

// lastTry reports whether the task running in ctx is on its last try: a
// failure now makes asynq archive it. Outside asynq (no retry count in
// ctx) it is never the last.
func lastTry(ctx context.Context) bool {
	retried, ok := asynq.GetRetryCount(ctx)
	if !ok {
		return false
	}
	max, ok := asynq.GetMaxRetry(ctx)
	return ok && retried >= max
}
