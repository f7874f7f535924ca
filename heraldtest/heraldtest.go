package heraldtest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/internal/redisserver"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/sandbox"
	"github.com/heraldhq/herald/publishers/sandbox/sandboxserver"
	"github.com/heraldhq/herald/tokens"
)

// Herald is Herald running in the test's process. Its fields are the
// parts a product app talks to, ready to use.
type Herald struct {
	// Client schedules, edits and cancels posts, as in production.
	Client *jobs.Client
	// Vault connects, disconnects and erases accounts. It is wired to
	// Client as cmd/herald wires it: a disconnect cancels the account's
	// posts.
	Vault *tokens.Vault
	// Keys is the Vault's keyring, a key generated for this Herald.
	Keys *tokens.Keyring
	// Sandbox is the sandbox platform the Worker publishes to: inject
	// faults with FailRef and FailNext, read its call log with Calls.
	Sandbox *sandboxserver.Server
	// Redis is the private redis-server's client (database 0), for
	// what the app reads itself, such as an events.Reader.
	Redis *redis.Client

	opts    options
	stops   []func() // last started first
	cancel  context.CancelFunc
	done    chan struct{} // closed when the Worker's Run returned, or at Close
	runErr  error         // Run's error, read after done
	closing sync.Once
	closed  error
}

// Start runs Herald for t and stops it when t ends (t.Cleanup): a
// private redis-server, the sandbox platform, a Vault with a generated
// key, a Client and a running Worker. It fails t when something does not
// start, redis-server missing from PATH included. The Worker's warnings
// and errors go to t's log.
func Start(t testing.TB, opts ...Option) *Herald {
	t.Helper()
	tl := &testLog{t: t}
	opts = append([]Option{Logger(slog.New(slog.NewTextHandler(tl, &slog.HandlerOptions{Level: slog.LevelWarn})))}, opts...)
	h, err := New(context.Background(), opts...)
	if err != nil {
		t.Fatalf("heraldtest: %v", err)
	}
	t.Cleanup(func() {
		if err := h.Close(); err != nil {
			t.Errorf("heraldtest: %v", err)
		}
		tl.stop()
	})
	return h
}

// New runs Herald as Start does, for code without a testing.TB (a
// TestMain sharing one Herald between tests, an Example). The caller
// must Close it.
func New(ctx context.Context, opts ...Option) (*Herald, error) {
	o := defaults()
	for _, opt := range opts {
		opt(&o)
	}
	if o.logger == nil {
		o.logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	h := &Herald{opts: o, done: make(chan struct{})}
	if err := h.start(ctx); err != nil {
		h.stop()
		return nil, err
	}
	return h, nil
}

// start starts the parts in order; stop undoes what started.
func (h *Herald) start(ctx context.Context) error {
	seen := map[string]bool{"sandbox": true}
	for _, p := range h.opts.platforms {
		if seen[p.Name] {
			return fmt.Errorf("platform %q given twice (the sandbox is built in)", p.Name)
		}
		seen[p.Name] = true
	}
	if err := h.startRedis(ctx); err != nil {
		return err
	}
	sb, err := sandboxserver.NewAt("127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("start the sandbox platform: %w", err)
	}
	h.Sandbox = sb
	h.stops = append(h.stops, sb.Close)
	ps := append([]publishers.Platform{sandbox.Platform(sb.URL(), nil)}, h.opts.platforms...)
	w, err := h.wire(ps)
	if err != nil {
		return err
	}
	if !h.opts.noWorker {
		h.run(w)
	}
	return nil
}

// startRedis starts the private redis-server: nothing on disk,
// noeviction as asynq needs.
func (h *Herald) startRedis(ctx context.Context) error {
	srv, err := redisserver.Start(ctx, redisserver.Options{Databases: 1})
	if err != nil {
		return err
	}
	h.stops = append(h.stops, srv.Stop)
	h.Redis = redis.NewClient(srv.Options(0))
	h.stops = append(h.stops, func() { h.Redis.Close() })
	return nil
}

// wire builds the Client, the Vault and the Worker over ps as
// cmd/herald does (newClient, newVault, workerConfig), with test
// timings instead of the configuration's.
func (h *Herald) wire(ps []publishers.Platform) (*jobs.Worker, error) {
	o := h.opts
	key, err := tokens.GenerateKey("heraldtest")
	if err != nil {
		return nil, err
	}
	if h.Keys, err = tokens.ParseKeyring(key); err != nil {
		return nil, err
	}
	h.Client = jobs.NewClient(h.Redis,
		jobs.WithMaxRetry(o.maxRetry), jobs.WithMaxLateness(o.maxLateness),
		jobs.WithPlatforms(publishers.Names(ps)...), jobs.WithCapabilities(publishers.CapabilitiesByName(ps)),
		jobs.WithClock(o.now))
	h.Vault = tokens.New(h.Redis, h.Keys, jobs.VaultHooks(h.Client, tokens.Options{
		Platforms: vaultPlatforms(ps), Now: o.now, Logger: o.logger,
	}))
	wc := jobs.WorkerConfig{
		Concurrency:              8,
		ShutdownTimeout:          2 * time.Second,
		DelayedTaskCheckInterval: 50 * time.Millisecond,
		Retry:                    o.retry,
		MaxLateness:              o.maxLateness,
		Publishers:               publishers.RegistryOf(ps),
		Tokens:                   h.Vault,
		Sealer:                   h.Keys,
		Logger:                   o.logger,
		Now:                      o.now,
	}
	for _, tweak := range o.worker {
		tweak(&wc)
	}
	return jobs.NewWorker(h.Redis, wc)
}

// vaultPlatforms is how the Vault refreshes and revokes each platform's
// tokens, from the platforms' descriptors as cmd/herald derives it
// (cmd/herald's vaultPlatforms lives in package main). The conversion
// compiles only while publishers.Tokens and tokens.Platform have the
// same fields, so the two cannot drift apart unnoticed.
func vaultPlatforms(ps []publishers.Platform) map[string]tokens.Platform {
	m := make(map[string]tokens.Platform, len(ps))
	for _, p := range ps {
		m[p.Name] = tokens.Platform(p.Tokens)
	}
	return m
}

// run runs w until Close.
func (h *Herald) run(w *jobs.Worker) {
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() {
		defer close(h.done)
		h.runErr = w.Run(ctx)
	}()
}

// Close stops the Worker (waiting for its running tasks), the sandbox
// and the redis-server, and returns the error that stopped the Worker
// early, if one did. Closing twice returns the first result.
func (h *Herald) Close() error {
	h.closing.Do(func() {
		if h.cancel != nil {
			h.cancel()
			<-h.done
		} else {
			close(h.done)
		}
		h.stop()
		if h.runErr != nil {
			h.closed = fmt.Errorf("worker: %w", h.runErr)
		}
	})
	return h.closed
}

func (h *Herald) stop() {
	for i := len(h.stops) - 1; i >= 0; i-- {
		h.stops[i]()
	}
	h.stops = nil
}

// testLog writes log lines to a test's log until the test is over:
// testing panics at a log call after the test has completed, and asynq
// may log from a goroutine that outlives its shutdown by an instant.
type testLog struct {
	mu   sync.Mutex
	t    testing.TB
	done bool
}

func (l *testLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.done {
		l.t.Log(string(trimNewline(p)))
	}
	return len(p), nil
}

func (l *testLog) stop() {
	l.mu.Lock()
	l.done = true
	l.mu.Unlock()
}

func trimNewline(p []byte) []byte {
	if n := len(p); n > 0 && p[n-1] == '\n' {
		return p[:n-1]
	}
	return p
}
