package tiktok

import (
	"context"
	"errors"
	"fmt"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/wire"
)

// A chunk that fails with a 5xx or a broken connection is retried inside
// the attempt, as for YouTube, within TikTok's chunk rules: chunks go in
// order, each exactly as announced at init (the same Content-Range), so
// the retry resends the same chunk. Before it does, it asks the status
// fetch how many bytes TikTok holds (uploaded_bytes): a chunk whose
// answer was lost is not sent twice, which TikTok would refuse as out of
// order. Status fetches are 30 a minute per user, and the waits (1 s, 2 s,
// 4 s, ... up to 16 s, jittered) keep a chunk's retries to a handful of
// them within its ChunkRetryDeadline.

// DefaultChunkRetryDeadline bounds the retries of one chunk, as the Go
// client for Google's uploads does (32 s).
const DefaultChunkRetryDeadline = wire.DefaultChunkRetryDeadline

// retryableChunk says a chunk's failure is a hiccup worth retrying here.
// A dead upload URL, a rate limit, a refused token or a permanent error
// end the attempt.
func retryableChunk(ctx context.Context, err error) bool {
	return ctx.Err() == nil && publishers.ClassOf(err) == publishers.ClassTransient && !errors.Is(err, errUploadURLDead)
}

// newChunkRetry is a chunk's retry budget on pub's clock.
func (pub *publication) newChunkRetry() *wire.ChunkBackoff {
	return &wire.ChunkBackoff{Deadline: pub.chunkRetryDeadline, Now: pub.now, Sleep: pub.sleep}
}

// recoverChunk handles the failure of chunk i: while the budget lasts it
// waits, fetches the status, and returns the chunk to send next (i
// again, or past it when TikTok got it after all). It returns cause when
// the failure is not retryable or the budget is spent: the next attempt
// resumes from the checkpoints.
func (pub *publication) recoverChunk(ctx context.Context, id string, c chunking, i int64, r *wire.ChunkBackoff, cause error) (int64, error) {
	if pub.chunkRetryDeadline <= 0 {
		return 0, cause
	}
	for retryableChunk(ctx, cause) {
		ok, err := r.Wait(ctx)
		if err != nil {
			return 0, publishers.Transient(fmt.Errorf("tiktok: wait to retry a chunk: %w", err))
		}
		if !ok {
			return 0, cause
		}
		st, err := pub.status(ctx, id)
		if err != nil {
			cause = err
			continue
		}
		if st.Status != StatusProcessingUpload {
			// Complete, failed or gone: the attempt's own logic
			// (await, or the next attempt's resume) decides.
			return 0, cause
		}
		switch got := st.UploadedBytes; {
		case got >= c.size:
			return c.count, nil
		case got > i*c.chunk && got%c.chunk == 0:
			return min(got/c.chunk, c.count-1), nil
		}
		return i, nil
	}
	return 0, cause
}
