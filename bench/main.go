package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/heraldhq/herald/tokens"
)

// childArg makes the program a child process of figure 3 or 6 (see
// runChildJSON).
const childArg = "__child"

// figure is one benchmark: its --only name and how to run it.
type figure struct {
	name string
	run  func(ctx context.Context, e *env, r *report) error
}

var figures = []figure{
	{"enqueue", func(ctx context.Context, e *env, r *report) error {
		rows, err := figEnqueue(ctx, e)
		r.Rows = append(r.Rows, rows...)
		return err
	}},
	{"batch", func(ctx context.Context, e *env, r *report) error {
		rows, err := figBatch(ctx, e)
		r.Rows = append(r.Rows, rows...)
		return err
	}},
	{"process", func(ctx context.Context, e *env, r *report) error {
		rows, bd, err := figProcess(ctx, e)
		r.Rows = append(r.Rows, rows...)
		r.Breakdown = bd
		return err
	}},
	{"slow", func(ctx context.Context, e *env, r *report) error {
		rows, err := figSlow(ctx, e)
		r.Rows = append(r.Rows, rows...)
		return err
	}},
	{"burst", func(ctx context.Context, e *env, r *report) error {
		rows, err := figBurst(ctx, e)
		r.Rows = append(r.Rows, rows...)
		return err
	}},
	{"refresh", func(ctx context.Context, e *env, r *report) error {
		rows, err := figRefresh(ctx, e)
		r.Rows = append(r.Rows, rows...)
		return err
	}},
	{"memory", func(ctx context.Context, e *env, r *report) error {
		rows, err := figMemory(ctx, e)
		r.Rows = append(r.Rows, rows...)
		return err
	}},
	{"upload", func(ctx context.Context, e *env, r *report) error {
		rows, err := figUpload(ctx, e)
		r.Rows = append(r.Rows, rows...)
		return err
	}},
	{"bullmq", func(ctx context.Context, e *env, r *report) error {
		rows, err := figBullMQ(ctx, e)
		r.Rows = append(r.Rows, rows...)
		return err
	}},
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == childArg {
		os.Exit(child(os.Args[2:]))
	}
	quick := flag.Bool("quick", false, "small N: for trying changes, not for the record")
	only := flag.String("only", "", "run only these figures (comma-separated): "+figureNames())
	out := flag.String("out", "", "also write the results as markdown to this file (BENCHMARKS.md)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of this process (not of the child processes) to this file")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	if err := run(*quick, *only, *out); err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func figureNames() string {
	names := make([]string, len(figures))
	for i, f := range figures {
		names[i] = f.name
	}
	return strings.Join(names, ", ")
}

func run(quick bool, only, out string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	want := map[string]bool{}
	for _, n := range strings.Split(only, ",") {
		if n = strings.TrimSpace(n); n != "" {
			want[n] = true
		}
	}
	for n := range want {
		if !known(n) {
			return fmt.Errorf("--only: no figure %q (have %s)", n, figureNames())
		}
	}
	began := time.Now()
	e, err := newEnv(ctx, quick)
	if err != nil {
		return err
	}
	defer e.close()
	load0 := loadAvg()
	r := &report{Quick: quick, Machine: machine(ctx, e)}
	for _, m := range r.Machine {
		fmt.Println(m)
	}
	for _, f := range figures {
		if len(want) > 0 && !want[f.name] {
			continue
		}
		fmt.Printf("running %s...\n", f.name)
		t := time.Now()
		if err := f.run(ctx, e, r); err != nil {
			return fmt.Errorf("%s: %w", f.name, err)
		}
		fmt.Printf("  %s done in %s\n", f.name, time.Since(t).Round(100*time.Millisecond))
	}
	r.Elapsed = time.Since(began)
	r.Machine = append(r.Machine, fmt.Sprintf("load average (1 min) at start %s, at end %s: other work on the same cores slows the CPU-bound figures, Herald's more than asynq's", load0, loadAvg()))
	r.text(os.Stdout)
	if out != "" {
		var b bytes.Buffer
		r.markdown(&b)
		if err := os.WriteFile(out, b.Bytes(), 0o644); err != nil {
			return err
		}
		fmt.Println("\nwrote", out)
	}
	return nil
}

func known(name string) bool {
	for _, f := range figures {
		if f.name == name {
			return true
		}
	}
	return false
}

// machine describes where the figures were measured.
func machine(ctx context.Context, e *env) []string {
	cpu := "unknown CPU"
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		s := bufio.NewScanner(f)
		for s.Scan() {
			if k, v, ok := strings.Cut(s.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
		f.Close()
	}
	redisVersion := "unknown"
	if c, err := newClient(e.url, nil); err == nil {
		info, _ := c.Info(ctx, "server").Result()
		for _, line := range strings.Split(info, "\n") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), "redis_version:"); ok {
				redisVersion = v
			}
		}
		c.Close()
	}
	kernel := ""
	if b, err := exec.Command("uname", "-sr").Output(); err == nil {
		kernel = strings.TrimSpace(string(b))
	}
	return []string{
		fmt.Sprintf("date: %s", time.Now().UTC().Format("2006-01-02 15:04 MST")),
		fmt.Sprintf("CPU: %s, %d cores (GOMAXPROCS %d), %s", cpu, runtime.NumCPU(), runtime.GOMAXPROCS(0), kernel),
		fmt.Sprintf("Go: %s %s/%s", runtime.Version(), runtime.GOOS, runtime.GOARCH),
		fmt.Sprintf("Redis: redis-server %s, private, unix socket, AOF and RDB off, hash-max-listpack-value 1024, same machine", redisVersion),
	}
}

// loadAvg is the 1-minute load average.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "unknown"
	}
	return f[0]
}

// tokensSandbox is the Vault's sandbox platform: nothing to refresh or
// revoke.
func tokensSandbox() tokens.Platform { return tokens.Platform{} }

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func numGoroutine() int { return runtime.NumGoroutine() }
