package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
)

// The readers of `herald post import`: JSON Lines and CSV, each yielding
// a post per line or why the line is refused, with its line number.

// csvColumns are the columns a CSV import knows. post_id, account_id,
// platform and publish_at are required; media is a space-separated list
// of kind:url (image:https://... video:https://...); options is a JSON
// object.
var csvColumns = []string{"post_id", "account_id", "platform", "publish_at", "not_after", "title", "text", "media", "options", "group_id", "first_comment"}

// jsonLine is an import line of JSON Lines: the API's POST /v1/posts
// body, or a line of `herald post export` (whose status is ignored).
type jsonLine struct {
	PostID    string             `json:"post_id"`
	AccountID string             `json:"account_id"`
	Platform  string             `json:"platform"`
	PublishAt string             `json:"publish_at"`
	NotAfter  string             `json:"not_after"`
	Content   publishers.Content `json:"content"`
	GroupID   string             `json:"group_id"`
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
			l.post.GroupID = jl.GroupID
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
	c := publishers.Content{Title: get("title"), Text: get("text"), FirstComment: get("first_comment")}
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
	p, err := postOf(get("post_id"), get("account_id"), get("platform"), get("publish_at"), get("not_after"), c)
	p.GroupID = get("group_id")
	return p, err
}
