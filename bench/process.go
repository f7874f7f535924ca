package main

import (
	"cmp"
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync/atomic"
	"time"

	"github.com/hibiken/asynq"

	"github.com/heraldhq/herald/jobs"
)

// rateConcurrency is the worker concurrency of figures 2 and 4: Herald's
// default.
const rateConcurrency = 50

// drain is one side of a drain run: n due tasks, a server started on
// them, timed until the last one is handled.
type drain struct {
	Tasks   int
	Elapsed time.Duration
	GoCPU   time.Duration
	Redis   time.Duration
	Ops     map[string]opStat // when traced
	Failed  int64
}

func (d drain) rate() float64 { return perSec(d.Tasks, d.Elapsed) }

// cores is how many cores the run kept busy on average, Go and Redis
// together.
func (d drain) cores() float64 { return (d.GoCPU + d.Redis).Seconds() / d.Elapsed.Seconds() }

// dueAt is a publish time already past, on a whole second, so the tasks
// go straight to the pending list.
func dueAt() time.Time { return time.Now().Truncate(time.Second).Add(-time.Minute) }

// drainHerald times the full publish pipeline over n due posts: record,
// lock, token from a Vault, the no-op publisher, outcome and events. The
// worker serves queues (nil: Herald's four).
func drainHerald(ctx context.Context, e *env, n, concurrency int, queues map[string]int, trace bool) (drain, error) {
	if err := e.fresh(ctx); err != nil {
		return drain{}, err
	}
	// The pool herald worker makes for its concurrency.
	rdb, err := newPoolClient(e.url, e.tracer, jobs.PoolSize(concurrency, 0))
	if err != nil {
		return drain{}, err
	}
	defer rdb.Close()
	vault := e.newVault(rdb, tokensSandbox())
	accts := accounts(10)
	if err := connectFresh(ctx, vault, accts); err != nil {
		return drain{}, err
	}
	at := dueAt()
	if err := schedule(ctx, jobs.NewClient(rdb), n, func(i int) jobs.Post { return post("p", i, accts[i%len(accts)], at) }); err != nil {
		return drain{}, fmt.Errorf("schedule: %w", err)
	}
	done := newCountdown(n)
	var failed atomic.Int64
	cfg := workerConfig(e.log, concurrency, &noop{}, vault, e.keys, func(o jobs.Outcome) {
		if o.State == jobs.StatePublished {
			done.hit()
		} else {
			failed.Add(1)
		}
	})
	cfg.Queues = queues
	cpu := startCPU(ctx, rdb)
	if trace {
		e.tracer.start()
	}
	start := time.Now()
	w, err := startHerald(rdb, cfg)
	if err != nil {
		return drain{}, err
	}
	werr := done.wait(ctx, 5*time.Minute)
	elapsed := time.Since(start)
	var ops map[string]opStat
	if trace {
		ops = e.tracer.stop()
	}
	goCPU, redisCPU := cpu.stop(ctx)
	_ = w.stop()
	if werr != nil {
		return drain{}, fmt.Errorf("herald drain: %w (%d attempts failed)", werr, failed.Load())
	}
	return drain{Tasks: n, Elapsed: elapsed, GoCPU: goCPU, Redis: redisCPU, Ops: ops, Failed: failed.Load()}, nil
}

// drainBare times a bare asynq server with a no-op handler over n due
// tasks of the same payload, with the same concurrency, serving queues
// (nil: Herald's four). With
// write, the handler makes two Redis writes per task, one at its start and
// one at its end: the least a handler must do that records durably that
// an attempt began (so a crash is noticed) and how it ended.
func drainBare(ctx context.Context, e *env, n, concurrency int, queues map[string]int, trace, write bool) (drain, error) {
	return drainBareLoops(ctx, e, n, concurrency, 1, queues, trace, write)
}

// drainBareLoops is drainBare with the concurrency split over loops
// servers, as a Herald worker's dequeue loops (HERALD_WORKER_DEQUEUERS).
func drainBareLoops(ctx context.Context, e *env, n, concurrency, loops int, queues map[string]int, trace, write bool) (drain, error) {
	if err := e.fresh(ctx); err != nil {
		return drain{}, err
	}
	rdb, err := e.client()
	if err != nil {
		return drain{}, err
	}
	defer rdb.Close()
	accts := accounts(10)
	at := dueAt()
	if err := enqueueBare(ctx, rdb, n, func(i int) jobs.Post { return post("p", i, accts[i%len(accts)], at) }); err != nil {
		return drain{}, fmt.Errorf("enqueue: %w", err)
	}
	done := newCountdown(n)
	cpu := startCPU(ctx, rdb)
	if trace {
		e.tracer.start()
	}
	start := time.Now()
	srv, err := startBareLoops(rdb, concurrency, loops, queues, func(ctx context.Context, t *asynq.Task) error {
		if write {
			id, _ := asynq.GetTaskID(ctx)
			for _, state := range []string{"started", "done"} {
				if err := rdb.HSet(ctx, "bench:done:{"+id+"}", "state", state).Err(); err != nil {
					return err
				}
			}
		}
		done.hit()
		return nil
	})
	if err != nil {
		return drain{}, err
	}
	werr := done.wait(ctx, 5*time.Minute)
	elapsed := time.Since(start)
	var ops map[string]opStat
	if trace {
		ops = e.tracer.stop()
	}
	goCPU, redisCPU := cpu.stop(ctx)
	srv.stop()
	if werr != nil {
		return drain{}, fmt.Errorf("bare drain: %w", werr)
	}
	return drain{Tasks: n, Elapsed: elapsed, GoCPU: goCPU, Redis: redisCPU, Ops: ops}, nil
}

// rateSides is figure 2's four sides in one CPU layout, one drain of
// each per round: Herald, bare asynq, asynq whose handler makes two
// Redis writes (the floor), and bare asynq in as many servers as a
// Herald worker has dequeue loops (loops).
type rateSides struct{ herald, bare, floor, loops []drain }

func (s *rateSides) round(ctx context.Context, e *env, n int) error {
	h, err := drainHerald(ctx, e, n, rateConcurrency, nil, false)
	if err != nil {
		return err
	}
	b, err := drainBare(ctx, e, n, rateConcurrency, nil, false, false)
	if err != nil {
		return err
	}
	f, err := drainBare(ctx, e, n, rateConcurrency, nil, false, true)
	if err != nil {
		return err
	}
	l, err := drainBareLoops(ctx, e, n, rateConcurrency, jobs.DefaultDequeuers, nil, false, false)
	if err != nil {
		return err
	}
	s.herald, s.bare, s.floor, s.loops = append(s.herald, h), append(s.bare, b), append(s.floor, f), append(s.loops, l)
	return nil
}

// row reports each side's median run and the spread of the per-round
// ratios.
func (s *rateSides) row(figure, where string, n int) row {
	h, b, f, l := medianDrain(s.herald), medianDrain(s.bare), medianDrain(s.floor), medianDrain(s.loops)
	lo, hi := ratioRange(s.herald, s.bare)
	per := func(d time.Duration) string { return us(d / time.Duration(n)) }
	return row{
		Figure:   figure,
		Herald:   rate(h.rate()),
		Baseline: rate(b.rate()),
		Ratio:    ratio(h.rate(), b.rate()),
		Note: fmt.Sprintf("%s; %d due tasks each, concurrency %d, Herald's 4 queues; target ≥ 0.80; median of %d interleaved runs (ratio per round %s to %s); Herald's worker in %d dequeue loops (HERALD_WORKER_DEQUEUERS), bare asynq in one server as by default; CPU per task Herald %s Go + %s Redis, asynq %s + %s; "+
			"cores busy (Go and Redis) Herald %.2f, asynq %.2f; asynq whose handler makes two Redis writes (start and end): %s (Herald %s of it); bare asynq in %d servers as Herald's loops: %s (Herald %s of it)",
			where, n, rateConcurrency, len(s.herald), ratio(lo, 1), ratio(hi, 1), jobs.DefaultDequeuers, per(h.GoCPU), per(h.Redis), per(b.GoCPU), per(b.Redis),
			h.cores(), b.cores(), rate(f.rate()), ratio(h.rate(), f.rate()), jobs.DefaultDequeuers, rate(l.rate()), ratio(h.rate(), l.rate())),
	}
}

// figProcess is figure 2: the full pipeline against bare asynq, with
// redis-server on a CPU of its own and with all CPUs shared, then the
// breakdown of the difference at concurrency 1.
func figProcess(ctx context.Context, e *env) ([]row, *breakdown, error) {
	n, nb, rounds := 20000, 2000, 3
	if e.quick {
		n, nb, rounds = 2000, 300, 1
	}
	// The rates move by a tenth from run to run on a shared machine, more
	// than the differences this figure is for: the sides run in turn,
	// rounds times, and each side's median run is reported.
	var apart, shared rateSides
	var where string
	var apartErr error
	for range rounds {
		if apartErr == nil {
			var restore func()
			restore, where, apartErr = separate(e)
			if apartErr == nil {
				err := apart.round(ctx, e, n)
				restore()
				if err != nil {
					return nil, nil, err
				}
			}
		}
		if err := shared.round(ctx, e, n); err != nil {
			return nil, nil, err
		}
	}
	rows := []row{{Figure: "2a. Processing rate, Redis on its own CPU", Herald: "-", Baseline: "-", Ratio: "-",
		Note: fmt.Sprintf("not measured: %v", apartErr)}}
	if len(apart.herald) > 0 { // a layout that failed in a later round still has its earlier ones
		rows[0] = apart.row(rows[0].Figure, where, n)
	}
	rows = append(rows, shared.row("2b. Processing rate, CPUs shared", fmt.Sprintf("Go and redis-server share all %d CPUs", runtime.NumCPU()), n))

	// 2c: the layout of a publish worker, one run of each side.
	layouts, err := measureLayouts(ctx, e, n, rounds)
	if err != nil {
		return nil, nil, err
	}
	rows[len(rows)-1].Note += "; " + layouts.fourQueueCost(shared)
	rows = append(rows, layouts.row(n, shared))

	h, b := medianDrain(shared.herald), medianDrain(shared.bare)
	e.heraldDrainRate, e.bareDrainRate = h.rate(), b.rate()

	// At concurrency 1, times and CPU untraced (the tracer costs CPU of
	// its own), then the same again traced for the round trips.
	hs, err := drainHerald(ctx, e, nb, 1, nil, false)
	if err != nil {
		return nil, nil, err
	}
	bs, err := drainBare(ctx, e, nb, 1, nil, false, false)
	if err != nil {
		return nil, nil, err
	}
	ht, err := drainHerald(ctx, e, nb, 1, nil, true)
	if err != nil {
		return nil, nil, err
	}
	bt, err := drainBare(ctx, e, nb, 1, nil, true, false)
	if err != nil {
		return nil, nil, err
	}
	per := func(d time.Duration, n int) time.Duration { return d / time.Duration(n) }
	bd := &breakdown{
		Concurrency: 1, Tasks: nb,
		HeraldPer: per(hs.Elapsed, nb), BarePer: per(bs.Elapsed, nb),
		HeraldGoCPU: per(hs.GoCPU, nb), BareGoCPU: per(bs.GoCPU, nb),
		HeraldRedis: per(hs.Redis, nb), BareRedis: per(bs.Redis, nb),
		HeraldRT: float64(sumCalls(ht.Ops)) / float64(nb), BareRT: float64(sumCalls(bt.Ops)) / float64(nb),
		Herald: perTask(ht.Ops, nb), Bare: perTask(bt.Ops, nb),
		RateConcurrency: rateConcurrency,
		RateHeraldGoCPU: per(h.GoCPU, n), RateBareGoCPU: per(b.GoCPU, n),
		RateHeraldRedis: per(h.Redis, n), RateBareRedis: per(b.Redis, n),
	}
	return rows, bd, nil
}

// medianDrain is the run of median rate among runs.
func medianDrain(runs []drain) drain {
	sorted := slices.Clone(runs)
	slices.SortFunc(sorted, func(a, b drain) int { return cmp.Compare(a.rate(), b.rate()) })
	return sorted[len(sorted)/2]
}

// ratioRange is the lowest and highest of Herald's rate over the
// baseline's in the same round.
func ratioRange(herald, base []drain) (lo, hi float64) {
	for i := range herald {
		r := herald[i].rate() / base[i].rate()
		if i == 0 || r < lo {
			lo = r
		}
		if i == 0 || r > hi {
			hi = r
		}
	}
	return lo, hi
}
