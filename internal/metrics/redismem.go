package metrics

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"
)

// RedisMemory is Redis's memory use (INFO memory).
type RedisMemory struct {
	Used int64 // used_memory
	Max  int64 // maxmemory; 0: unset
}

var (
	redisMemUsed = prometheus.NewDesc("herald_redis_memory_used_bytes",
		"Memory Redis uses (INFO used_memory).", nil, nil)
	redisMemMax = prometheus.NewDesc("herald_redis_memory_max_bytes",
		"Redis's maxmemory (INFO maxmemory); 0 when unset, which doctor warns about.", nil, nil)
	redisMemErr = prometheus.NewDesc("herald_redis_memory_scrape_error",
		"1 if the last INFO memory failed, else 0.", nil, nil)
)

// RedisMemoryCollector reports what read returns on every scrape. Redis
// holds every post with noeviction: when used reaches max, nothing can be
// scheduled, so deploy/alerts.yml warns at 80%. INFO is cheap; the
// monitor process alone collects it, as it does asynq's queue gauges.
func RedisMemoryCollector(read func(context.Context) (RedisMemory, error)) prometheus.Collector {
	return &funcCollector[RedisMemory]{
		read: func(ctx context.Context) ([]RedisMemory, error) {
			m, err := read(ctx)
			return []RedisMemory{m}, err
		},
		descs: []*prometheus.Desc{redisMemUsed, redisMemMax, redisMemErr},
		errs:  redisMemErr,
		emit: func(ch chan<- prometheus.Metric, m RedisMemory) {
			ch <- prometheus.MustNewConstMetric(redisMemUsed, prometheus.GaugeValue, float64(m.Used))
			ch <- prometheus.MustNewConstMetric(redisMemMax, prometheus.GaugeValue, float64(m.Max))
		},
	}
}
