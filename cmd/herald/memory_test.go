package main

import (
	"context"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/redistest"
)

// herald doctor says when Redis's memory is not capped and when records
// will take twice the memory they need (the test server runs with
// Redis's defaults for both).
func TestDoctorWarnsAboutRedisMemory(t *testing.T) {
	db := redistest.New(t)
	t.Setenv("HERALD_REDIS_URL", db.URL())
	out, _, err := herald(t, context.Background(), "doctor")
	if err != nil {
		t.Fatalf("doctor: %v\n%s", err, out)
	}
	for _, want := range []string{"WARNING: maxmemory is not set", "WARNING: hash-max-listpack-value is 64", "HERALD_RECORD_RETENTION"} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor output lacks %q:\n%s", want, out)
		}
	}
}
