package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/jobs"
)

// figMemory is figure 8: Redis bytes per post at rest, from INFO memory
// (used_memory) before and after. Herald schedules N posts (record,
// index entry, task, event) and then cancels them all (final records,
// their tasks gone); bare asynq enqueues the same N posts with the whole
// post as the payload, stored once. The events stream is capped
// (HERALD_EVENTS_MAX_LEN, 100,000 by default), so its share is reported
// apart from the per-post figures.
func figMemory(ctx context.Context, e *env) ([]row, error) {
	n := 100000
	if e.quick {
		n = 5000
	}
	at := time.Now().Add(24 * time.Hour).Truncate(time.Second)
	accts := accounts(100)
	mk := func(prefix string) func(i int) jobs.Post {
		return func(i int) jobs.Post { return post(prefix, i, accts[i%len(accts)], at) }
	}
	rdb, err := e.client()
	if err != nil {
		return nil, err
	}
	defer rdb.Close()

	hSched, hFinal, streamPer, err := heraldMemory(ctx, e, rdb, n, mk("h"))
	if err != nil {
		return nil, err
	}
	// The same with hashes kept compact up to 1 KiB values (the record's
	// post JSON passes the default 64 bytes, which makes the whole hash a
	// hashtable).
	if err := rdb.ConfigSet(ctx, "hash-max-listpack-value", "1024").Err(); err != nil {
		return nil, err
	}
	lSched, lFinal, _, err := heraldMemory(ctx, e, rdb, n, mk("h"))
	_ = rdb.ConfigSet(ctx, "hash-max-listpack-value", "64").Err()
	if err != nil {
		return nil, err
	}

	// Bare asynq.
	if err := e.fresh(ctx); err != nil {
		return nil, err
	}
	q := asynq.NewClientFromRedisClient(rdb)
	bBefore, err := usedMemory(ctx, rdb)
	if err != nil {
		return nil, err
	}
	mkB := mk("b")
	if _, err := parallel(ctx, n, producers, func(ctx context.Context, i int) error { return bareEnqueue(ctx, q, mkB(i)) }); err != nil {
		return nil, fmt.Errorf("bare asynq: %w", err)
	}
	bAfter, err := usedMemory(ctx, rdb)
	if err != nil {
		return nil, err
	}

	bare := float64(bAfter-bBefore) / float64(n)
	p0 := mkB(0)
	text := len(p0.Content.Text) + len(p0.Content.Title)
	return []row{{
		Figure:   "8a. Redis bytes per scheduled post",
		Herald:   fmt.Sprintf("%.0f B", hSched),
		Baseline: fmt.Sprintf("%.0f B", bare),
		Ratio:    fmt.Sprintf("%.2f×", hSched/bare),
		Note: fmt.Sprintf("%d posts, %d-byte title+text, %d-byte bare payload; Herald = record + index entry + slim task, without the capped events stream (%d B a post at this N); lower is better, goal ≤ 1.3×",
			n, text, len(payload(p0)), int64(streamPer)),
	}, {
		Figure:   "8b. Redis bytes per final record",
		Herald:   fmt.Sprintf("%.0f B", hFinal),
		Baseline: "-",
		Ratio:    "-",
		Note: fmt.Sprintf("the same posts canceled: record + index entry, task gone, events stream apart; %.0f B beyond the %d-byte title+text (goal ≤ 600); kept HERALD_RECORD_RETENTION after the post ended",
			hFinal-float64(text), text),
	}, {
		Figure:   "8c. 8a with hash-max-listpack-value 1024",
		Herald:   fmt.Sprintf("%.0f B", lSched),
		Baseline: fmt.Sprintf("%.0f B", bare),
		Ratio:    fmt.Sprintf("%.2f×", lSched/bare),
		Note:     fmt.Sprintf("Redis configured so that a record hash stays a listpack; final record %.0f B (%.0f B beyond the text)", lFinal, lFinal-float64(text)),
	}}, nil
}

// heraldMemory schedules n posts through SchedulePosts, then cancels
// them, and returns the bytes per post at each stage without the events
// stream, and the stream's bytes per post.
func heraldMemory(ctx context.Context, e *env, rdb redis.UniversalClient, n int, mk func(int) jobs.Post) (sched, final, stream float64, err error) {
	if err := e.fresh(ctx); err != nil {
		return 0, 0, 0, err
	}
	c := jobs.NewClient(rdb)
	before, err := usedMemory(ctx, rdb)
	if err != nil {
		return 0, 0, 0, err
	}
	for i := 0; i < n; i += jobs.MaxBatch {
		batch := make([]jobs.Post, 0, jobs.MaxBatch)
		for j := i; j < min(n, i+jobs.MaxBatch); j++ {
			batch = append(batch, mk(j))
		}
		if _, err := c.SchedulePosts(ctx, batch); err != nil {
			return 0, 0, 0, fmt.Errorf("herald: %w", err)
		}
	}
	scheduled, err := usedMemory(ctx, rdb)
	if err != nil {
		return 0, 0, 0, err
	}
	stream1 := rdb.MemoryUsage(ctx, events.Stream, 0).Val()
	if _, err := parallel(ctx, n, producers, func(ctx context.Context, i int) error {
		_, err := c.CancelPost(ctx, mk(i).ID)
		return err
	}); err != nil {
		return 0, 0, 0, fmt.Errorf("herald cancel: %w", err)
	}
	done, err := usedMemory(ctx, rdb)
	if err != nil {
		return 0, 0, 0, err
	}
	stream2 := rdb.MemoryUsage(ctx, events.Stream, 0).Val()
	per := func(b int64) float64 { return float64(b) / float64(n) }
	return per(scheduled - stream1 - before), per(done - stream2 - before), per(stream1), nil
}

// usedMemory is INFO memory's used_memory.
func usedMemory(ctx context.Context, rdb redis.UniversalClient) (int64, error) {
	info, err := rdb.Info(ctx, "memory").Result()
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "used_memory:"); ok {
			return strconv.ParseInt(v, 10, 64)
		}
	}
	return 0, fmt.Errorf("INFO memory has no used_memory")
}
