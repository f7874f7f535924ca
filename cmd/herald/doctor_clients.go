package main

import (
	"bufio"
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/jobs"
)

// workerClientName is the name a worker's Redis connections carry (CLIENT
// SETNAME), so that doctor tells them from other processes' in CLIENT
// LIST.
const workerClientName = "herald-worker"

// clientsNearlyFull is the share of maxclients past which doctor warns
// that the workers' pools, filled, would leave Redis little room.
const clientsNearlyFull = 0.8

// redisClients is what Redis says of its connections.
type redisClients struct {
	// Max is maxclients; 0 when CONFIG GET was refused (MaxErr says why),
	// as managed Redis often does.
	Max    int
	MaxErr error
	// Connected is INFO clients' connected_clients, doctor's own included.
	Connected int
	// Workers is how many of them workers hold (named workerClientName);
	// -1 when CLIENT LIST was refused.
	Workers int
}

// readClients reads maxclients, connected_clients and the workers' share
// of them. Only an INFO that fails is an error: CONFIG and CLIENT LIST
// may be refused, and that leaves a number unknown.
func readClients(ctx context.Context, rdb redis.UniversalClient) (redisClients, error) {
	var c redisClients
	info, err := rdb.Info(ctx, "clients").Result()
	if err != nil {
		return c, fmt.Errorf("redis INFO clients: %w", err)
	}
	c.Connected, err = strconv.Atoi(infoField(info, "connected_clients"))
	if err != nil {
		return c, fmt.Errorf("redis INFO clients: no connected_clients")
	}
	switch v, err := rdb.ConfigGet(ctx, "maxclients").Result(); {
	case err != nil:
		c.MaxErr = err
	default:
		if c.Max, err = strconv.Atoi(v["maxclients"]); err != nil || c.Max <= 0 {
			c.Max, c.MaxErr = 0, fmt.Errorf("CONFIG GET maxclients answered %q", v["maxclients"])
		}
	}
	c.Workers = -1
	if list, err := rdb.ClientList(ctx).Result(); err == nil {
		c.Workers = strings.Count(list, " name="+workerClientName+" ")
	}
	return c, nil
}

// infoField is one field of an INFO answer, "" when absent.
func infoField(info, name string) string {
	sc := bufio.NewScanner(strings.NewReader(info))
	for sc.Scan() {
		if k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), ":"); ok && k == name {
			return v
		}
	}
	return ""
}

// workerConns is how many connections a live worker process may hold:
// its go-redis pool, sized as `herald worker` sizes it, and the
// cancelation subscriber each of its asynq servers keeps outside the
// pool. A pool opens connections only as they are needed, so an idle
// worker holds fewer; a busy one reaches this, and keeps its connections
// while they stay idle less than go-redis's 30 minutes.
func workerConns(w *worker) int {
	return jobs.PoolSize(w.Concurrency, w.Loops) + w.Loops
}

// doctorClients checks that Redis's maxclients leaves room for every live
// worker's full pool plus what other processes hold now. Past maxclients
// Redis refuses new connections ("max number of clients reached"), and a
// worker whose pool cannot grow fails its attempts and heartbeats.
func doctorClients(ctx context.Context, d *diagnosis, rdb redis.UniversalClient, live []*worker) {
	c, err := readClients(ctx, rdb)
	if err != nil {
		fmt.Fprintln(d.w, "redis clients: PROBLEM")
		d.problem("%v", err)
		return
	}
	judgeClients(d, c, live)
}

// judgeClients prints what c and the live workers add up to, and warns
// or reports a problem as the sum nears or passes maxclients.
func judgeClients(d *diagnosis, c redisClients, live []*worker) {
	need := 0
	for _, w := range live {
		need += workerConns(w)
	}
	// The workers' present connections are part of their need: counting
	// them as well would count them twice. Without CLIENT LIST, every
	// connection counts as another process's, which errs high.
	others, held := c.Connected, "CLIENT LIST refused: every connection counted as another process's"
	if c.Workers >= 0 {
		others = max(c.Connected-c.Workers, 0)
		held = fmt.Sprintf("%d of them workers'", c.Workers)
	}
	total := need + others
	maxText := "maxclients unknown"
	if c.Max > 0 {
		maxText = fmt.Sprintf("maxclients %d", c.Max)
	}
	fmt.Fprintf(d.w, "redis clients: %s, %d connected (%s); the %s may open %d (pool and asynq's subscribers)\n",
		maxText, c.Connected, held, plural(len(live), "live worker"), need)
	if c.Max == 0 {
		fmt.Fprintf(d.w, "  note: could not check maxclients (%v): keep it above %d, the live workers' pools and what other processes hold now\n", c.MaxErr, total)
		return
	}
	what := fmt.Sprintf("the live workers may open %d connections and other processes hold %d: %d is %.0f%% of maxclients %d",
		need, others, total, 100*float64(total)/float64(c.Max), c.Max)
	const fix = "raise Redis's maxclients, or lower HERALD_WORKER_CONCURRENCY or the number of workers"
	switch {
	case total > c.Max:
		d.problem("%s: past it Redis refuses connections and busy workers fail; %s", what, fix)
	case float64(total) > clientsNearlyFull*float64(c.Max):
		d.warn("%s: %s", what, fix)
	}
}
