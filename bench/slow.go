package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hibiken/asynq"

	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/tokens"
)

// Figure 3's platform and worker.
const (
	slowLatency     = 200 * time.Millisecond
	slowConcurrency = 1000
)

// slowResult is what a figure 3 child reports on its stdout.
type slowResult struct {
	Rate       float64 `json:"rate"`       // completions/s over the window
	Done       int     `json:"done"`       // completions in all
	Window     string  `json:"window"`     // the window actually measured
	Dry        bool    `json:"dry"`        // the queue ran out within the window
	PeakRSS    int64   `json:"peak_rss"`   // VmHWM, bytes
	Goroutines int     `json:"goroutines"` // at the end of the window
	// The Redis pool: how often and how long a command waited for a
	// connection, over the whole run.
	PoolSize  int    `json:"pool_size"`
	PoolWaits uint32 `json:"pool_waits"`
	PoolWait  string `json:"pool_wait"`
	Err       string `json:"err,omitempty"`
}

// figSlow is figure 3: a 200 ms platform at concurrency 1000, in a child
// process so that its peak RSS is its own; bare asynq with a handler that
// sleeps as long is measured the same way for comparison.
func figSlow(ctx context.Context, e *env) ([]row, error) {
	warmup, window := 2*time.Second, 10*time.Second
	if e.quick {
		warmup, window = time.Second, 2*time.Second
	}
	ideal := float64(slowConcurrency) / slowLatency.Seconds()
	size := func(measured float64) int {
		r := ideal
		if measured > 0 {
			r = min(ideal, 1.5*measured)
		}
		return int(r*(warmup+window).Seconds()) + slowConcurrency
	}

	// Herald.
	nh := size(e.heraldDrainRate)
	if err := e.fresh(ctx); err != nil {
		return nil, err
	}
	rdb, err := e.client()
	if err != nil {
		return nil, err
	}
	defer rdb.Close()
	vault := e.newVault(rdb, tokensSandbox())
	accts := accounts(100)
	if err := connectFresh(ctx, vault, accts); err != nil {
		return nil, err
	}
	at := dueAt()
	fmt.Printf("  scheduling %d posts\n", nh)
	if err := schedule(ctx, jobs.NewClient(rdb), nh, func(i int) jobs.Post { return post("s", i, accts[i%len(accts)], at) }); err != nil {
		return nil, err
	}
	h, err := e.runChild(ctx, "slow-herald", nh, warmup, window)
	if err != nil {
		return nil, fmt.Errorf("herald child: %w", err)
	}

	// Bare asynq, in one server and in as many as Herald's dequeue loops.
	bare := func(kind string, n int) (slowResult, error) {
		if err := e.fresh(ctx); err != nil {
			return slowResult{}, err
		}
		fmt.Printf("  enqueueing %d tasks\n", n)
		if err := enqueueBare(ctx, rdb, n, func(i int) jobs.Post { return post("s", i, accts[i%len(accts)], at) }); err != nil {
			return slowResult{}, err
		}
		r, err := e.runChild(ctx, kind, n, warmup, window)
		if err != nil {
			return slowResult{}, fmt.Errorf("%s child: %w", kind, err)
		}
		return r, nil
	}
	b, err := bare("slow-bare", size(e.bareDrainRate))
	if err != nil {
		return nil, err
	}
	bl, err := bare("slow-bare-loops", nh)
	if err != nil {
		return nil, err
	}

	note := fmt.Sprintf("concurrency %d, %s platform, window %s after %s warm-up; peak RSS Herald %s, bare asynq %s; bare asynq with a %s handler: %s (%.2f of ideal; Herald %s of it, goal ≥ 0.85); the same in %d servers as Herald's dequeue loops: %s (Herald %s of it); Redis pool of %d (herald worker's for its concurrency; bare asynq go-redis's default): Herald waited for a connection %d times (%s in all), bare asynq %d times (%s)",
		slowConcurrency, slowLatency, h.Window, warmup, mib(h.PeakRSS), mib(b.PeakRSS), slowLatency, rate(b.Rate), b.Rate/ideal, ratio(h.Rate, b.Rate),
		jobs.DefaultDequeuers, rate(bl.Rate), ratio(h.Rate, bl.Rate),
		h.PoolSize, h.PoolWaits, h.PoolWait, b.PoolWaits, b.PoolWait)
	if e.heraldDrainRate > 0 && e.heraldDrainRate < ideal {
		note += fmt.Sprintf("; this machine drains at most %s with Herald and a no-op platform (figure 2b), below the ideal: that is the ceiling here", rate(e.heraldDrainRate))
	}
	if h.Dry || b.Dry {
		note += "; queue ran dry within the window (the rate is over the shorter window)"
	}
	return []row{{
		Figure:   "3. Slow platform",
		Herald:   rate(h.Rate),
		Baseline: rate(ideal) + " ideal",
		Ratio:    fmt.Sprintf("%.2f", h.Rate/ideal),
		Note:     note,
	}}, nil
}

func mib(b int64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }

// runChild runs this program again as a figure 3 worker over the queue
// already filled, and reads its result.
func (e *env) runChild(ctx context.Context, kind string, n int, warmup, window time.Duration) (slowResult, error) {
	var r slowResult
	err := e.runChildJSON(ctx, &r, kind, "-redis", e.url, "-n", strconv.Itoa(n), "-warmup", warmup.String(), "-window", window.String())
	return r, err
}

// runChildJSON runs this program again as a child of the given kind and
// decodes the JSON it prints into res.
func (e *env) runChildJSON(ctx context.Context, res any, kind string, args ...string) error {
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, exe, append([]string{childArg, kind}, args...)...)
	cmd.Env = append(os.Environ(), "HERALD_BENCH_KEYS="+e.keySpec)
	cmd.Stderr = os.Stderr
	out, runErr := cmd.Output()
	var status struct {
		Err string `json:"err"`
	}
	if err := json.Unmarshal(out, &status); err != nil {
		if runErr != nil {
			return runErr
		}
		return fmt.Errorf("child said %q: %w", out, err)
	}
	if status.Err != "" {
		return fmt.Errorf("child: %s", status.Err)
	}
	if runErr != nil {
		return runErr
	}
	return json.Unmarshal(out, res)
}

// child is the program run as a child process (figures 3 and 6): it
// writes its result as JSON to stdout.
func child(args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "child: no kind")
		return 2
	}
	var (
		res any
		err error
	)
	if strings.HasPrefix(args[0], "upload-") {
		var r uploadResult
		r, err = runUploadChild(args[0], args[1:])
		if err != nil {
			r.Err = err.Error()
		}
		res = r
	} else {
		var r slowResult
		r, err = runSlowChild(args)
		if err != nil {
			r.Err = err.Error()
		}
		res = r
	}
	_ = json.NewEncoder(os.Stdout).Encode(res)
	if err != nil {
		return 1
	}
	return 0
}

func runSlowChild(args []string) (slowResult, error) {
	if len(args) == 0 {
		return slowResult{}, fmt.Errorf("child: no kind")
	}
	kind := args[0]
	fs := flag.NewFlagSet(kind, flag.ContinueOnError)
	url := fs.String("redis", "", "Redis URL")
	n := fs.Int("n", 0, "tasks in the queue")
	warmup := fs.Duration("warmup", 2*time.Second, "")
	window := fs.Duration("window", 10*time.Second, "")
	pool := fs.Int("pool", 0, "Redis pool size (0: as each side runs: herald worker's jobs.PoolSize, asynq's go-redis default)")
	if err := fs.Parse(args[1:]); err != nil {
		return slowResult{}, err
	}
	if *pool == 0 && kind == "slow-herald" {
		*pool = jobs.PoolSize(slowConcurrency, 0)
	}
	rdb, err := newPoolClient(*url, nil, *pool)
	if err != nil {
		return slowResult{}, err
	}
	defer rdb.Close()

	var done atomic.Int64
	all := newCountdown(*n)
	completed := func() { done.Add(1); all.hit() }
	var stop func()
	switch kind {
	case "slow-herald":
		keys, err := tokens.ParseKeyring(os.Getenv("HERALD_BENCH_KEYS"))
		if err != nil {
			return slowResult{}, err
		}
		e := &env{keys: keys, log: discardLogger()}
		vault := e.newVault(rdb, tokensSandbox())
		cfg := workerConfig(e.log, slowConcurrency, &noop{Latency: slowLatency}, vault, keys, func(o jobs.Outcome) {
			if o.State == jobs.StatePublished {
				completed()
			}
		})
		cfg.ShutdownTimeout = time.Second
		w, err := startHerald(rdb, cfg)
		if err != nil {
			return slowResult{}, err
		}
		stop = func() { _ = w.stop() }
	case "slow-bare", "slow-bare-loops":
		loops := 1
		if kind == "slow-bare-loops" {
			loops = jobs.DefaultDequeuers
		}
		srv, err := startBareLoops(rdb, slowConcurrency, loops, nil, func(ctx context.Context, _ *asynq.Task) error {
			t := time.NewTimer(slowLatency)
			defer t.Stop()
			select {
			case <-t.C:
			case <-ctx.Done():
				return ctx.Err()
			}
			completed()
			return nil
		})
		if err != nil {
			return slowResult{}, err
		}
		stop = srv.stop
	default:
		return slowResult{}, fmt.Errorf("child: unknown kind %q", kind)
	}

	start := time.Now()
	dry := false
	wait := func(d time.Duration) {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-all.Done:
			dry = true
		}
	}
	wait(*warmup)
	c1, t1 := done.Load(), time.Now()
	if !dry {
		wait(*window)
	}
	c2, t2 := done.Load(), time.Now()
	if dry && c2 > 0 {
		// Ran out: take the finished part, from the start.
		c1, t1 = 0, start
		t2 = time.Unix(0, all.at.Load())
	}
	r := slowResult{
		Rate:       float64(c2-c1) / t2.Sub(t1).Seconds(),
		Window:     t2.Sub(t1).Round(10 * time.Millisecond).String(),
		Dry:        dry,
		Goroutines: numGoroutine(),
	}
	stop()
	r.Done = int(done.Load())
	ps := rdb.PoolStats()
	r.PoolSize, r.PoolWaits = poolSize(*pool), ps.WaitCount
	r.PoolWait = time.Duration(ps.WaitDurationNs).Round(time.Millisecond).String()
	r.PeakRSS = peakRSS()
	return r, nil
}

// peakRSS is the process's peak resident set (VmHWM), in bytes.
func peakRSS() int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
