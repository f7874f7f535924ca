package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/config"
	"github.com/heraldhq/herald/internal/cputime"
	"github.com/heraldhq/herald/internal/redisserver"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/tokens"
)

// env is one benchmark run's world: a private redis-server, the token
// keyring, the tracer, and what earlier figures learnt.
type env struct {
	srv     *redisserver.Server
	url     string // HERALD_REDIS_URL of database 0
	keySpec string // HERALD_TOKEN_KEYS of a throwaway key
	keys    *tokens.Keyring
	tracer  *tracer
	quick   bool
	log     *slog.Logger

	// heraldEnqueueRate is figure 1's SchedulePost rate, used to size the
	// lead time of the scheduled burst (0 until measured).
	heraldEnqueueRate float64
	// heraldDrainRate and bareDrainRate are figure 2b's rates (CPUs
	// shared, as the later figures run), used to size figure 3's queue (0 until measured).
	heraldDrainRate, bareDrainRate float64
}

func newEnv(ctx context.Context, quick bool) (*env, error) {
	// AOF off (the redisserver default): the figures measure Herald and
	// asynq, not the disk.
	srv, err := redisserver.Start(ctx, redisserver.Options{})
	if err != nil {
		return nil, err
	}
	spec, err := tokens.GenerateKey("bench")
	if err != nil {
		srv.Stop()
		return nil, err
	}
	keys, err := tokens.ParseKeyring(spec)
	if err != nil {
		srv.Stop()
		return nil, err
	}
	return &env{
		srv: srv, url: srv.URL(0), keySpec: spec, keys: keys, tracer: newTracer(), quick: quick,
		log: discardLogger(),
	}, nil
}

func (e *env) close() { e.srv.Stop() }

// client returns a new Redis client as Herald's processes make them
// (config.ParseRedisURL, default pool), with the tracer attached.
func (e *env) client() (redis.UniversalClient, error) {
	return newClient(e.url, e.tracer)
}

func newClient(url string, t *tracer) (redis.UniversalClient, error) {
	return newPoolClient(url, t, 0)
}

// newPoolClient is newClient with a pool of size connections (0: the
// default, 10 per GOMAXPROCS).
func newPoolClient(url string, t *tracer, size int) (redis.UniversalClient, error) {
	r, err := config.ParseRedisURL(url)
	if err != nil {
		return nil, err
	}
	o := r.UniversalOptions()
	o.PoolSize = size
	c := redis.NewUniversalClient(o)
	if t != nil {
		c.AddHook(t)
	}
	return c, nil
}

// fresh empties Redis, so each side of a figure starts from nothing.
// Scripts stay loaded (FLUSHALL keeps them), as in a long-lived Redis.
func (e *env) fresh(ctx context.Context) error {
	c, err := newClient(e.url, nil)
	if err != nil {
		return err
	}
	defer c.Close()
	return c.FlushAll(ctx).Err()
}

// poolSize is the pool go-redis makes for size.
func poolSize(size int) int {
	if size > 0 {
		return size
	}
	return 10 * runtime.GOMAXPROCS(0)
}

// redisCPU returns the CPU time redis-server has used, 0 if it does
// not answer.
func redisCPU(ctx context.Context, rdb redis.UniversalClient) time.Duration {
	d, _ := cputime.Redis(ctx, rdb)
	return d
}

// cpuMeter measures the CPU both processes spend over a stretch.
type cpuMeter struct {
	rdb        redis.UniversalClient
	go0, rdis0 time.Duration
}

func startCPU(ctx context.Context, rdb redis.UniversalClient) *cpuMeter {
	return &cpuMeter{rdb: rdb, go0: cputime.Process(), rdis0: redisCPU(ctx, rdb)}
}

// stop returns the CPU used by this process and by redis-server.
func (m *cpuMeter) stop(ctx context.Context) (goCPU, redisCPUTime time.Duration) {
	return cputime.Process() - m.go0, redisCPU(ctx, m.rdb) - m.rdis0
}

// post is the i-th post of a figure: tweet-sized text, accounts taken in
// turn.
func post(prefix string, i int, account string, at time.Time) jobs.Post {
	return jobs.Post{
		ID:        fmt.Sprintf("%s-%d", prefix, i),
		AccountID: account,
		Platform:  "sandbox",
		PublishAt: at,
		Content: publishers.Content{
			Title: "Benchmark post",
			Text:  "Herald benchmark post number " + strconv.Itoa(i) + ". " + strings.Repeat("Lorem ipsum dolor sit amet. ", 8),
		},
	}
}

// payload is the task payload jobs.Client enqueues for p, byte for byte
// (its format is {"v":1,"post":...}), so the bare asynq baselines carry
// the same bytes.
func payload(p jobs.Post) []byte {
	b, err := json.Marshal(struct {
		V    int       `json:"v"`
		Post jobs.Post `json:"post"`
	}{1, p})
	if err != nil {
		panic(err)
	}
	return b
}

// bareEnqueue enqueues p's task with the same options as jobs.Client, but
// without Herald's record, index and event.
func bareEnqueue(ctx context.Context, q *asynq.Client, p jobs.Post) error {
	_, err := q.EnqueueContext(ctx, asynq.NewTask(jobs.TypePublish, payload(p)),
		asynq.TaskID("publish:"+p.ID),
		asynq.Queue(jobs.QueuePublish),
		asynq.ProcessAt(p.PublishAt),
		asynq.MaxRetry(12),
		asynq.Timeout(30*time.Minute),
	)
	return err
}

// accounts returns n account ids.
func accounts(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = "acct-" + strconv.Itoa(i)
	}
	return ids
}

// newVault returns a Vault over rdb with the sandbox platform, as the
// worker makes it.
func (e *env) newVault(rdb redis.UniversalClient, sandbox tokens.Platform) *tokens.Vault {
	return tokens.New(rdb, e.keys, tokens.Options{
		Platforms: map[string]tokens.Platform{"sandbox": sandbox},
		Logger:    e.log,
	})
}

// connectFresh connects accounts with a token that never expires.
func connectFresh(ctx context.Context, v *tokens.Vault, ids []string) error {
	for _, id := range ids {
		err := v.Connect(ctx, tokens.Account{ID: id, Platform: "sandbox", PlatformUserID: "u-" + id,
			Token: freshToken()})
		if err != nil {
			return err
		}
	}
	return nil
}

// parallel runs fn(0..n-1) on workers goroutines and returns how long it
// took; it stops at the first error.
func parallel(ctx context.Context, n, workers int, fn func(ctx context.Context, i int) error) (time.Duration, error) {
	var next atomic.Int64
	errs := make(chan error, workers)
	start := time.Now()
	for range workers {
		go func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					errs <- ctx.Err()
					return
				}
				if err := fn(ctx, i); err != nil {
					next.Store(int64(n))
					errs <- err
					return
				}
			}
		}()
	}
	var first error
	for range workers {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return time.Since(start), first
}

// schedule makes n due-or-future Herald posts through jobs.Client with 20
// producers (setup, not measured).
func schedule(ctx context.Context, c *jobs.Client, n int, mk func(i int) jobs.Post) error {
	_, err := parallel(ctx, n, 20, func(ctx context.Context, i int) error {
		_, err := c.SchedulePost(ctx, mk(i))
		return err
	})
	return err
}

// enqueueBare makes the same posts' tasks with bare asynq (setup).
func enqueueBare(ctx context.Context, rdb redis.UniversalClient, n int, mk func(i int) jobs.Post) error {
	q := asynq.NewClientFromRedisClient(rdb)
	_, err := parallel(ctx, n, 20, func(ctx context.Context, i int) error {
		return bareEnqueue(ctx, q, mk(i))
	})
	return err
}
