package heraldtest

import (
	"log/slog"
	"time"

	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
)

// Option tunes the Herald that Start or New runs.
type Option func(*options)

type options struct {
	now         func() time.Time
	maxLateness time.Duration
	retry       jobs.RetryPolicy
	maxRetry    int
	platforms   []publishers.Platform
	logger      *slog.Logger
	worker      []func(*jobs.WorkerConfig)
	within      time.Duration
	noWorker    bool
}

// Defaults: retries within tens of milliseconds and few of them, so a
// post that keeps failing reaches its end within a test's patience;
// production retries over hours (HERALD_RETRY_BASE, HERALD_RETRY_CAP,
// HERALD_RETRY_MAX).
func defaults() options {
	return options{
		now:         time.Now,
		maxLateness: 24 * time.Hour,
		retry:       jobs.RetryPolicy{Base: 10 * time.Millisecond, Cap: 100 * time.Millisecond},
		maxRetry:    3,
		within:      10 * time.Second,
	}
}

// Clock sets the clock the Client and the Vault read: a clock ahead of
// time makes tokens expired, one behind lets the Client take a post the
// Worker finds too late. The Worker decides whether a post is due or too
// late by Redis's clock (TIME), as in production, and asynq runs tasks by
// the real time, so a post due in an hour of real time waits an hour
// whatever the clock says: schedule posts for now.
func Clock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// MaxLateness sets how late past its time a post may still go out, on
// the Client (which refuses posts already later than that) and on the
// Worker (which fails them as too late). Default 24h, as in production.
func MaxLateness(d time.Duration) Option { return func(o *options) { o.maxLateness = d } }

// Retry sets the backoff of transient failures (default 10ms to 100ms).
func Retry(p jobs.RetryPolicy) Option { return func(o *options) { o.retry = p } }

// MaxRetry sets how often a publish is retried before the post fails
// (default 3; production's default is 12).
func MaxRetry(n int) Option { return func(o *options) { o.maxRetry = n } }

// Platform adds a platform beside the sandbox, such as
// youtube.Platform(...) pointed at a youtubetest fake: its publisher
// joins the Worker's registry and its token refresh and revoke join the
// Vault, as cmd/herald wires its platforms.
func Platform(p publishers.Platform) Option {
	return func(o *options) { o.platforms = append(o.platforms, p) }
}

// Logger sets the logger of the Worker and the Vault. Start's default
// writes warnings and errors to the test's log; New's discards them.
func Logger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// Worker changes the Worker's configuration after heraldtest filled it,
// for what no other option covers (webhook endpoints, concurrency,
// analytics, an Observe hook).
func Worker(tweak func(*jobs.WorkerConfig)) Option {
	return func(o *options) { o.worker = append(o.worker, tweak) }
}

// Within sets how long the Wait methods wait for a post before they
// give up (default 10s).
func Within(d time.Duration) Option { return func(o *options) { o.within = d } }

// NoWorker starts everything but the Worker, for a test of an app that
// runs Herald's worker in its own process with its own wiring: it calls
// jobs.NewWorker over h.Redis and publishes to h.Sandbox.URL(), and
// h.Client, h.Vault and the Wait methods work as with Herald's Worker.
func NoWorker() Option { return func(o *options) { o.noWorker = true } }
