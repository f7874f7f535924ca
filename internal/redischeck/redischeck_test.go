package redischeck_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/heraldhq/herald/internal/redischeck"
	"github.com/heraldhq/herald/internal/redistest"
)

func TestMain(m *testing.M) { redistest.Main(m) }

// The tests share one server, so they change its settings one at a time
// and put them back.
func TestCheck(t *testing.T) {
	db := redistest.New(t)
	ctx := context.Background()
	set := func(k, v string) {
		t.Helper()
		old, err := db.Client.ConfigGet(ctx, k).Result()
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Client.ConfigSet(ctx, k, v).Err(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Client.ConfigSet(ctx, k, old[k]) })
	}

	tests := []struct {
		name          string
		policy, aof   string
		save          string
		ok            bool
		problem, warn string
	}{
		{"noeviction with AOF", "noeviction", "yes", "", true, "", ""},
		{"eviction is refused", "allkeys-lru", "yes", "", false, "maxmemory-policy is allkeys-lru", ""},
		{"no persistence warns", "noeviction", "no", "", true, "", "no persistence"},
		{"RDB only warns", "noeviction", "no", "3600 1", true, "", "AOF off"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set("maxmemory-policy", tt.policy)
			set("appendonly", tt.aof)
			set("save", tt.save)
			r, err := redischeck.Check(ctx, db.Client)
			if err != nil {
				t.Fatal(err)
			}
			if r.Version == "" {
				t.Error("no version reported")
			}
			if r.OK() != tt.ok {
				t.Errorf("OK() = %v, want %v (problems %v)", r.OK(), tt.ok, r.Problems)
			}
			if tt.problem != "" && !strings.Contains(strings.Join(r.Problems, "\n"), tt.problem) {
				t.Errorf("problems %v lack %q", r.Problems, tt.problem)
			}
			if tt.warn != "" && !strings.Contains(strings.Join(r.Warnings, "\n"), tt.warn) {
				t.Errorf("warnings %v lack %q", r.Warnings, tt.warn)
			}
		})
	}
}

// Memory: doctor warns when maxmemory is unset or 80% used, and not
// otherwise; the test raises and lowers maxmemory around what is used.
func TestMemoryWarnings(t *testing.T) {
	db := redistest.New(t)
	ctx := context.Background()
	old, err := db.Client.ConfigGet(ctx, "maxmemory").Result()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Client.ConfigSet(ctx, "maxmemory", old["maxmemory"]) })
	m, err := redischeck.ReadMemory(ctx, db.Client)
	if err != nil || m.Used <= 0 {
		t.Fatalf("ReadMemory: %+v, %v", m, err)
	}
	tests := []struct {
		name     string
		max      int64
		warnWith string
	}{
		{"unset", 0, "maxmemory is not set"},
		{"roomy", m.Used * 4, ""},
		{"nearly full", m.Used + m.Used/10, "% full"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := db.Client.ConfigSet(ctx, "maxmemory", strconv.FormatInt(tt.max, 10)).Err(); err != nil {
				t.Fatal(err)
			}
			r, err := redischeck.Check(ctx, db.Client)
			if err != nil {
				t.Fatal(err)
			}
			if r.Memory.Max != tt.max || r.Memory.Used <= 0 {
				t.Errorf("memory %+v, want max %d", r.Memory, tt.max)
			}
			var memWarn []string
			for _, w := range r.Warnings {
				if strings.HasPrefix(w, "maxmemory is") || strings.HasPrefix(w, "Redis memory is") {
					memWarn = append(memWarn, w)
				}
			}
			switch {
			case tt.warnWith == "" && len(memWarn) > 0:
				t.Errorf("warned %v", memWarn)
			case tt.warnWith != "" && (len(memWarn) != 1 || !strings.Contains(memWarn[0], tt.warnWith)):
				t.Errorf("warnings %v, want one with %q", memWarn, tt.warnWith)
			}
		})
	}
}

// Doctor recommends compact hashes for records: it warns while
// hash-max-listpack-value is Redis's default, not once it is raised.
func TestListpackWarning(t *testing.T) {
	db := redistest.New(t)
	ctx := context.Background()
	old := db.Client.ConfigGet(ctx, "hash-max-listpack-value").Val()["hash-max-listpack-value"]
	t.Cleanup(func() { db.Client.ConfigSet(ctx, "hash-max-listpack-value", old) })
	for _, tt := range []struct {
		value string
		warn  bool
	}{{"64", true}, {"1024", false}} {
		if err := db.Client.ConfigSet(ctx, "hash-max-listpack-value", tt.value).Err(); err != nil {
			t.Fatal(err)
		}
		r, err := redischeck.Check(ctx, db.Client)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(strings.Join(r.Warnings, "\n"), "hash-max-listpack-value"); got != tt.warn {
			t.Errorf("hash-max-listpack-value %s: warned %v, want %v (%v)", tt.value, got, tt.warn, r.Warnings)
		}
	}
}
