package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/heraldhq/herald/jobs"
)

// `herald post import` and `herald post export`: bulk scheduling from a
// file, and an account's posts out as JSON Lines. Import schedules
// through jobs.Client.SchedulePosts, MaxBatch lines at a time, so
// running it again after an interruption skips (as "unchanged") what the
// first run stored. Export writes what import reads.

// importLine is one line of an import: the post, or why it is refused.
type importLine struct {
	n    int // line number in the file, from 1
	post jobs.Post
	err  error
}

// importStats counts what an import did.
type importStats struct {
	lines, created, unchanged, refused int
}

func (s importStats) String() string {
	return fmt.Sprintf("%d lines: %d created, %d unchanged (already stored), %d refused", s.lines, s.created, s.unchanged, s.refused)
}

// runImport: herald post import --file posts.jsonl|posts.csv.
func runImport(ctx context.Context, e *cliEnv, file, format string, stdout, stderr io.Writer) error {
	if format == "" {
		switch strings.ToLower(filepath.Ext(file)) {
		case ".jsonl", ".ndjson":
			format = "jsonl"
		case ".csv":
			format = "csv"
		default:
			return fmt.Errorf("--file=%q: name a .jsonl or .csv file, or say --format=jsonl|csv", file)
		}
	}
	var r io.Reader = os.Stdin
	if file != "-" {
		f, err := os.Open(file)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	var lines func(yield func(importLine) bool) error
	switch format {
	case "jsonl":
		lines = func(y func(importLine) bool) error { return readJSONLines(r, y) }
	case "csv":
		lines = func(y func(importLine) bool) error { return readCSV(r, y) }
	default:
		return fmt.Errorf("--format=%q: want jsonl or csv", format)
	}
	progress := progressLine(stderr)
	var stats importStats
	var batch []importLine
	flush := func() error {
		if err := importBatch(ctx, e.client, file, batch, &stats, stderr); err != nil {
			return err
		}
		batch = batch[:0]
		progress(stats.String())
		return nil
	}
	var failed error
	err := lines(func(l importLine) bool {
		stats.lines++
		if l.err != nil {
			stats.refused++
			fmt.Fprintf(stderr, "%s:%d: %s\n", file, l.n, oneLine(l.err))
			return true
		}
		if batch = append(batch, l); len(batch) == jobs.MaxBatch {
			failed = flush()
		}
		return failed == nil
	})
	if err == nil && failed == nil {
		failed = flush()
	}
	progress("")
	fmt.Fprintf(stdout, "import %s: %s\n", file, stats)
	switch {
	case failed != nil:
		return failed
	case err != nil:
		return fmt.Errorf("%s: %w", file, err)
	case stats.refused > 0:
		return fmt.Errorf("%d of %d lines refused (see above); fix them and run the import again: stored lines are skipped", stats.refused, stats.lines)
	}
	return nil
}

// importBatch schedules batch and reports each refused line.
func importBatch(ctx context.Context, c *jobs.Client, file string, batch []importLine, stats *importStats, stderr io.Writer) error {
	if len(batch) == 0 {
		return nil
	}
	posts := make([]jobs.Post, len(batch))
	for i, l := range batch {
		posts[i] = l.post
	}
	res, err := c.SchedulePosts(ctx, posts)
	if err != nil {
		return fmt.Errorf("%s: lines %d-%d: %w", file, batch[0].n, batch[len(batch)-1].n, err)
	}
	for i, r := range res {
		switch r.Result {
		case jobs.ResultCreated:
			stats.created++
		case jobs.ResultUnchanged:
			stats.unchanged++
		default:
			stats.refused++
			fmt.Fprintf(stderr, "%s:%d: %s\n", file, batch[i].n, oneLine(r.Err))
		}
	}
	return nil
}

// oneLine is err's text on one line (errors.Join puts each field's
// problem on a line of its own).
func oneLine(err error) string { return strings.ReplaceAll(err.Error(), "\n", "; ") }

// progressLine returns a func that rewrites one status line on w when w
// is a terminal, and does nothing otherwise (a log file or a pipe gets
// only the summary). An empty line ends it.
func progressLine(w io.Writer) func(string) {
	f, ok := w.(*os.File)
	if !ok {
		return func(string) {}
	}
	if fi, err := f.Stat(); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return func(string) {}
	}
	shown := false
	return func(s string) {
		switch {
		case s != "":
			fmt.Fprintf(w, "\r\033[K%s", s)
			shown = true
		case shown:
			fmt.Fprint(w, "\r\033[K")
		}
	}
}

// runExport: herald post export --account ID [--from --to --state],
// JSON Lines on stdout.
func runExport(ctx context.Context, e *cliEnv, q jobs.ListQuery, from, to string, stdout io.Writer) error {
	var err error
	if from != "" {
		if q.From, err = time.Parse(time.RFC3339, from); err != nil {
			return fmt.Errorf("--from=%q: want an RFC 3339 time with a zone", from)
		}
	}
	if to != "" {
		if q.To, err = time.Parse(time.RFC3339, to); err != nil {
			return fmt.Errorf("--to=%q: want an RFC 3339 time with a zone", to)
		}
	}
	q.Limit = jobs.MaxListLimit
	w := bufio.NewWriter(stdout)
	enc := json.NewEncoder(w)
	err = e.client.ExportPosts(ctx, q, func(p jobs.ExportedPost) error { return enc.Encode(p) })
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	return err
}
