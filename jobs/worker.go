package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"sync/atomic"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/analytics"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/webhook"
)

// WorkerConfig is what a Worker needs. Publishers and Tokens are required.
type WorkerConfig struct {
	// Concurrency is how many tasks run at once (default 50: publishing
	// mostly waits on platforms).
	Concurrency int
	// Queues maps each queue this worker serves to its weight (default
	// Queues(): all of them). A worker that does not serve QueueWebhooks
	// runs no webhook dispatcher: the process that delivers the
	// deliveries also reads the events stream and enqueues them.
	Queues map[string]int
	// ShutdownTimeout is how long Run waits for running tasks after its
	// context ends; asynq then puts the rest back in their queues, and
	// their checkpoints let the next attempt resume (default 25s).
	ShutdownTimeout time.Duration
	// DelayedTaskCheckInterval is how often due posts move to the queue
	// (default 1s; asynq's own default of 5s makes posts late).
	DelayedTaskCheckInterval time.Duration
	// Retry is the backoff of transient errors (default DefaultRetryPolicy).
	Retry RetryPolicy
	// MaxLateness is how late past its time a post may still go out when
	// it sets no not_after (default 24h).
	MaxLateness time.Duration
	Publishers  *publishers.Registry
	// Tokens is the token store (the Vault).
	Tokens Tokens
	// Sealer, if set, encrypts checkpoints at rest (the Vault's keyring).
	Sealer    Sealer
	Analytics analytics.Config
	Logger    *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Observe, if set, hears the outcome of every publish attempt.
	Observe func(Outcome)
	// EventsMaxLen caps the events stream (default events.DefaultMaxLen).
	EventsMaxLen int64
	// ObserveEvent, if set, hears the tenant and type of every event
	// appended.
	ObserveEvent func(tenant, typ string)
	// Webhooks, if it has endpoints and the worker serves QueueWebhooks,
	// makes the worker deliver every event to them (its Logger and Now
	// default to the worker's).
	Webhooks webhook.Config
	// MaxRetry is how often a publish task the reconciler enqueues again
	// is retried (default 12; give it the Client's WithMaxRetry).
	MaxRetry int
	// Reconcile tunes the reconciler, which settles posts whose task
	// asynq archived or lost (reconcile.go).
	Reconcile ReconcileConfig
	// Recover tunes the recoverer, which hands a dead worker's post to
	// another soon after its lock expired (recover.go).
	Recover RecoverConfig
	// Lookup paces the lookups of post ids a platform gives after
	// publishing (TikTok's, after moderation; lookup.go).
	Lookup LookupConfig
	// LookWindow bounds how long a disconnected account's token, kept
	// sealed for its revocation, may still serve the look-only attempts
	// of its canceled posts that the platform may have: the revocation
	// waits until they have settled, at most this long after the
	// disconnect (default DefaultLookWindow; disconnectlook.go).
	LookWindow time.Duration
	// Comment tunes the first comment step (comment.go).
	Comment CommentConfig
	// Dequeuers is how many dequeue loops share Concurrency (default
	// DefaultDequeuers). asynq takes tasks one round trip at a time in a
	// single loop per server, so one loop caps a worker's rate at the
	// inverse of a dequeue's latency whatever the concurrency; each loop
	// is an asynq server of its own (dequeuers.go).
	Dequeuers int
	// RecordRetention is how long a post's record outlives its end
	// (default DefaultRetention; give it the Client's WithRetention). The
	// attempt that ends a post sets the expiry in its own round trip.
	RecordRetention time.Duration
}

// Worker runs Herald's tasks from Redis.
type Worker struct {
	srvs   []*asynq.Server
	mux    *asynq.ServeMux
	health atomic.Pointer[error]
	// dispatch, if set, runs beside the server until Run's context ends.
	dispatch *webhook.Dispatcher
	// reconcile and recover, if set, run beside the server until Run's
	// context ends.
	reconcile *reconciler
	recover   *recoverer
}

// NewWorker returns a worker over rdb. Run starts it.
func NewWorker(rdb redis.UniversalClient, cfg WorkerConfig) (*Worker, error) {
	if cfg.Publishers == nil || cfg.Tokens == nil {
		return nil, errors.New("jobs: WorkerConfig needs Publishers and Tokens")
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 50
	}
	if cfg.Queues == nil {
		cfg.Queues = Queues()
	} else if err := CheckQueues(cfg.Queues); err != nil {
		return nil, fmt.Errorf("jobs: WorkerConfig.Queues: %w", err)
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = 25 * time.Second
	}
	if cfg.DelayedTaskCheckInterval <= 0 {
		cfg.DelayedTaskCheckInterval = time.Second
	}
	if cfg.Retry.Cap <= 0 {
		cfg.Retry = DefaultRetryPolicy
	}
	if cfg.MaxLateness <= 0 {
		cfg.MaxLateness = 24 * time.Hour
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxRetry <= 0 {
		cfg.MaxRetry = 12
	}
	if cfg.RecordRetention <= 0 {
		cfg.RecordRetention = DefaultRetention
	}
	if cfg.LookWindow <= 0 {
		cfg.LookWindow = DefaultLookWindow
	}
	w := &Worker{}
	c := NewClient(rdb, WithClock(cfg.Now), WithMaxRetry(cfg.MaxRetry), WithMaxLateness(cfg.MaxLateness),
		WithEventsMaxLen(cfg.EventsMaxLen), WithEventObserver(cfg.ObserveEvent), WithRetention(cfg.RecordRetention))
	if !cfg.Reconcile.Disabled {
		cfg.Reconcile.defaults()
		w.reconcile = &reconciler{c: c, cfg: cfg.Reconcile, log: cfg.Logger.With("component", "reconcile")}
	}
	st := newStore(rdb, cfg.Now, cfg.EventsMaxLen, cfg.ObserveEvent)
	st.retention = cfg.RecordRetention
	if !cfg.Recover.Disabled {
		cfg.Recover.defaults()
		st.trackAttempts = true
		w.recover = &recoverer{c: c, cfg: cfg.Recover, log: cfg.Logger.With("component", "recover")}
	}
	w.srvs = newServers(rdb, cfg.Dequeuers, cfg.Concurrency, asynq.Config{
		Queues:                   maps.Clone(cfg.Queues),
		RetryDelayFunc:           cfg.Retry.Delay,
		IsFailure:                IsFailure,
		ShutdownTimeout:          cfg.ShutdownTimeout,
		DelayedTaskCheckInterval: cfg.DelayedTaskCheckInterval,
		Logger:                   asynqLogger{cfg.Logger.With("component", "asynq")},
		LogLevel:                 asynq.WarnLevel,
		HealthCheckFunc: func(err error) {
			w.health.Store(&err)
		},
	})
	w.mux = asynq.NewServeMux()
	w.mux.Use(recoverPanics, logTasks(cfg.Logger))
	cfg.Lookup.defaults()
	cfg.Comment.defaults()
	lk := &lookups{q: c.q, cfg: cfg.Lookup, log: cfg.Logger}
	ph := &publishHandler{
		store: st, publishers: cfg.Publishers, tokens: cfg.Tokens, sealer: cfg.Sealer,
		maxLateness: cfg.MaxLateness, log: cfg.Logger, observe: cfg.Observe, lookups: lk,
		comments: &comments{q: c.q, cfg: cfg.Comment, log: cfg.Logger},
	}
	if w.reconcile != nil {
		w.reconcile.comments = ph.comments
	}
	w.mux.Handle(TypePublish, ph)
	w.mux.Handle(TypeLookup, &lookupHandler{pub: ph, lookups: lk})
	w.mux.Handle(TypeComment, &commentHandler{pub: ph, cfg: cfg.Comment})
	w.mux.Handle(TypeRemove, &removeHandler{pub: ph})
	ao := analytics.Options{Config: cfg.Analytics, Publishers: cfg.Publishers, Tokens: cfg.Tokens,
		Posts: publishedPosts{st}, Events: st.events, Now: cfg.Now}
	w.mux.Handle(TypeAnalyticsRefresh, analytics.NewRefreshHandler(rdb, ao))
	w.mux.Handle(TypeAnalyticsSweep, analytics.NewSweepHandler(rdb, ao))
	w.mux.Handle(TypeAccountRevoke, &revokeHandler{revoker: cfg.Tokens, looks: &lookHold{rdb: rdb, now: cfg.Now, window: cfg.LookWindow}})
	if _, delivers := cfg.Queues[QueueWebhooks]; delivers && len(cfg.Webhooks.Endpoints) > 0 {
		wh := cfg.Webhooks
		if wh.Logger == nil {
			wh.Logger = cfg.Logger.With("component", "webhooks")
		}
		if wh.Now == nil {
			wh.Now = cfg.Now
		}
		w.mux.Handle(TypeWebhookDeliver, webhook.NewDeliverer(rdb, wh))
		w.dispatch = webhook.NewDispatcher(rdb, wh)
	}
	return w, nil
}

// Run processes tasks until ctx ends, then shuts down gracefully: it stops
// taking tasks and waits up to ShutdownTimeout for running ones. It
// returns nil after a shutdown that ctx asked for, else the error that
// stopped the worker: starting failed, or the webhook dispatcher could
// not join its consumer groups when it started (it rides out a Redis
// outage after that), after which the worker shuts down as well, for its
// supervisor to restart the process.
func (w *Worker) Run(ctx context.Context) error {
	if err := startServers(w.srvs, w.mux); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	dctx, stopDispatch := context.WithCancel(ctx)
	defer stopDispatch()
	var dispatched chan error // nil, and never ready, without webhooks
	if w.dispatch != nil {
		dispatched = make(chan error, 1)
		go func() { dispatched <- w.dispatch.Run(dctx) }()
	}
	// The reconciler and the recoverer stop with the dispatcher.
	reconciled, recovered := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(reconciled)
		if w.reconcile != nil {
			w.reconcile.run(dctx)
		}
	}()
	go func() {
		defer close(recovered)
		if w.recover != nil {
			w.recover.run(dctx)
		}
	}()
	var err error
	select {
	case <-ctx.Done():
	case err = <-dispatched:
		dispatched = nil
		if err != nil {
			err = fmt.Errorf("webhook dispatcher: %w", err)
		}
	}
	stopDispatch()
	<-reconciled
	<-recovered
	shutdownServers(w.srvs)
	if dispatched != nil {
		if derr := <-dispatched; derr != nil {
			err = fmt.Errorf("webhook dispatcher: %w", derr)
		}
	}
	return err
}

// Healthy returns the last Redis health check's error: nil while the
// worker reaches Redis.
func (w *Worker) Healthy() error {
	if p := w.health.Load(); p != nil {
		return *p
	}
	return nil
}
