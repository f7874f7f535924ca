package jobs

import (
	"runtime"
	"sync"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// DefaultDequeuers is how many dequeue loops a worker runs by default.
const DefaultDequeuers = 4

// newServers returns n asynq servers over rdb sharing concurrency, each
// with cfg otherwise. An asynq server dequeues in one loop, a round trip
// per queue it tries per task, so its rate is bounded by that loop's
// latency, not by the CPU or the concurrency; several servers run several
// loops against the same queues. Each server heartbeats on its own and
// asynq's forwarder, recoverer and janitor run in each: their scripts
// are atomic, so running them twice costs a round trip, nothing more.
func newServers(rdb redis.UniversalClient, n, concurrency int, cfg asynq.Config) []*asynq.Server {
	split := SplitConcurrency(concurrency, n)
	srvs := make([]*asynq.Server, len(split))
	for i, c := range split {
		cfg.Concurrency = c
		srvs[i] = asynq.NewServerFromRedisClient(rdb, cfg)
	}
	return srvs
}

// SplitConcurrency is the concurrency of each of a worker's dequeue loops:
// dequeuers of them (DefaultDequeuers when 0 or less), at most one a
// slot, adding up to concurrency. A loop of none would not do: asynq
// reads a concurrency of 0 as the number of CPUs.
func SplitConcurrency(concurrency, dequeuers int) []int {
	if dequeuers <= 0 {
		dequeuers = DefaultDequeuers
	}
	n := max(min(dequeuers, concurrency), 1)
	split := make([]int, n)
	for i := range split {
		// The first loops take the remainder: the sum is exact.
		split[i] = concurrency / n
		if i < concurrency%n {
			split[i]++
		}
	}
	return split
}

// startServers starts every server on mux, or none: a server that fails
// to start stops those started before it.
func startServers(srvs []*asynq.Server, mux *asynq.ServeMux) error {
	for i, s := range srvs {
		if err := s.Start(mux); err != nil {
			shutdownServers(srvs[:i])
			return err
		}
	}
	return nil
}

// shutdownServers shuts the servers down at once, so that the shutdown
// takes one ShutdownTimeout, not one per server.
func shutdownServers(srvs []*asynq.Server) {
	var wg sync.WaitGroup
	for _, s := range srvs {
		wg.Go(s.Shutdown)
	}
	wg.Wait()
}

// PoolSize is the go-redis pool a worker of this concurrency and these
// dequeue loops (0: DefaultDequeuers) needs so that its loops and
// attempts seldom wait for a connection: a connection per four slots
// (an attempt holds one only for its begin and finish round trips), two
// per loop (its dequeue and its done), and eight for asynq's and
// Herald's background work; never fewer than go-redis's default, 10 per
// GOMAXPROCS. Connections open as they are needed, so a large pool
// costs nothing while the worker is idle. At concurrency 1000 on the
// benchmark machine, a pool of 250 instead of the default 20 cut the
// time attempts waited for a connection from 96 s to 7 s over a run
// and raised figure 3's rate by a quarter (BENCHMARKS.md).
func PoolSize(concurrency, dequeuers int) int {
	loops := len(SplitConcurrency(max(concurrency, 1), dequeuers))
	return max(10*runtime.GOMAXPROCS(0), concurrency/4+2*loops+8)
}
