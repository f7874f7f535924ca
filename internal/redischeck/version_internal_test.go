package redischeck

import (
	"context"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/redistest"
)

func TestVersionFindings(t *testing.T) {
	tests := []struct {
		version       string
		problem, warn bool
	}{
		{"4.0.14", true, false},
		{"5.0.7", true, false},
		{"6.0.20", true, false},
		{"6.2.0", false, false},
		{"6.2.14", false, false},
		{"7.0.15", false, false},
		{"7.4.1", false, false},
		{"10.0.0", false, false},
		{"6.2.0-rc1", false, false},
		{"6.1.99", true, false},
		{"", false, true},
		{"unknown", false, true},
		{"7", false, true},
	}
	for _, tt := range tests {
		p, w := versionFindings(tt.version, MinVersion)
		if (p != "") != tt.problem || (w != "") != tt.warn {
			t.Errorf("%q: problem %q, warning %q; want problem %v, warning %v", tt.version, p, w, tt.problem, tt.warn)
		}
		if p != "" && (!strings.Contains(p, "Redis "+tt.version+" ") || !strings.Contains(p, "Redis "+MinVersion+" or later")) {
			t.Errorf("%q: problem %q names not the found and the needed version", tt.version, p)
		}
	}
}

// TestCheckRefusesAnOldRedis: Check holds the server's version to the
// minimum. The test server is new enough for Herald, so check is asked
// for a version no server has.
func TestCheckRefusesAnOldRedis(t *testing.T) {
	db := redistest.New(t)
	ctx := context.Background()
	r, err := check(ctx, db.Client, "99.0.0")
	if err != nil {
		t.Fatal(err)
	}
	if r.OK() || !strings.Contains(strings.Join(r.Problems, "\n"), "Redis "+r.Version+" is too old: Herald needs Redis 99.0.0 or later") {
		t.Errorf("problems %v, want Redis %s refused", r.Problems, r.Version)
	}
	r, err = Check(ctx, db.Client)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range r.Problems {
		if strings.Contains(p, "too old") {
			t.Errorf("Redis %s refused: %s", r.Version, p)
		}
	}
}
