package youtube

import (
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// FuzzIDTokenSubject: an id token from outside never panics the parser,
// and an accepted one has a sub.
func FuzzIDTokenSubject(f *testing.F) {
	f.Add("e30.eyJpc3MiOiJodHRwczovL2FjY291bnRzLmdvb2dsZS5jb20iLCJhdWQiOiJjIiwic3ViIjoiMSIsImV4cCI6OTk5OTk5OTk5OX0.s")
	f.Add("eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJhY2NvdW50cy5nb29nbGUuY29tIiwiYXVkIjpbImMiLCJkIl0sImF6cCI6ImMiLCJzdWIiOiIxIiwiZXhwIjo5OTk5OTk5OTk5fQ.s")
	f.Add("a.b.c")
	f.Add("")
	f.Fuzz(func(t *testing.T, raw string) {
		tok := (&oauth2.Token{}).WithExtra(map[string]any{"id_token": raw})
		sub, err := idTokenSubject(tok, "c", time.Unix(1_800_000_000, 0))
		if err == nil && sub == "" {
			t.Fatalf("accepted %q without sub", raw)
		}
	})
}
