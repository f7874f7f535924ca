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
	"github.com/heraldhq/herald/internal/redischeck"
	"github.com/heraldhq/herald/jobs"
)

// figMemory is figure 8: Redis bytes per post at rest, from INFO memory
// (used_memory) before and after. Herald schedules N posts (record,
// index entry, task, event) and then cancels them all (final records,
// their tasks gone); bare asynq enqueues the same N posts with the whole
// post as the payload, stored once. The events stream is capped
// (HERALD_EVENTS_MAX_LEN, 100,000 by default), so its share is reported
// apart from the per-post figures. Each side is measured with Redis's
// default hash-max-listpack-value (64) and with the 1024 Herald's
// Redis runs with (README: Production, Redis memory): 8a and 8b are
// Herald as configured against bare asynq as Redis comes; 8c and 8d
// both sides on one setting.
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
	defer rdb.ConfigSet(ctx, "hash-max-listpack-value", strconv.Itoa(redischeck.CompactHashValue))

	var herald, bare [2]struct{ sched, final float64 } // [0]: Redis's default, [1]: Herald's
	var streamPer float64
	for i, value := range []string{"64", strconv.Itoa(redischeck.CompactHashValue)} {
		if err := rdb.ConfigSet(ctx, "hash-max-listpack-value", value).Err(); err != nil {
			return nil, err
		}
		if herald[i].sched, herald[i].final, streamPer, err = heraldMemory(ctx, e, rdb, n, mk("h")); err != nil {
			return nil, err
		}
		if bare[i].sched, err = bareMemory(ctx, e, rdb, n, mk("b")); err != nil {
			return nil, err
		}
	}

	p0 := mk("b")(0)
	text := float64(len(p0.Content.Text) + len(p0.Content.Title))
	h, d := herald[1], herald[0]
	return []row{{
		Figure:   "8a. Redis bytes per scheduled post",
		Herald:   fmt.Sprintf("%.0f B", h.sched),
		Baseline: fmt.Sprintf("%.0f B", bare[0].sched),
		Ratio:    fmt.Sprintf("%.2f×", h.sched/bare[0].sched),
		Note: fmt.Sprintf("%d posts, %.0f-byte title+text, %d-byte bare payload; Herald = record + index entry + slim task on Redis as Herald runs it (hash-max-listpack-value %d), bare asynq on Redis's defaults; without the capped events stream (%d B a post at this N); lower is better, goal ≤ 1.3×",
			n, text, len(payload(p0)), redischeck.CompactHashValue, int64(streamPer)),
	}, {
		Figure:   "8b. Redis bytes per final record",
		Herald:   fmt.Sprintf("%.0f B", h.final),
		Baseline: "-",
		Ratio:    "-",
		Note: fmt.Sprintf("the same posts canceled: record + index entry, task gone, events stream apart; %.0f B beyond the %.0f-byte title+text (goal ≤ 600); kept HERALD_RECORD_RETENTION after the post ended",
			h.final-text, text),
	}, {
		Figure:   "8c. 8a, both on Redis's defaults",
		Herald:   fmt.Sprintf("%.0f B", d.sched),
		Baseline: fmt.Sprintf("%.0f B", bare[0].sched),
		Ratio:    fmt.Sprintf("%.2f×", d.sched/bare[0].sched),
		Note:     fmt.Sprintf("hash-max-listpack-value 64: a record whose post passes 64 bytes is a hashtable; final record %.0f B (%.0f B beyond the text)", d.final, d.final-text),
	}, {
		Figure:   "8d. 8a, both on Herald's setting",
		Herald:   fmt.Sprintf("%.0f B", h.sched),
		Baseline: fmt.Sprintf("%.0f B", bare[1].sched),
		Ratio:    fmt.Sprintf("%.2f×", h.sched/bare[1].sched),
		Note:     fmt.Sprintf("hash-max-listpack-value %d for bare asynq too, whose task hash then stays compact as well", redischeck.CompactHashValue),
	}}, nil
}

// bareMemory enqueues n posts with bare asynq and returns the bytes per
// post.
func bareMemory(ctx context.Context, e *env, rdb redis.UniversalClient, n int, mk func(int) jobs.Post) (float64, error) {
	if err := e.fresh(ctx); err != nil {
		return 0, err
	}
	q := asynq.NewClientFromRedisClient(rdb)
	before, err := usedMemory(ctx, rdb)
	if err != nil {
		return 0, err
	}
	if _, err := parallel(ctx, n, producers, func(ctx context.Context, i int) error { return bareEnqueue(ctx, q, mk(i)) }); err != nil {
		return 0, fmt.Errorf("bare asynq: %w", err)
	}
	after, err := usedMemory(ctx, rdb)
	if err != nil {
		return 0, err
	}
	return float64(after-before) / float64(n), nil
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
