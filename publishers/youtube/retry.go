package youtube

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/heraldhq/herald/publishers"
)

// Google's resumable upload guide asks a client whose chunk failed with a
// 5xx or a broken connection to wait with exponential backoff, query the
// session's status and resume from the offset it reports; the Go client
// (gensupport.ResumableUpload.uploadChunkWithRetries) does that for up to
// 32 s per chunk (defaultRetryDeadline), with a jittered backoff. Herald
// does the same inside one attempt, so that a hiccup does not cost one of
// the post's job retries; past the deadline the attempt gives up and the
// job's retry resumes from the checkpoints, as after a crash.
const (
	// DefaultChunkRetryDeadline is how long a failing chunk is retried
	// in process, as the Go client's default.
	DefaultChunkRetryDeadline = 32 * time.Second
	firstChunkPause           = time.Second
	maxChunkPause             = 16 * time.Second
)

// chunkRetry is the retry budget of one chunk. It starts at the chunk's
// first failure and is renewed when a chunk goes through.
type chunkRetry struct {
	p        *Publisher
	deadline time.Time
	pause    time.Duration
	failures int
}

// reset renews the budget for the next chunk.
func (r *chunkRetry) reset() { r.deadline, r.pause, r.failures = time.Time{}, 0, 0 }

// retryable says a chunk's failure is worth retrying in process: a
// transient error (5xx, 408, a reset or timeout) while the attempt's
// context is alive. Rate limits, reauth and permanent errors end the
// attempt at once.
func retryable(ctx context.Context, err error) bool {
	// A 401 is left unclassified for the token's one refresh, which the
	// caller does: it is no hiccup.
	return ctx.Err() == nil && publishers.ClassOf(err) == publishers.ClassTransient && !unauthorized(err) && !errors.Is(err, errSessionGone)
}

// wait sleeps before the next try, or reports false (and sleeps not) when
// the chunk's budget is spent.
func (r *chunkRetry) wait(ctx context.Context) (bool, error) {
	now := r.p.now()
	if r.deadline.IsZero() {
		r.deadline = now.Add(r.p.chunkRetryDeadline)
		r.pause = firstChunkPause
	}
	// Jitter: somewhere in the upper half of the current step, so that
	// workers that failed together do not come back together.
	d := r.pause/2 + rand.N(r.pause/2+1)
	if !now.Add(d).Before(r.deadline) {
		return false, nil
	}
	r.failures++
	r.pause = min(2*r.pause, maxChunkPause)
	if err := r.p.sleep(ctx, d); err != nil {
		return false, publishers.Transient(fmt.Errorf("youtube: wait to retry a chunk: %w", err))
	}
	return true, nil
}

// recoverChunk handles a chunk's failure: while the budget lasts, it waits
// and asks the session how far it got, and returns that state for the
// upload to go on from. It returns cause, the chunk's own error, when the
// failure is not retryable or the budget is spent.
func (p *Publisher) recoverChunk(ctx context.Context, a *auth, r *chunkRetry, session string, size int64, cause error) (uploadState, error) {
	if p.chunkRetryDeadline <= 0 {
		return uploadState{}, cause
	}
	for retryable(ctx, cause) {
		ok, err := r.wait(ctx)
		if err != nil {
			return uploadState{}, err
		}
		if !ok {
			return uploadState{}, cause
		}
		st, err := p.status(ctx, a, session, size)
		if err == nil {
			p.log.DebugContext(ctx, "youtube: chunk failed; resuming from the session's offset",
				"committed", st.committed, "failures", r.failures, "error", cause.Error())
			return st, nil
		}
		if errors.Is(err, errSessionGone) || unauthorized(err) {
			// The next attempt's status query finds out again and
			// starts over (or refreshes the token).
			return uploadState{}, cause
		}
		cause = err
	}
	return uploadState{}, cause
}
