package wire_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/heraldhq/herald/publishers/internal/wire"
)

func TestQuote(t *testing.T) {
	secret := "tok/en+1=="
	tests := []struct{ in, want string }{
		{"plain message", "plain message"},
		{"two\nlines\t here", "two lines here"},
		{"bad token " + secret + " sent", "bad token [redacted] sent"},
		{"escaped " + url.QueryEscape(secret), "escaped [redacted]"},
		{"bad \xff utf8", "bad \uFFFD utf8"},
		{strings.Repeat("a", 50), strings.Repeat("a", 40) + "…"},
	}
	for _, tt := range tests {
		if got := wire.Quote(tt.in, 40, secret); got != tt.want {
			t.Errorf("Quote(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzQuote(f *testing.F) {
	f.Add("message with secret-token-123 inside", "secret-token-123")
	f.Add("[redacted", "redacted]x")
	f.Fuzz(func(t *testing.T, msg, secret string) {
		got := wire.Quote(msg, 200, secret)
		if secret != "" && strings.Contains(got, secret) {
			t.Fatalf("Quote kept the secret %q: %q", secret, got)
		}
		if !utf8.ValidString(got) || strings.ContainsAny(got, "\n\r") {
			t.Fatalf("Quote(%q) = %q: not one valid line", msg, got)
		}
	})
}

func TestErrorMessage(t *testing.T) {
	tests := []struct {
		status int
		msg    string
		want   string
	}{
		{400, "bad caption", "bad caption"},
		{502, "", "Bad Gateway"},
		{599, "  ", "no message"},
		{401, "token tok-123 refused", "token [redacted] refused"},
		{500, wire.FirstLine([]byte("\n<html>oops\n<body>")), "<html>oops"},
	}
	for _, tt := range tests {
		if got := wire.ErrorMessage(tt.status, tt.msg, 40, "tok-123"); got != tt.want {
			t.Errorf("ErrorMessage(%d, %q) = %q, want %q", tt.status, tt.msg, got, tt.want)
		}
	}
}

func TestIntCode(t *testing.T) {
	for raw, want := range map[string]int{`190`: 190, `"463"`: 463, `-1`: 0, `"x"`: 0, ``: 0, `1.5`: 0, `null`: 0} {
		if got := wire.IntCode(json.RawMessage(raw)); got != want {
			t.Errorf("IntCode(%s) = %d, want %d", raw, got, want)
		}
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ s, secret, want string }{
		{"no secret here", "tok", "no secret here"},
		{"a tok b tok", "tok", "a [redacted] b [redacted]"},
		{"anything", "", "anything"},
		{"x acted] y", "acted]", ""},
	}
	for _, tt := range tests {
		if got := wire.Redact(tt.s, tt.secret); got != tt.want || (tt.secret != "" && strings.Contains(got, tt.secret)) {
			t.Errorf("Redact(%q, %q) = %q, want %q", tt.s, tt.secret, got, tt.want)
		}
	}
}
