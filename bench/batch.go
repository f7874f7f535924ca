package main

import (
	"context"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"github.com/heraldhq/herald/jobs"
)

// figBatch is figure 1b: SchedulePosts of 500 posts, one call after
// another, against bare asynq enqueueing the same 500 with 10 producers.
func figBatch(ctx context.Context, e *env) ([]row, error) {
	n := 20000
	if e.quick {
		n = 2000
	}
	at := time.Now().Add(time.Hour).Truncate(time.Second)
	accts := accounts(100)
	mk := func(prefix string) func(i int) jobs.Post {
		return func(i int) jobs.Post { return post(prefix, i, accts[i%len(accts)], at) }
	}
	rdb, err := e.client()
	if err != nil {
		return nil, err
	}
	defer rdb.Close()

	if err := e.fresh(ctx); err != nil {
		return nil, err
	}
	c := jobs.NewClient(rdb)
	warm(ctx, c, mk("warm"))
	mkH := mk("h")
	start := time.Now()
	for i := 0; i < n; i += jobs.MaxBatch {
		batch := make([]jobs.Post, 0, jobs.MaxBatch)
		for j := i; j < min(n, i+jobs.MaxBatch); j++ {
			batch = append(batch, mkH(j))
		}
		if _, err := c.SchedulePosts(ctx, batch); err != nil {
			return nil, fmt.Errorf("herald: %w", err)
		}
	}
	hd := time.Since(start)

	if err := e.fresh(ctx); err != nil {
		return nil, err
	}
	q := asynq.NewClientFromRedisClient(rdb)
	_ = bareEnqueue(ctx, q, mk("warm")(0))
	mkB := mk("b")
	var bd time.Duration
	for i := 0; i < n; i += jobs.MaxBatch {
		d, err := parallel(ctx, min(jobs.MaxBatch, n-i), producers, func(ctx context.Context, j int) error {
			return bareEnqueue(ctx, q, mkB(i+j))
		})
		if err != nil {
			return nil, fmt.Errorf("bare asynq: %w", err)
		}
		bd += d
	}
	h, b := perSec(n, hd), perSec(n, bd)
	return []row{{
		Figure:   "1b. Batch of 500",
		Herald:   rate(h),
		Baseline: rate(b),
		Ratio:    ratio(h, b),
		Note: fmt.Sprintf("%d posts in calls of %d: jobs.Client.SchedulePosts (record, index entry, event and asynq task of each post in one script, in pipelines of 50 sent at once) against bare asynq enqueueing each 500 with %d producers; goal ≥ 0.8",
			n, jobs.MaxBatch, producers),
	}}, nil
}
