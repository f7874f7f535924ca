package main

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/hibiken/asynq"

	"github.com/heraldhq/herald/internal/wait"
	"github.com/heraldhq/herald/jobs"
)

// lags collects how late tasks started.
type lags struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *lags) add(d time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

// quantiles returns min, p50, p99 and max.
func (l *lags) quantiles() (first, p50, p99, top time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	d := slices.Clone(l.d)
	slices.Sort(d)
	if len(d) == 0 {
		return 0, 0, 0, 0
	}
	at := func(q float64) time.Duration { return d[int(q*float64(len(d)-1))] }
	return d[0], at(0.50), at(0.99), d[len(d)-1]
}

// serverPhase is when, before the due time, each side's server starts:
// asynq's forwarder ticks every second from the server's start, so both
// sides start at the same phase and move the posts at the same moment
// (due + 0.5s). Only the idle poll (0.5-1.5s, random) differs by chance.
const serverPhase = 1500 * time.Millisecond

// figBurst is figure 4: n posts due in the same second, Herald and bare
// asynq each with a running, idle server and DelayedTaskCheckInterval 1s;
// how late each task's handler started after the due time.
func figBurst(ctx context.Context, e *env) ([]row, error) {
	n := 10000
	if e.quick {
		n = 1000
	}
	// The posts must all be stored before they fall due: lead time from
	// figure 1's rate (20 producers here, 10 there), with room to spare.
	est := e.heraldEnqueueRate
	if est <= 0 {
		est = 1500
	}
	lead := serverPhase + 2*time.Second + time.Duration(float64(n)/est*1.2*float64(time.Second))
	accts := accounts(100)

	// Herald.
	if err := e.fresh(ctx); err != nil {
		return nil, err
	}
	rdb, err := e.client()
	if err != nil {
		return nil, err
	}
	defer rdb.Close()
	vault := e.newVault(rdb, tokensSandbox())
	if err := connectFresh(ctx, vault, accts); err != nil {
		return nil, err
	}
	due := time.Now().Add(lead).Truncate(time.Second)
	if err := schedule(ctx, jobs.NewClient(rdb), n, func(i int) jobs.Post { return post("b", i, accts[i%len(accts)], due) }); err != nil {
		return nil, err
	}
	if time.Until(due) < serverPhase+100*time.Millisecond {
		return nil, fmt.Errorf("herald: scheduling took too long: only %s before the due time", time.Until(due))
	}
	if err := wait.Sleep(ctx, time.Until(due.Add(-serverPhase))); err != nil {
		return nil, err
	}
	var hl lags
	done := newCountdown(n)
	w, err := startHerald(rdb, workerConfig(e.log, rateConcurrency, &noop{}, vault, e.keys, func(o jobs.Outcome) {
		if o.State == jobs.StatePublished {
			hl.add(o.Lag)
			done.hit()
		}
	}))
	if err != nil {
		return nil, err
	}
	werr := done.wait(ctx, lead+5*time.Minute)
	_ = w.stop()
	if werr != nil {
		return nil, fmt.Errorf("herald: %w", werr)
	}

	// Bare asynq.
	if err := e.fresh(ctx); err != nil {
		return nil, err
	}
	due = time.Now().Add(lead).Truncate(time.Second)
	if err := enqueueBare(ctx, rdb, n, func(i int) jobs.Post { return post("b", i, accts[i%len(accts)], due) }); err != nil {
		return nil, err
	}
	if time.Until(due) < serverPhase+100*time.Millisecond {
		return nil, fmt.Errorf("bare: enqueueing took too long: only %s before the due time", time.Until(due))
	}
	if err := wait.Sleep(ctx, time.Until(due.Add(-serverPhase))); err != nil {
		return nil, err
	}
	var bl lags
	done = newCountdown(n)
	srv, err := startBare(rdb, rateConcurrency, func(context.Context, *asynq.Task) error {
		bl.add(time.Since(due))
		done.hit()
		return nil
	})
	if err != nil {
		return nil, err
	}
	werr = done.wait(ctx, lead+5*time.Minute)
	srv.stop()
	if werr != nil {
		return nil, fmt.Errorf("bare: %w", werr)
	}

	hmin, h50, h99, hmax := hl.quantiles()
	bmin, b50, b99, bmax := bl.quantiles()
	sec := func(a, b, c time.Duration) string {
		return fmt.Sprintf("%.2f / %.2f / %.2f s", a.Seconds(), b.Seconds(), c.Seconds())
	}
	return []row{{
		Figure:   "4. Scheduled burst, lag p50 / p99 / max",
		Herald:   sec(h50, h99, hmax),
		Baseline: sec(b50, b99, bmax),
		Ratio:    fmt.Sprintf("%s / %s / %s", ratio(h50.Seconds(), b50.Seconds()), ratio(h99.Seconds(), b99.Seconds()), ratio(hmax.Seconds(), bmax.Seconds())),
		Note: fmt.Sprintf("%d posts due in the same second, concurrency %d, DelayedTaskCheckInterval 1s both, servers started %s before due; lag = handler start − due time (Herald: Outcome.Lag); first start %.2f s Herald, %.2f s asynq",
			n, rateConcurrency, serverPhase, hmin.Seconds(), bmin.Seconds()),
	}}, nil
}
