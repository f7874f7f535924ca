package publishers_test

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/heraldhq/herald/publishers"
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
		if got := publishers.Quote(tt.in, 40, secret); got != tt.want {
			t.Errorf("Quote(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzQuote(f *testing.F) {
	f.Add("message with secret-token-123 inside", "secret-token-123")
	f.Add("[redacted", "redacted]x")
	f.Fuzz(func(t *testing.T, msg, secret string) {
		got := publishers.Quote(msg, 200, secret)
		if secret != "" && strings.Contains(got, secret) {
			t.Fatalf("Quote kept the secret %q: %q", secret, got)
		}
		if !utf8.ValidString(got) || strings.ContainsAny(got, "\n\r") {
			t.Fatalf("Quote(%q) = %q: not one valid line", msg, got)
		}
	})
}
