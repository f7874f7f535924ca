package main

import (
	"context"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/redistest"
)

// herald doctor says when Redis's memory is not capped and when records
// will take twice the memory they need (the test server runs without
// maxmemory, and is given Redis's default hash-max-listpack-value here:
// it starts with Herald's).
func TestDoctorWarnsAboutRedisMemory(t *testing.T) {
	db := redistest.New(t)
	ctx := context.Background()
	old := db.Client.ConfigGet(ctx, "hash-max-listpack-value").Val()["hash-max-listpack-value"]
	if err := db.Client.ConfigSet(ctx, "hash-max-listpack-value", "64").Err(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Client.ConfigSet(ctx, "hash-max-listpack-value", old) })
	t.Setenv("HERALD_REDIS_URL", db.URL())
	out, _, err := herald(t, ctx, "doctor")
	if err != nil {
		t.Fatalf("doctor: %v\n%s", err, out)
	}
	for _, want := range []string{"WARNING: maxmemory is not set", "WARNING: hash-max-listpack-value is 64", "HERALD_RECORD_RETENTION"} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor output lacks %q:\n%s", want, out)
		}
	}
}
