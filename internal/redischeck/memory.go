package redischeck

import (
	"context"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"
)

// Memory is Redis's memory use, as INFO memory says.
type Memory struct {
	Used int64 // used_memory, bytes
	Max  int64 // maxmemory, bytes; 0: no limit
}

// NearlyFull is the share of maxmemory past which Redis counts as nearly
// full: doctor warns, and deploy/alerts.yml's HeraldRedisMemoryHigh fires.
const NearlyFull = 0.8

// ReadMemory reads INFO memory. It is cheap (no key is touched): the
// monitor calls it on every scrape.
func ReadMemory(ctx context.Context, rdb redis.UniversalClient) (Memory, error) {
	info, err := rdb.Info(ctx, "memory").Result()
	if err != nil {
		return Memory{}, fmt.Errorf("redis INFO memory: %w", err)
	}
	return memoryOf(parseInfo(info))
}

func memoryOf(fields map[string]string) (Memory, error) {
	used, err := strconv.ParseInt(fields["used_memory"], 10, 64)
	if err != nil {
		return Memory{}, fmt.Errorf("redis INFO memory: no used_memory")
	}
	max, _ := strconv.ParseInt(fields["maxmemory"], 10, 64)
	return Memory{Used: used, Max: max}, nil
}

// memoryWarnings are doctor's words on m. Without maxmemory Redis grows
// until the machine runs out and the kernel kills it (or swaps); with it,
// a full Redis refuses every write under noeviction, so nothing can be
// scheduled: both need an operator before they happen.
func memoryWarnings(m Memory) []string {
	switch {
	case m.Max == 0:
		return []string{"maxmemory is not set: Redis grows until the machine runs out of memory; set maxmemory (README: Production, Redis memory) and watch herald_redis_memory_used_bytes"}
	case float64(m.Used) >= NearlyFull*float64(m.Max):
		return []string{fmt.Sprintf("Redis memory is %.0f%% full (%s of %s): when it is full nothing can be scheduled; raise maxmemory or shorten HERALD_RECORD_RETENTION",
			100*float64(m.Used)/float64(m.Max), bytesText(m.Used), bytesText(m.Max))}
	}
	return nil
}

func bytesText(n int64) string {
	const mib = 1 << 20
	if n >= 10*mib {
		return strconv.FormatInt(n/mib, 10) + " MiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}

// CompactHashValue is the hash-max-listpack-value Herald recommends. A
// post's record is a hash whose post field (the post as JSON) is longer
// than Redis's default limit of 64 bytes, which turns the whole hash
// into a hashtable at about twice the memory; up to this limit it stays a
// compact listpack (BENCHMARKS.md, figure 8).
const CompactHashValue = 1024

// listpackWarnings reads hash-max-listpack-value (hash-max-ziplist-value
// before Redis 7). CONFIG GET may be disabled on managed Redis: then
// nothing is said.
func listpackWarnings(ctx context.Context, rdb redis.UniversalClient) []string {
	for _, name := range []string{"hash-max-listpack-value", "hash-max-ziplist-value"} {
		v, err := rdb.ConfigGet(ctx, name).Result()
		if err != nil || v[name] == "" {
			continue
		}
		n, err := strconv.Atoi(v[name])
		if err != nil || n >= CompactHashValue/2 {
			return nil
		}
		return []string{fmt.Sprintf("%s is %d: each post's record takes about twice the memory it needs; set it to %d (README: Production, Redis memory)", name, n, CompactHashValue)}
	}
	return nil
}
