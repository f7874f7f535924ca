package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// row is one line of the results table.
type row struct {
	Figure, Herald, Baseline, Ratio, Note string
}

// breakdown is figure 2's account of where Herald's time goes.
type breakdown struct {
	Concurrency, Tasks     int
	HeraldPer, BarePer     time.Duration // wall time per task
	HeraldGoCPU, BareGoCPU time.Duration // this process's CPU per task
	HeraldRedis, BareRedis time.Duration // redis-server's CPU per task
	HeraldRT, BareRT       float64       // round trips per task
	Herald, Bare           []opRow
	// At the rate run's concurrency, CPU per task.
	RateConcurrency                int
	RateHeraldGoCPU, RateBareGoCPU time.Duration
	RateHeraldRedis, RateBareRedis time.Duration
}

// report is everything a run prints.
type report struct {
	Machine   []string
	Rows      []row
	Breakdown *breakdown
	Quick     bool
	Elapsed   time.Duration
}

func (r *report) text(w io.Writer) {
	fmt.Fprintln(w)
	for _, m := range r.Machine {
		fmt.Fprintln(w, m)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FIGURE\tHERALD\tBASELINE\tRATIO\tNOTE")
	for _, x := range r.Rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", x.Figure, x.Herald, x.Baseline, x.Ratio, x.Note)
	}
	tw.Flush()
	if b := r.Breakdown; b != nil {
		fmt.Fprintln(w)
		fmt.Fprint(w, b.text())
	}
}

func (b *breakdown) text() string {
	var s strings.Builder
	fmt.Fprintf(&s, "Figure 2 breakdown: concurrency %d, %d tasks each side\n", b.Concurrency, b.Tasks)
	tw := tabwriter.NewWriter(&s, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "per task\tHERALD\tBARE ASYNQ\tEXTRA")
	fmt.Fprintf(tw, "wall time (concurrency %d)\t%s\t%s\t%s\n", b.Concurrency, us(b.HeraldPer), us(b.BarePer), us(b.HeraldPer-b.BarePer))
	fmt.Fprintf(tw, "Go CPU (concurrency %d)\t%s\t%s\t%s\n", b.Concurrency, us(b.HeraldGoCPU), us(b.BareGoCPU), us(b.HeraldGoCPU-b.BareGoCPU))
	fmt.Fprintf(tw, "redis-server CPU (concurrency %d)\t%s\t%s\t%s\n", b.Concurrency, us(b.HeraldRedis), us(b.BareRedis), us(b.HeraldRedis-b.BareRedis))
	if b.RateConcurrency > 0 {
		fmt.Fprintf(tw, "Go CPU (concurrency %d)\t%s\t%s\t%s\n", b.RateConcurrency, us(b.RateHeraldGoCPU), us(b.RateBareGoCPU), us(b.RateHeraldGoCPU-b.RateBareGoCPU))
		fmt.Fprintf(tw, "redis-server CPU (concurrency %d)\t%s\t%s\t%s\n", b.RateConcurrency, us(b.RateHeraldRedis), us(b.RateBareRedis), us(b.RateHeraldRedis-b.RateBareRedis))
	}
	fmt.Fprintf(tw, "Redis round trips\t%.2f\t%.2f\t%.2f\n", b.HeraldRT, b.BareRT, b.HeraldRT-b.BareRT)
	tw.Flush()
	for _, side := range []struct {
		name string
		rows []opRow
	}{{"Herald", b.Herald}, {"bare asynq", b.Bare}} {
		fmt.Fprintf(&s, "\nRound trips per task, %s (command, script, key shape):\n", side.name)
		tw := tabwriter.NewWriter(&s, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  PER TASK\tMEAN LATENCY\tROUND TRIP")
		for _, o := range side.rows {
			fmt.Fprintf(tw, "  %.3f\t%s\t%s\n", o.PerTask, us(o.Mean), o.Label)
		}
		tw.Flush()
	}
	return s.String()
}

func (r *report) markdown(w io.Writer) {
	fmt.Fprint(w, mdIntro)
	fmt.Fprintln(w, "## Results")
	fmt.Fprintln(w)
	if r.Quick {
		fmt.Fprintln(w, "**Quick run** (`--quick`, small N): indicative only.")
		fmt.Fprintln(w)
	}
	for _, m := range r.Machine {
		fmt.Fprintf(w, "- %s\n", m)
	}
	fmt.Fprintf(w, "- whole run: %s\n\n", r.Elapsed.Round(time.Second))
	fmt.Fprintln(w, "| figure | Herald | baseline | ratio | note |")
	fmt.Fprintln(w, "| --- | --- | --- | --- | --- |")
	for _, x := range r.Rows {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", md(x.Figure), md(x.Herald), md(x.Baseline), md(x.Ratio), md(x.Note))
	}
	if b := r.Breakdown; b != nil {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "### Where figure 2's time goes")
		fmt.Fprintln(w)
		fmt.Fprintf(w, "Both sides again at concurrency %d (%d tasks each, CPUs shared as in 2b), so that latencies are not queueing, with the tracer counting every round trip on the Redis client handed to jobs, tokens and asynq. Script names come from their source; keys are shown with ids replaced by `*`.\n\n", b.Concurrency, b.Tasks)
		fmt.Fprintln(w, "| per task | Herald | bare asynq | extra |")
		fmt.Fprintln(w, "| --- | --- | --- | --- |")
		fmt.Fprintf(w, "| wall time, concurrency %d | %s | %s | %s |\n", b.Concurrency, us(b.HeraldPer), us(b.BarePer), us(b.HeraldPer-b.BarePer))
		fmt.Fprintf(w, "| Go CPU, concurrency %d | %s | %s | %s |\n", b.Concurrency, us(b.HeraldGoCPU), us(b.BareGoCPU), us(b.HeraldGoCPU-b.BareGoCPU))
		fmt.Fprintf(w, "| redis-server CPU, concurrency %d | %s | %s | %s |\n", b.Concurrency, us(b.HeraldRedis), us(b.BareRedis), us(b.HeraldRedis-b.BareRedis))
		if b.RateConcurrency > 0 {
			fmt.Fprintf(w, "| Go CPU, concurrency %d (rate run) | %s | %s | %s |\n", b.RateConcurrency, us(b.RateHeraldGoCPU), us(b.RateBareGoCPU), us(b.RateHeraldGoCPU-b.RateBareGoCPU))
			fmt.Fprintf(w, "| redis-server CPU, concurrency %d (rate run) | %s | %s | %s |\n", b.RateConcurrency, us(b.RateHeraldRedis), us(b.RateBareRedis), us(b.RateHeraldRedis-b.RateBareRedis))
		}
		fmt.Fprintf(w, "| Redis round trips | %.2f | %.2f | %.2f |\n", b.HeraldRT, b.BareRT, b.HeraldRT-b.BareRT)
		for _, side := range []struct {
			name string
			rows []opRow
		}{{"Herald", b.Herald}, {"bare asynq", b.Bare}} {
			fmt.Fprintf(w, "\nRound trips per task, %s:\n\n", side.name)
			fmt.Fprintln(w, "| per task | mean latency | round trip |")
			fmt.Fprintln(w, "| ---: | ---: | --- |")
			for _, o := range side.rows {
				fmt.Fprintf(w, "| %.3f | %s | `%s` |\n", o.PerTask, us(o.Mean), o.Label)
			}
		}
	}
	fmt.Fprintln(w)
}

// md escapes a table cell.
func md(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

func us(d time.Duration) string {
	return fmt.Sprintf("%.0f µs", float64(d)/float64(time.Microsecond))
}

func ratio(a, b float64) string {
	if b == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2f", a/b)
}

func perSec(n int, d time.Duration) float64 { return float64(n) / d.Seconds() }

func rate(r float64) string { return fmt.Sprintf("%.0f/s", r) }

func ms(d time.Duration) string {
	return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
}
