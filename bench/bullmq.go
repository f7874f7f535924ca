package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// bullmqDir holds figure 7's Node script and its package.json; `npm ci
// --prefix bench/bullmq` (make bench does it) installs BullMQ there.
const bullmqDir = "bench/bullmq"

// bullmqResult is what drain.mjs prints.
type bullmqResult struct {
	Jobs      int     `json:"jobs"`
	ElapsedMS float64 `json:"elapsed_ms"`
	Version   string  `json:"bullmq"`
}

// figBullMQ is figure 7 (issue 28's stretch): Herald's publish-only
// worker (figure 2c) against BullMQ's own Worker draining as many no-op
// jobs on the same redis-server at the same concurrency, one run each.
// Without Node or the installed package it says why and measures
// nothing.
func figBullMQ(ctx context.Context, e *env) ([]row, error) {
	const figure = "7. BullMQ, no-op jobs drained"
	skip := func(why string) []row {
		fmt.Println("  skipped:", why)
		return []row{{Figure: figure, Herald: "-", Baseline: "-", Ratio: "-", Note: "not measured: " + why}}
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return skip("node is not installed (Node.js 18 or newer runs BullMQ)"), nil
	}
	if _, err := os.Stat(filepath.Join(bullmqDir, "node_modules", "bullmq")); err != nil {
		return skip("BullMQ is not installed: run `npm ci --prefix " + bullmqDir + "` from the repository root (make bench does)"), nil
	}
	n := 20000
	if e.quick {
		n = 2000
	}
	h, err := drainHerald(ctx, e, n, rateConcurrency, publishOnly, false)
	if err != nil {
		return nil, err
	}
	if err := e.fresh(ctx); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, node, "drain.mjs", e.srv.Socket, strconv.Itoa(n), strconv.Itoa(rateConcurrency))
	cmd.Dir = bullmqDir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("node drain.mjs: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	var b bullmqResult
	if err := json.Unmarshal(out, &b); err != nil || b.Jobs != n || b.ElapsedMS <= 0 {
		return nil, fmt.Errorf("node drain.mjs printed %q: %v", out, err)
	}
	bullRate := perSec(n, time.Duration(b.ElapsedMS*float64(time.Millisecond)))
	nodeVersion, _ := exec.CommandContext(ctx, node, "--version").Output()
	return []row{{
		Figure:   figure,
		Herald:   rate(h.rate()),
		Baseline: rate(bullRate) + " BullMQ",
		Ratio:    ratio(h.rate(), bullRate),
		Note: fmt.Sprintf("%d jobs each, enqueued before the worker starts, concurrency %d, CPUs shared, one run each; Herald: a publish-only worker as in 2c (record, lock, token, no-op platform, outcome, events); "+
			"BullMQ %s's Worker on Node %s with a no-op processor, jobs removed on completion as asynq deletes a finished task (bench/bullmq/drain.mjs)",
			n, rateConcurrency, b.Version, strings.TrimSpace(string(nodeVersion))),
	}}, nil
}
