package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/internal/wait"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/tokens"
)

// noop is the in-process platform: it accepts every post at once, or
// after Latency, and calls OnCall first.
type noop struct {
	Latency time.Duration
	OnCall  func()
}

func (n *noop) Publish(ctx context.Context, req publishers.Request) (publishers.Result, error) {
	if n.OnCall != nil {
		n.OnCall()
	}
	if req.Token == nil || req.Token.AccessToken == "" {
		return publishers.Result{}, publishers.Permanent(errors.New("no token"))
	}
	if err := wait.Sleep(ctx, n.Latency); err != nil {
		return publishers.Result{}, publishers.Transient(err)
	}
	return publishers.Result{RemoteID: "r-" + req.PostID, URL: "https://sandbox.invalid/" + req.PostID}, nil
}

func (n *noop) Analytics(context.Context, publishers.AnalyticsRequest) (publishers.Analytics, error) {
	return publishers.Analytics{}, nil
}

func freshToken() *oauth2.Token {
	return &oauth2.Token{AccessToken: "bench-token", TokenType: "Bearer"}
}

// countdown closes Done when it has been hit n times.
type countdown struct {
	left atomic.Int64
	Done chan struct{}
	at   atomic.Int64 // unix nanos of the last hit
}

func newCountdown(n int) *countdown {
	c := &countdown{Done: make(chan struct{})}
	c.left.Store(int64(n))
	return c
}

func (c *countdown) hit() {
	if c.left.Add(-1) == 0 {
		c.at.Store(time.Now().UnixNano())
		close(c.Done)
	}
}

// wait waits for the countdown, ctx or a timeout.
func (c *countdown) wait(ctx context.Context, timeout time.Duration) error {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-c.Done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return fmt.Errorf("timed out after %s with %d to go", timeout, c.left.Load())
	}
}

// heraldWorker is a running jobs.Worker.
type heraldWorker struct {
	cancel context.CancelFunc
	done   chan error
}

// workerConfig is a worker as the benchmark runs it: pub is registered
// as "sandbox"; observe hears every outcome.
func workerConfig(log *slog.Logger, concurrency int, pub publishers.Publisher, vault *tokens.Vault, keys *tokens.Keyring, observe func(jobs.Outcome)) jobs.WorkerConfig {
	reg := publishers.NewRegistry()
	reg.Register("sandbox", pub)
	return jobs.WorkerConfig{
		Concurrency:              concurrency,
		ShutdownTimeout:          2 * time.Second,
		DelayedTaskCheckInterval: time.Second,
		Publishers:               reg,
		Tokens:                   vault,
		Sealer:                   keys,
		Logger:                   log,
		Observe:                  observe,
	}
}

func startHerald(rdb redis.UniversalClient, cfg jobs.WorkerConfig) (*heraldWorker, error) {
	w, err := jobs.NewWorker(rdb, cfg)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := &heraldWorker{cancel: cancel, done: make(chan error, 1)}
	go func() { h.done <- w.Run(ctx) }()
	return h, nil
}

func (h *heraldWorker) stop() error {
	h.cancel()
	return <-h.done
}

// bareServer is bare asynq: servers with one handler for publish tasks.
type bareServer struct{ srvs []*asynq.Server }

// startBare starts bare asynq serving queues (nil: Herald's four, with
// their weights) in one server, as asynq is run by default.
func startBare(rdb redis.UniversalClient, concurrency int, queues map[string]int, handle func(ctx context.Context, t *asynq.Task) error) (*bareServer, error) {
	return startBareLoops(rdb, concurrency, 1, queues, handle)
}

// startBareLoops is startBare with the concurrency split over loops
// servers as a Herald worker splits it over its dequeue loops.
func startBareLoops(rdb redis.UniversalClient, concurrency, loops int, queues map[string]int, handle func(ctx context.Context, t *asynq.Task) error) (*bareServer, error) {
	if queues == nil {
		queues = jobs.Queues()
	}
	mux := asynq.NewServeMux()
	mux.HandleFunc(jobs.TypePublish, handle)
	b := &bareServer{}
	for _, c := range jobs.SplitConcurrency(concurrency, loops) {
		srv := asynq.NewServerFromRedisClient(rdb, asynq.Config{
			Concurrency:              c,
			Queues:                   queues,
			DelayedTaskCheckInterval: time.Second,
			ShutdownTimeout:          2 * time.Second,
			LogLevel:                 asynq.WarnLevel,
		})
		if err := srv.Start(mux); err != nil {
			b.stop()
			return nil, err
		}
		b.srvs = append(b.srvs, srv)
	}
	return b, nil
}

func (b *bareServer) stop() {
	for _, s := range b.srvs {
		s.Shutdown()
	}
}
