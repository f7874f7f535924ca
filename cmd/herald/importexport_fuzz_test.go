package main

import (
	"fmt"
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

// What an import refuses as a whole (the header) and line by line.
func TestImportReadersNameWhatIsWrong(t *testing.T) {
	const head = "post_id,account_id,platform,publish_at"
	tests := []struct {
		name, body, want string
		jsonl            bool
	}{
		{"no header", "", "line 1: a header", false},
		{"unknown column", head + ",colour\n", `unknown column "colour"`, false},
		{"missing column", "post_id,account_id,platform\n", `column "publish_at" is required`, false},
		{"short record", head + "\np,a,sandbox\n", "2: 3 fields, the header has 4", false},
		{"bad options", head + ",options\np,a,sandbox,2026-12-01T09:00:00Z,{x\n", "2: options: want a JSON object", false},
		{"bad not_after", head + ",not_after\np,a,sandbox,2026-12-01T09:00:00Z,later\n", "2: not_after", false},
		{"unknown field", `{"post_id":"p","colour":"red"}`, `1: not a post as JSON: json: unknown field "colour"`, true},
		{"line too long", `{"text":"` + strings.Repeat("x", maxLine) + `"}`, "line 1: longer than", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			collect := func(l importLine) bool {
				if l.err != nil {
					got = append(got, fmt.Sprintf("%d: %v", l.n, l.err))
				}
				return true
			}
			read := readCSV
			if tt.jsonl {
				read = readJSONLines
			}
			if err := read(strings.NewReader(tt.body), collect); err != nil {
				got = append(got, err.Error())
			}
			if !strings.Contains(strings.Join(got, "\n"), tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
