// Package redischeck tells whether a Redis server is fit to hold Herald's
// queue: asynq loses jobs when Redis evicts keys, a Redis that persists
// nothing loses every scheduled post when it restarts, and a Redis older
// than MinVersion lacks commands Herald uses.
package redischeck

import (
	"bufio"
	"context"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"
)

// Report is what Check found.
type Report struct {
	Version         string
	Mode            string // standalone, sentinel or cluster (as INFO says)
	MaxMemoryPolicy string
	AOF             bool
	RDB             bool // RDB snapshots configured (save rules)
	Memory          Memory
	// Problems make Redis unfit: a worker refuses to start.
	Problems []string
	// Warnings are risks an operator should know about.
	Warnings []string
}

// OK reports whether Redis is fit to run Herald.
func (r Report) OK() bool { return len(r.Problems) == 0 }

// Check inspects the server behind rdb. On a cluster it inspects the node
// the client picks for INFO; every node should be configured alike.
func Check(ctx context.Context, rdb redis.UniversalClient) (Report, error) {
	return check(ctx, rdb, MinVersion)
}

// check is Check with the oldest version allowed as a parameter, so a
// test can hold a real server to a version it does not reach.
func check(ctx context.Context, rdb redis.UniversalClient, minVersion string) (Report, error) {
	var r Report
	info, err := rdb.Info(ctx, "server", "memory", "persistence").Result()
	if err != nil {
		return r, fmt.Errorf("redis INFO: %w", err)
	}
	fields := parseInfo(info)
	r.Version = fields["redis_version"]
	if p, w := versionFindings(r.Version, minVersion); p != "" {
		r.Problems = append(r.Problems, p)
	} else if w != "" {
		r.Warnings = append(r.Warnings, w)
	}
	r.Mode = fields["redis_mode"]
	r.MaxMemoryPolicy = fields["maxmemory_policy"]
	r.AOF = fields["aof_enabled"] == "1"
	if m, err := memoryOf(fields); err == nil {
		r.Memory = m
		r.Warnings = append(r.Warnings, memoryWarnings(m)...)
	}
	r.Warnings = append(r.Warnings, listpackWarnings(ctx, rdb)...)
	// INFO has no "save rules" field; CONFIG GET may be disabled on
	// managed Redis, in which case RDB is reported unknown (false) and
	// only warned about.
	if save, err := rdb.ConfigGet(ctx, "save").Result(); err == nil {
		r.RDB = strings.TrimSpace(save["save"]) != ""
	}
	if r.MaxMemoryPolicy == "" {
		if pol, err := rdb.ConfigGet(ctx, "maxmemory-policy").Result(); err == nil {
			r.MaxMemoryPolicy = pol["maxmemory-policy"]
		}
	}
	switch r.MaxMemoryPolicy {
	case "noeviction":
	case "":
		r.Warnings = append(r.Warnings, "maxmemory-policy unknown (INFO and CONFIG GET did not say): it must be noeviction")
	default:
		r.Problems = append(r.Problems, fmt.Sprintf("maxmemory-policy is %s: Redis may evict queued posts; set it to noeviction", r.MaxMemoryPolicy))
	}
	if !r.AOF && !r.RDB {
		r.Warnings = append(r.Warnings, "no persistence (AOF off, no RDB save rules): scheduled posts are lost when Redis restarts; turn on appendonly yes")
	} else if !r.AOF {
		r.Warnings = append(r.Warnings, "AOF off: posts scheduled since the last RDB snapshot are lost when Redis restarts; turn on appendonly yes")
	}
	return r, nil
}

func parseInfo(s string) map[string]string {
	m := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if k, v, ok := strings.Cut(line, ":"); ok {
			m[k] = v
		}
	}
	return m
}
