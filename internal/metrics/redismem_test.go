package metrics_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/heraldhq/herald/internal/metrics"
)

func TestRedisMemoryCollectorReadsOnScrape(t *testing.T) {
	m := metrics.RedisMemory{Used: 800, Max: 1000}
	var fail error
	reg := prometheus.NewRegistry()
	reg.MustRegister(metrics.RedisMemoryCollector(func(context.Context) (metrics.RedisMemory, error) { return m, fail }))
	want := `
# HELP herald_redis_memory_max_bytes Redis's maxmemory (INFO maxmemory); 0 when unset, which doctor warns about.
# TYPE herald_redis_memory_max_bytes gauge
herald_redis_memory_max_bytes 1000
# HELP herald_redis_memory_scrape_error 1 if the last INFO memory failed, else 0.
# TYPE herald_redis_memory_scrape_error gauge
herald_redis_memory_scrape_error 0
# HELP herald_redis_memory_used_bytes Memory Redis uses (INFO used_memory).
# TYPE herald_redis_memory_used_bytes gauge
herald_redis_memory_used_bytes 800
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want)); err != nil {
		t.Error(err)
	}
	fail = errors.New("redis down")
	want = `
# HELP herald_redis_memory_scrape_error 1 if the last INFO memory failed, else 0.
# TYPE herald_redis_memory_scrape_error gauge
herald_redis_memory_scrape_error 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want)); err != nil {
		t.Error(err)
	}
}
