package cputime

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Infoer is the one call Redis needs of a client (*redis.Client and
// redis.UniversalClient have it).
type Infoer interface {
	Info(ctx context.Context, section ...string) *redis.StringCmd
}

// Redis is the CPU time (used_cpu_user plus used_cpu_sys of INFO cpu)
// the redis-server behind rdb has used.
func Redis(ctx context.Context, rdb Infoer) (time.Duration, error) {
	info, err := rdb.Info(ctx, "cpu").Result()
	if err != nil {
		return 0, err
	}
	return fromInfo(info), nil
}

// fromInfo sums used_cpu_user and used_cpu_sys (seconds) of an INFO
// answer; other lines, and values that are not numbers, count nothing.
func fromInfo(info string) time.Duration {
	var total float64
	for _, line := range strings.Split(info, "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), ":")
		if ok && (k == "used_cpu_user" || k == "used_cpu_sys") {
			f, _ := strconv.ParseFloat(v, 64)
			total += f
		}
	}
	return time.Duration(total * float64(time.Second))
}
