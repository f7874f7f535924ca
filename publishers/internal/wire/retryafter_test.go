package wire_test

import (
	"testing"
	"time"

	"github.com/heraldhq/herald/publishers/internal/wire"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0},
		{"120", 2 * time.Minute},
		{" 5 ", 5 * time.Second},
		{"0", 0},
		{"-3", 0},
		{"99999999999999999999", wire.MaxRetryAfter},
		{"172800", wire.MaxRetryAfter},
		{"Sun, 29 Nov 2026 12:01:30 GMT", 90 * time.Second},
		{"Sun, 29 Nov 2026 11:00:00 GMT", 0},
		{"soon", 0},
	}
	for _, tt := range tests {
		if got := wire.ParseRetryAfter(tt.in, now); got != tt.want {
			t.Errorf("ParseRetryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"", "1", "-1", "Sun, 29 Nov 2026 12:01:30 GMT", "1e9", "9999999999999999999999"} {
		f.Add(s)
	}
	now := time.Now()
	f.Fuzz(func(t *testing.T, v string) {
		if d := wire.ParseRetryAfter(v, now); d < 0 || d > wire.MaxRetryAfter {
			t.Fatalf("ParseRetryAfter(%q) = %v, outside [0, %v]", v, d, wire.MaxRetryAfter)
		}
	})
}
