package faultrules_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/faultrules"
)

func TestRules(t *testing.T) {
	var r faultrules.Rules[string, int]
	r.Add("publish", 2, 503)
	r.Add("", 1, 500) // any call
	r.Add("status", -1, 429)

	steps := []struct {
		key   string
		fault int
		ok    bool
	}{
		{"publish", 503, true},
		{"status", 500, true}, // the any-call rule comes before status's
		{"publish", 503, true},
		{"publish", 0, false},
		{"status", 429, true},
		{"status", 429, true},
	}
	for i, s := range steps {
		f, ok := r.Take(s.key)
		if f != s.fault || ok != s.ok {
			t.Fatalf("step %d: Take(%q) = %d, %v; want %d, %v", i, s.key, f, ok, s.fault, s.ok)
		}
	}
	r.Add("status", 0, 0)
	if _, ok := r.Take("status"); ok {
		t.Error("Add(key, 0) did not clear the key's rules")
	}
}

func TestDelay(t *testing.T) {
	if err := faultrules.Delay(context.Background(), 0, nil); err != nil {
		t.Errorf("no latency: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := faultrules.Delay(ctx, time.Hour, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("caller gone: %v", err)
	}
	closing := make(chan struct{})
	close(closing)
	if err := faultrules.Delay(context.Background(), time.Hour, closing); !errors.Is(err, http.ErrServerClosed) {
		t.Errorf("server closing: %v", err)
	}
	if err := faultrules.Delay(context.Background(), time.Millisecond, nil); err != nil {
		t.Errorf("short latency: %v", err)
	}
}
