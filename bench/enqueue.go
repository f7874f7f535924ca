package main

import (
	"context"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"github.com/heraldhq/herald/jobs"
)

// producers is how many goroutines enqueue at once in figure 1.
const producers = 10

// figEnqueue is figure 1: SchedulePost against a bare asynq Enqueue of
// the same payload and options, 10 producers each.
func figEnqueue(ctx context.Context, e *env) ([]row, error) {
	n := 20000
	if e.quick {
		n = 2000
	}
	at := time.Now().Add(time.Hour).Truncate(time.Second)
	accts := accounts(100)
	mk := func(prefix string) func(i int) jobs.Post {
		return func(i int) jobs.Post { return post(prefix, i, accts[i%len(accts)], at) }
	}

	// Herald.
	if err := e.fresh(ctx); err != nil {
		return nil, err
	}
	rdb, err := e.client()
	if err != nil {
		return nil, err
	}
	defer rdb.Close()
	c := jobs.NewClient(rdb)
	warm(ctx, c, mk("warm"))
	mkH := mk("h")
	hd, err := parallel(ctx, n, producers, func(ctx context.Context, i int) error {
		_, err := c.SchedulePost(ctx, mkH(i))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("herald: %w", err)
	}

	// Bare asynq.
	if err := e.fresh(ctx); err != nil {
		return nil, err
	}
	q := asynq.NewClientFromRedisClient(rdb)
	mkB := mk("b")
	_ = bareEnqueue(ctx, q, mk("warm")(0))
	bd, err := parallel(ctx, n, producers, func(ctx context.Context, i int) error {
		return bareEnqueue(ctx, q, mkB(i))
	})
	if err != nil {
		return nil, fmt.Errorf("bare asynq: %w", err)
	}

	// Round trips of one call each, for the note.
	e.tracer.start()
	_, _ = c.SchedulePost(ctx, mk("rt")(0))
	hrt := sumCalls(e.tracer.stop())
	e.tracer.start()
	_ = bareEnqueue(ctx, q, mk("rt")(1))
	brt := sumCalls(e.tracer.stop())

	h, b := perSec(n, hd), perSec(n, bd)
	e.heraldEnqueueRate = h
	return []row{{
		Figure:   "1. Enqueue rate",
		Herald:   rate(h),
		Baseline: rate(b),
		Ratio:    ratio(h, b),
		Note: fmt.Sprintf("%d posts each, %d producers, %d-byte payload; round trips per call: SchedulePost %d, Enqueue %d",
			n, producers, len(payload(mkH(0))), hrt, brt),
	}}, nil
}

// warm loads the scripts and fills the pool before timing.
func warm(ctx context.Context, c *jobs.Client, mk func(int) jobs.Post) {
	for i := range 20 {
		_, _ = c.SchedulePost(ctx, mk(i))
	}
}

func sumCalls(stats map[string]opStat) int {
	n := 0
	for _, s := range stats {
		n += int(s.Calls)
	}
	return n
}
