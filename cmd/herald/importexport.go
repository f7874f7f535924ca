package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
)

// `herald post import` and `herald post export`: bulk scheduling from a
// file, and an account's posts out as JSON Lines. Import schedules
// through jobs.Client.SchedulePosts, MaxBatch lines at a time, so
// running it again after an interruption skips (as "unchanged") what the
// first run stored. Export writes what import reads.

// csvColumns are the columns a CSV import knows. post_id, account_id,
// platform and publish_at are required; media is a space-separated list
// of kind:url (image:https://... video:https://...); options is a JSON
// object.
var csvColumns = []string{"post_id", "account_id", "platform", "publish_at", "not_after", "title", "text", "media", "options"}

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

// jsonLine is an import line of JSON Lines: the API's POST /v1/posts
// body, or a line of `herald post export` (whose status is ignored).
type jsonLine struct {
	PostID    string             `json:"post_id"`
	AccountID string             `json:"account_id"`
	Platform  string             `json:"platform"`
	PublishAt string             `json:"publish_at"`
	NotAfter  string             `json:"not_after"`
	Content   publishers.Content `json:"content"`
	Status    json.RawMessage    `json:"status"`
}

// maxLine bounds one line of an import file (the largest valid post is
// about a third of it).
const maxLine = 1 << 20

// readJSONLines yields each non-blank line of r as a post.
func readJSONLines(r io.Reader, yield func(importLine) bool) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	n := 0
	for sc.Scan() {
		n++
		b := sc.Bytes()
		if len(strings.TrimSpace(string(b))) == 0 {
			continue
		}
		l := importLine{n: n}
		var jl jsonLine
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&jl); err != nil {
			l.err = fmt.Errorf("not a post as JSON: %w", err)
		} else {
			l.post, l.err = postOf(jl.PostID, jl.AccountID, jl.Platform, jl.PublishAt, jl.NotAfter, jl.Content)
		}
		if !yield(l) {
			return nil
		}
	}
	if errors.Is(sc.Err(), bufio.ErrTooLong) {
		return fmt.Errorf("line %d: longer than %d bytes", n+1, maxLine)
	}
	return sc.Err()
}

// postOf makes a post of an import's fields, naming a time that does not
// parse; the Client checks the rest.
func postOf(id, account, platform, publishAt, notAfter string, c publishers.Content) (jobs.Post, error) {
	p := jobs.Post{ID: id, AccountID: account, Platform: platform, Content: c}
	var err error
	if p.PublishAt, err = time.Parse(time.RFC3339Nano, publishAt); err != nil {
		return p, &jobs.FieldError{Field: "publish_at", Problem: fmt.Sprintf("%.40q: want an RFC 3339 time with a zone", publishAt)}
	}
	if notAfter != "" {
		if p.NotAfter, err = time.Parse(time.RFC3339Nano, notAfter); err != nil {
			return p, &jobs.FieldError{Field: "not_after", Problem: fmt.Sprintf("%.40q: want an RFC 3339 time with a zone", notAfter)}
		}
	}
	return p, nil
}

// readCSV yields each record of r after its header as a post.
func readCSV(r io.Reader, yield func(importLine) bool) error {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("line 1: a header of column names: %w", err)
	}
	col := map[string]int{}
	for i, name := range header {
		name = strings.TrimSpace(strings.TrimPrefix(name, "\ufeff"))
		if !slices.Contains(csvColumns, name) {
			return fmt.Errorf("line 1: unknown column %q (known: %s)", name, strings.Join(csvColumns, ", "))
		}
		col[name] = i
	}
	for _, need := range csvColumns[:4] {
		if _, ok := col[need]; !ok {
			return fmt.Errorf("line 1: column %q is required", need)
		}
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		var l importLine
		var pe *csv.ParseError
		switch {
		case errors.As(err, &pe):
			l.n, l.err = pe.StartLine, fmt.Errorf("not CSV: %w", pe.Err)
		case err != nil:
			return err
		}
		if l.err == nil {
			l.n, _ = cr.FieldPos(0)
		}
		switch {
		case l.err != nil:
		case len(rec) != len(header):
			l.err = fmt.Errorf("%d fields, the header has %d", len(rec), len(header))
		default:
			l.post, l.err = csvPost(rec, col)
		}
		if !yield(l) {
			return nil
		}
	}
}

// csvPost makes a post of one CSV record.
func csvPost(rec []string, col map[string]int) (jobs.Post, error) {
	get := func(name string) string {
		if i, ok := col[name]; ok {
			return rec[i]
		}
		return ""
	}
	c := publishers.Content{Title: get("title"), Text: get("text")}
	for i, m := range strings.Fields(get("media")) {
		kind, url, ok := strings.Cut(m, ":")
		if !ok || (kind != publishers.MediaImage && kind != publishers.MediaVideo) {
			return jobs.Post{}, &jobs.FieldError{Field: fmt.Sprintf("media[%d]", i), Problem: fmt.Sprintf("%.60q: want image:URL or video:URL", m)}
		}
		c.Media = append(c.Media, publishers.Media{Kind: kind, URL: url})
	}
	if s := get("options"); s != "" {
		if err := json.Unmarshal([]byte(s), &c.Options); err != nil {
			return jobs.Post{}, &jobs.FieldError{Field: "options", Problem: "want a JSON object of strings"}
		}
	}
	return postOf(get("post_id"), get("account_id"), get("platform"), get("publish_at"), get("not_after"), c)
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
