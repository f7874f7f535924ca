package main

import (
	"strings"
	"testing"
)

// FuzzImportReaders: import files come from outside. Neither reader
// panics, and every line it yields has a line number and either a post
// with an id or the reason it is refused.
func FuzzImportReaders(f *testing.F) {
	f.Add("post_id,account_id,platform,publish_at,media\np,a,sandbox,2026-12-01T09:00:00Z,image:https://x/a.jpg\n")
	f.Add(`{"post_id":"p","account_id":"a","platform":"sandbox","publish_at":"2026-12-01T09:00:00Z"}` + "\n{")
	f.Add("\"unterminated\n")
	f.Fuzz(func(t *testing.T, body string) {
		check := func(l importLine) bool {
			if l.n < 1 {
				t.Fatalf("line number %d", l.n)
			}
			if l.err == nil && l.post.PublishAt.IsZero() {
				t.Fatalf("line %d accepted without a publish time", l.n)
			}
			return true
		}
		_ = readCSV(strings.NewReader(body), check)
		_ = readJSONLines(strings.NewReader(body), check)
	})
}
