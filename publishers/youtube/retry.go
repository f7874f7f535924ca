package youtube

import (
	"context"
	"errors"
	"fmt"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/wire"
)

// Google's resumable upload guide asks a client whose chunk failed with a
// 5xx or a broken connection to wait with exponential backoff, query the
// session's status and resume from the offset it reports; the Go client
// (gensupport.ResumableUpload.uploadChunkWithRetries) does that for up to
// 32 s per chunk (defaultRetryDeadline), with a jittered backoff. Herald
// does the same inside one attempt, so that a hiccup does not cost one of
// the post's job retries; past the deadline the attempt gives up and the
// job's retry resumes from the checkpoints, as after a crash.

// DefaultChunkRetryDeadline is how long a failing chunk is retried in
// process, as the Go client's default.
const DefaultChunkRetryDeadline = wire.DefaultChunkRetryDeadline

// newChunkRetry is a chunk's retry budget on p's clock.
func (p *Publisher) newChunkRetry() *wire.ChunkBackoff {
	return &wire.ChunkBackoff{Deadline: p.chunkRetryDeadline, Now: p.now, Sleep: p.sleep}
}

// retryable says a chunk's failure is worth retrying in process: a
// transient error (5xx, 408, a reset or timeout) while the attempt's
// context is alive. Rate limits, reauth and permanent errors end the
// attempt at once.
func retryable(ctx context.Context, err error) bool {
	// A 401 is left unclassified for the token's one refresh, which the
	// caller does: it is no hiccup.
	return ctx.Err() == nil && publishers.ClassOf(err) == publishers.ClassTransient && !unauthorized(err) && !errors.Is(err, errSessionGone)
}

// recoverChunk handles a chunk's failure: while the budget lasts, it waits
// and asks the session how far it got, and returns that state for the
// upload to go on from. It returns cause, the chunk's own error, when the
// failure is not retryable or the budget is spent.
func (p *Publisher) recoverChunk(ctx context.Context, a *auth, r *wire.ChunkBackoff, session string, size int64, cause error) (uploadState, error) {
	if p.chunkRetryDeadline <= 0 {
		return uploadState{}, cause
	}
	for retryable(ctx, cause) {
		ok, err := r.Wait(ctx)
		if err != nil {
			return uploadState{}, publishers.Transient(fmt.Errorf("youtube: wait to retry a chunk: %w", err))
		}
		if !ok {
			return uploadState{}, cause
		}
		st, err := p.status(ctx, a, session, size)
		if err == nil {
			p.log.DebugContext(ctx, "youtube: chunk failed; resuming from the session's offset",
				"committed", st.committed, "failures", r.Failures(), "error", cause.Error())
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
