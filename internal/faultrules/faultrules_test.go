package faultrules_test

import (
	"testing"

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
