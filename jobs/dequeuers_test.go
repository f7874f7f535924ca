package jobs_test

import (
	"context"
	"fmt"
	"maps"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldhq/herald/internal/eventually"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
)

// TestWorkerSplitsItsConcurrencyOverItsDequeueLoops: each dequeue loop
// is an asynq server of its own, and together they run exactly the
// worker's concurrency, never a server of none (asynq would read 0 as
// its default, the number of CPUs).
func TestWorkerSplitsItsConcurrencyOverItsDequeueLoops(t *testing.T) {
	for _, tc := range []struct {
		concurrency, dequeuers int
		want                   []int // each server's concurrency, sorted
	}{
		{concurrency: 5, dequeuers: 2, want: []int{2, 3}},
		{concurrency: 8, dequeuers: 4, want: []int{2, 2, 2, 2}},
		{concurrency: 1, dequeuers: 4, want: []int{1}},
		{concurrency: 3, dequeuers: 0, want: []int{1, 1, 1}}, // DefaultDequeuers (4), one a slot
		{concurrency: 50, dequeuers: 1, want: []int{50}},
	} {
		t.Run(fmt.Sprintf("%d over %d", tc.concurrency, tc.dequeuers), func(t *testing.T) {
			e := newEnv(t)
			e.startWorker(e.registry(nil), func(c *jobs.WorkerConfig) {
				c.Concurrency, c.Dequeuers = tc.concurrency, tc.dequeuers
			})
			var got []int
			eventually.True(t, 15*time.Second, func() bool {
				servers, err := e.insp.Servers()
				if err != nil {
					t.Fatal(err)
				}
				got = got[:0]
				for _, s := range servers {
					if !maps.Equal(s.Queues, jobs.Queues()) {
						t.Errorf("server %s serves %v, want the worker's queues %v", s.ID, s.Queues, jobs.Queues())
					}
					got = append(got, s.Concurrency)
				}
				slices.Sort(got)
				return slices.Equal(got, tc.want)
			}, "servers of concurrency %v (last: %v)", tc.want, got)
		})
	}
}

// gatedPublisher holds every Publish until n are in flight at once.
type gatedPublisher struct {
	publishers.Publisher
	n, in atomic.Int32
	full  chan struct{}
}

func (g *gatedPublisher) Publish(ctx context.Context, req publishers.Request) (publishers.Result, error) {
	if g.in.Add(1) == g.n.Load() {
		close(g.full)
	}
	select {
	case <-g.full:
	case <-ctx.Done():
		return publishers.Result{}, publishers.Transient(ctx.Err())
	}
	return g.Publisher.Publish(ctx, req)
}

// TestWorkerRunsItsWholeConcurrencyAcrossLoops: every loop takes tasks,
// so a worker of concurrency 6 in three loops has six posts at the
// platform at once, and publishes them all.
func TestWorkerRunsItsWholeConcurrencyAcrossLoops(t *testing.T) {
	e := newEnv(t)
	g := &gatedPublisher{full: make(chan struct{})}
	g.n.Store(6)
	reg := e.registry(func(p publishers.Publisher) publishers.Publisher { g.Publisher = p; return g })
	now := time.Now()
	for i := range 6 {
		e.schedule(e.post(fmt.Sprintf("p-%d", i), now))
	}
	e.startWorker(reg, func(c *jobs.WorkerConfig) { c.Concurrency, c.Dequeuers = 6, 3 })
	for i := range 6 {
		e.waitState(fmt.Sprintf("p-%d", i), jobs.StatePublished, 20*time.Second)
	}
}

// TestPoolSizeGrowsWithConcurrency: a worker's pool is never below
// go-redis's default and grows with its slots and loops.
func TestPoolSizeGrowsWithConcurrency(t *testing.T) {
	def := 10 * runtime.GOMAXPROCS(0)
	for _, tc := range []struct{ concurrency, dequeuers, want int }{
		{1, 4, def},
		{50, 0, max(def, 50/4+2*4+8)},
		{1000, 4, max(def, 250+8+8)},
		{1000, 1, max(def, 250+2+8)},
		{10000, 64, max(def, 2500+128+8)},
	} {
		if got := jobs.PoolSize(tc.concurrency, tc.dequeuers); got != tc.want {
			t.Errorf("PoolSize(%d, %d) = %d, want %d", tc.concurrency, tc.dequeuers, got, tc.want)
		}
	}
}
