package wire

import (
	"context"
	"math/rand/v2"
	"time"
)

// Resumable uploads (YouTube's sessions, TikTok's chunked PUTs) retry a
// chunk that failed with a hiccup inside the attempt, as Google's
// resumable upload guide asks and its Go client does
// (gensupport's uploadChunkWithRetries: 32 s a chunk, jittered backoff):
// a hiccup then does not cost one of the post's job retries.
const (
	// DefaultChunkRetryDeadline bounds the retries of one chunk, as the
	// Go client's defaultRetryDeadline (32 s).
	DefaultChunkRetryDeadline = 32 * time.Second
	firstChunkPause           = time.Second
	maxChunkPause             = 16 * time.Second
)

// ChunkBackoff is one chunk's retry budget: it starts at the chunk's first
// failure, lasts Deadline, and waits 1 s, 2 s, 4 s, ... up to 16 s between
// tries, each jittered into the upper half of its step so that workers
// that failed together do not come back together. Reset renews it when a
// chunk goes through.
type ChunkBackoff struct {
	// Deadline is the budget of one chunk (DefaultChunkRetryDeadline).
	Deadline time.Duration
	// Now and Sleep are the clock (tests pass a fake one).
	Now   func() time.Time
	Sleep func(context.Context, time.Duration) error

	until    time.Time
	pause    time.Duration
	failures int
}

// Reset renews the budget for the next chunk.
func (b *ChunkBackoff) Reset() { b.until, b.pause, b.failures = time.Time{}, 0, 0 }

// Failures counts the waits since the last Reset.
func (b *ChunkBackoff) Failures() int { return b.failures }

// Wait sleeps before the next try, or reports false (and sleeps not) when
// the chunk's budget is spent. Its error is the context's, from the sleep.
func (b *ChunkBackoff) Wait(ctx context.Context) (bool, error) {
	now := b.Now()
	if b.until.IsZero() {
		b.until, b.pause = now.Add(b.Deadline), firstChunkPause
	}
	d := b.pause/2 + rand.N(b.pause/2+1)
	if !now.Add(d).Before(b.until) {
		return false, nil
	}
	b.failures++
	b.pause = min(2*b.pause, maxChunkPause)
	if err := b.Sleep(ctx, d); err != nil {
		return false, err
	}
	return true, nil
}
