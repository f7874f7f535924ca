package main

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"net"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// tracer is a go-redis hook that counts round trips by what they do. It is
// attached to every client the benchmark hands to jobs, tokens and asynq,
// and counts only while enabled, so the rate figures run without it.
type tracer struct {
	on      atomic.Bool
	scripts sync.Map // sha1 -> script name, learnt from EVAL
	mu      sync.Mutex
	stats   map[string]*opStat
	dials   atomic.Int64
}

// opStat is what the tracer saw of one kind of round trip.
type opStat struct {
	Calls int64
	Total time.Duration // summed latency as the client saw it
}

func newTracer() *tracer { return &tracer{stats: map[string]*opStat{}} }

// start resets the counts and begins counting.
func (t *tracer) start() {
	t.mu.Lock()
	t.stats = map[string]*opStat{}
	t.mu.Unlock()
	t.dials.Store(0)
	t.on.Store(true)
}

// stop ends counting and returns what was counted.
func (t *tracer) stop() map[string]opStat {
	t.on.Store(false)
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make(map[string]opStat, len(t.stats))
	for k, v := range t.stats {
		out[k] = *v
	}
	return out
}

func (t *tracer) add(label string, d time.Duration) {
	t.mu.Lock()
	s := t.stats[label]
	if s == nil {
		s = &opStat{}
		t.stats[label] = s
	}
	s.Calls++
	s.Total += d
	t.mu.Unlock()
}

func (t *tracer) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if t.on.Load() {
			t.dials.Add(1)
		}
		return next(ctx, network, addr)
	}
}

func (t *tracer) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		t.learn(cmd)
		if !t.on.Load() {
			return next(ctx, cmd)
		}
		start := time.Now()
		err := next(ctx, cmd)
		t.add(t.label(cmd), time.Since(start))
		return err
	}
}

func (t *tracer) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		for _, c := range cmds {
			t.learn(c)
		}
		if !t.on.Load() {
			return next(ctx, cmds)
		}
		start := time.Now()
		err := next(ctx, cmds)
		names := make([]string, len(cmds))
		for i, c := range cmds {
			names[i] = t.label(c)
		}
		t.add("pipeline["+strings.Join(names, "; ")+"]", time.Since(start))
		return err
	}
}

// learn names the scripts it sees loaded: go-redis sends EVALSHA first
// and the script's source (EVAL) only when Redis does not know it yet,
// which on a fresh private server is the first call of each script.
func (t *tracer) learn(cmd redis.Cmder) {
	if cmd.Name() != "eval" {
		return
	}
	src, ok := cmd.Args()[1].(string)
	if !ok {
		return
	}
	sum := sha1.Sum([]byte(src))
	t.scripts.Store(hex.EncodeToString(sum[:]), scriptName(src))
}

// label says what a command is for: its name and the shape of its first
// key, and for a script the script's name.
func (t *tracer) label(cmd redis.Cmder) string {
	args := cmd.Args()
	name := cmd.Name()
	switch name {
	case "evalsha", "eval":
		script := "?"
		if name == "eval" {
			if src, ok := args[1].(string); ok {
				script = scriptName(src)
			}
		} else if sha, ok := args[1].(string); ok {
			if n, ok := t.scripts.Load(sha); ok {
				script = n.(string)
			} else {
				script = "script " + sha[:min(7, len(sha))]
			}
		}
		key := ""
		if len(args) > 3 {
			key, _ = args[3].(string)
		}
		return name + " " + script + " " + keyShape(key)
	}
	if len(args) > 1 {
		if k, ok := args[1].(string); ok {
			return name + " " + keyShape(k)
		}
	}
	return name
}

// scriptRules name the Lua scripts of jobs, tokens and asynq by a line
// only that script has. Order matters: the first match wins.
var scriptRules = []struct{ has, name string }{
	{"return redis.call('HMGET', KEYS[1], 'fp', 'state')", "jobs.create"},
	{"local n = tonumber(ARGV[1])", "jobs.transition"},
	{"'PEXPIRE'", "lock.renew"},
	{"then return redis.call('DEL', KEYS[1]) end", "lock.release"},
	{"local version = tonumber(redis.call('HGET', KEYS[1], 'version')", "tokens.connect"},
	{"'sealed', ARGV[4]", "tokens.storeRefreshed"},
	{"'reauth_required'", "tokens.markReauth"},
	{`RPOPLPUSH`, "asynq.dequeue"},
	{`"LIMIT", 0, 100)`, "asynq.forward"},
	{`"state", "scheduled"`, "asynq.schedule"},
	{`"state", "pending"`, "asynq.enqueue"},
	{`redis.call("LREM", KEYS[1], 0, ARGV[1])`, "asynq.done"},
	{`redis.call("SETEX", KEYS[1], ARGV[1], ARGV[2])`, "asynq.heartbeat"},
	{`local v = redis.call("HGET", key, "msg")`, "asynq.recoverer"},
	{`staleSetKeys`, "asynq.aggregation"},
}

func scriptName(src string) string {
	for _, r := range scriptRules {
		if strings.Contains(src, r.has) {
			return r.name
		}
	}
	sum := sha1.Sum([]byte(src))
	return "script " + hex.EncodeToString(sum[:])[:7]
}

var (
	postTag  = regexp.MustCompile(`\{post:[^}]*\}`)
	acctTag  = regexp.MustCompile(`\{acct:[^}]*\}`)
	taskKey  = regexp.MustCompile(`^(asynq:\{[^}]*\}:t:).*$`)
	dayKey   = regexp.MustCompile(`:\d{4}-\d{2}-\d{2}$`)
	instance = regexp.MustCompile(`^(asynq:(servers|workers)):.*$`)
)

// keyShape replaces the ids in a key by *, so keys of every post (or task,
// account, server) count as one.
func keyShape(k string) string {
	k = postTag.ReplaceAllString(k, "{post:*}")
	k = acctTag.ReplaceAllString(k, "{acct:*}")
	k = taskKey.ReplaceAllString(k, "${1}*")
	k = dayKey.ReplaceAllString(k, ":*")
	k = instance.ReplaceAllString(k, "${1}:*")
	return k
}

// opRow is one line of a round-trip breakdown.
type opRow struct {
	Label   string
	PerTask float64       // round trips per task
	Mean    time.Duration // mean latency of one
}

// perTask turns counts into per-task rows, most frequent first. Kinds
// rarer than one per hundred tasks (asynq's heartbeat, forwarder,
// recoverer, connection setup) are summed into one row.
func perTask(stats map[string]opStat, tasks int) []opRow {
	rows := make([]opRow, 0, len(stats))
	var rare opStat
	kinds := 0
	for label, s := range stats {
		if float64(s.Calls)/float64(tasks) < 0.01 {
			rare.Calls += s.Calls
			rare.Total += s.Total
			kinds++
			continue
		}
		rows = append(rows, opRow{Label: label, PerTask: float64(s.Calls) / float64(tasks), Mean: s.Total / time.Duration(max(s.Calls, 1))})
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].PerTask != rows[j].PerTask {
			return rows[i].PerTask > rows[j].PerTask
		}
		return rows[i].Label < rows[j].Label
	})
	if kinds > 0 {
		rows = append(rows, opRow{
			Label:   fmt.Sprintf("(%d kinds of background round trip: heartbeat, forwarder, recoverer, connection setup)", kinds),
			PerTask: float64(rare.Calls) / float64(tasks), Mean: rare.Total / time.Duration(max(rare.Calls, 1)),
		})
	}
	return rows
}
