package jobs_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/analytics"
	"github.com/heraldhq/herald/internal/eventually"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/tokens"
)

// BenchmarkAnalyticsSweep sweeps and refreshes b.N accounts against the
// zero-latency sandbox and reports accounts/s and the Redis memory each
// account costs beyond its token record (retained tasks, snapshot,
// history).
// Run: go test -run '^$' -bench AnalyticsSweep -benchtime 10000x ./jobs
func BenchmarkAnalyticsSweep(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	keys, _ := tokens.ParseKeyring("k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	v := tokens.New(e.rdb, keys, tokens.Options{Platforms: map[string]tokens.Platform{"sandbox": {}}})
	for i := range b.N {
		if err := v.Connect(ctx, tokens.Account{ID: fmt.Sprintf("a-%06d", i), Platform: "sandbox", Token: &oauth2.Token{AccessToken: "t"}}); err != nil {
			b.Fatal(err)
		}
	}
	before := usedMemory(b, e)
	// A one-minute interval whose window started long ago: every refresh
	// is due at once.
	e.startWorker(e.registry(nil), func(c *jobs.WorkerConfig) {
		c.Tokens, c.Concurrency = v, 50
		c.Analytics = analytics.Config{Interval: time.Minute}
	})
	b.ResetTimer()
	start := time.Now()
	if _, err := e.client.EnqueueSweep(ctx, time.Minute); err != nil {
		b.Fatal(err)
	}
	eventually.True(b, 10*time.Minute, func() bool {
		n, _ := e.rdb.Eval(ctx, `return #redis.call('KEYS', 'herald:{acct:*}:analytics')`, nil).Int()
		return n >= b.N
	}, "all %d accounts refreshed", b.N)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "accounts/s")
	b.ReportMetric(float64(usedMemory(b, e)-before)/float64(b.N), "redis-bytes/account")
}

func usedMemory(b *testing.B, e *env) int64 {
	info := e.rdb.Info(context.Background(), "memory").Val()
	for _, line := range strings.Split(info, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "used_memory:"); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	b.Fatal("no used_memory in INFO")
	return 0
}
