package main

import (
	"context"
	"fmt"
	"runtime"

	"github.com/heraldhq/herald/jobs"
)

// Queue layouts of figure 2c.
var (
	// publishOnly is a worker of the publish queue alone.
	publishOnly = map[string]int{jobs.QueuePublish: 6}
	// composePublish is docker-compose.yml's publish workers: revocations
	// too, so that they run even when the background worker is down.
	composePublish = map[string]int{jobs.QueueCritical: 10, jobs.QueuePublish: 6}
	// bareOne is bare asynq with one queue.
	bareOne = map[string]int{jobs.QueuePublish: 1}
)

// layoutSides is figure 2c's runs, on shared CPUs as 2b: Herald and
// bare asynq, the figure's two sides, rounds times interleaved (their
// median runs), the others once.
type layoutSides struct {
	herald, compose, bare, loops drain
	rounds                       int
	lo, hi                       float64 // the per-round ratios' spread
}

func measureLayouts(ctx context.Context, e *env, n, rounds int) (layoutSides, error) {
	s := layoutSides{rounds: rounds}
	var hs, bs []drain
	for range rounds {
		h, err := drainHerald(ctx, e, n, rateConcurrency, publishOnly, false)
		if err != nil {
			return s, err
		}
		b, err := drainBare(ctx, e, n, rateConcurrency, bareOne, false, false)
		if err != nil {
			return s, err
		}
		hs, bs = append(hs, h), append(bs, b)
	}
	s.herald, s.bare = medianDrain(hs), medianDrain(bs)
	s.lo, s.hi = ratioRange(hs, bs)
	var err error
	if s.compose, err = drainHerald(ctx, e, n, rateConcurrency, composePublish, false); err != nil {
		return s, err
	}
	if s.loops, err = drainBareLoops(ctx, e, n, rateConcurrency, jobs.DefaultDequeuers, bareOne, false, false); err != nil {
		return s, err
	}
	return s, nil
}

// row is figure 2c; four is figure 2b's median runs, Herald's and bare
// asynq's with Herald's four queues.
func (s layoutSides) row(n int, four rateSides) row {
	h4, b4 := medianDrain(four.herald), medianDrain(four.bare)
	return row{
		Figure:   "2c. Processing rate, publish-only worker",
		Herald:   rate(s.herald.rate()),
		Baseline: rate(s.bare.rate()),
		Ratio:    ratio(s.herald.rate(), s.bare.rate()),
		Note: fmt.Sprintf("CPUs shared as in 2b (all %d); %d due tasks each, concurrency %d, median of %d interleaved runs (ratio per round %s to %s); Herald's worker serves the publish queue alone (HERALD_WORKER_QUEUES=publish), bare asynq one queue; target ≥ 0.80; "+
			"Herald publish-only is %s its rate with the four queues (2b, %s); compose's publish workers (critical,publish), one run: %s (%s of publish-only); "+
			"the four queues cost bare asynq itself: %s with them (2b) against %s with one queue, %s; bare asynq with one queue in %d servers as Herald's dequeue loops, one run: %s (Herald %s of it)",
			runtime.NumCPU(), n, rateConcurrency, s.rounds, ratio(s.lo, 1), ratio(s.hi, 1),
			times(s.herald.rate(), h4.rate()), rate(h4.rate()), rate(s.compose.rate()), ratio(s.compose.rate(), s.herald.rate()),
			rate(b4.rate()), rate(s.bare.rate()), ratio(b4.rate(), s.bare.rate()),
			jobs.DefaultDequeuers, rate(s.loops.rate()), ratio(s.herald.rate(), s.loops.rate())),
	}
}

// fourQueueCost is what figure 2's note says of bare asynq with Herald's
// four queues against one queue.
func (s layoutSides) fourQueueCost(four rateSides) string {
	b4 := medianDrain(four.bare)
	return fmt.Sprintf("bare asynq with one queue instead of four: %s (2c), so the four queues, three of them empty, cut asynq's own rate to %s of it: it tries the queues one round trip at a time",
		rate(s.bare.rate()), ratio(b4.rate(), s.bare.rate()))
}

// times writes a/b as "2.10×".
func times(a, b float64) string {
	if b == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2f×", a/b)
}
