package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/errgroup"

	"github.com/heraldhq/herald/config"
	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/internal/metrics"
	"github.com/heraldhq/herald/internal/monitor"
	"github.com/heraldhq/herald/internal/redisserver"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/sandbox/sandboxserver"
	"github.com/heraldhq/herald/tenant"
	"github.com/heraldhq/herald/tokens"
	"github.com/heraldhq/herald/webhook"
)

// demoPost is one post of the demo and what the sandbox will do to it.
type demoPost struct {
	name  string
	in    time.Duration
	text  string
	media []publishers.Media
	fault *sandboxserver.Fault
	times int // how many calls the fault hits; <0 forever
	// cancel: the post is canceled right after it is scheduled.
	cancel bool
	// comment is the post's first comment; group its group.
	comment, group string
}

// demoGroup is the group of the demo's campaign posts.
const demoGroup = "launch"

func demoPosts(sandboxURL string) []demoPost {
	return []demoPost{
		{name: "hello", in: 3 * time.Second, text: "Hello from Herald!", group: demoGroup, comment: "#herald #demo https://github.com/heraldhq/herald"},
		{name: "photo", in: 6 * time.Second, text: "A picture", media: []publishers.Media{{URL: sandboxURL + "/media/sunset.jpg", Kind: publishers.MediaImage}}, group: demoGroup},
		{name: "flaky", in: 9 * time.Second, text: "The platform fails twice, then takes it", fault: &sandboxserver.Fault{Status: 503}, times: 2},
		{name: "throttled", in: 12 * time.Second, text: "The platform says: slow down for 3s", fault: &sandboxserver.Fault{Status: 429, RetryAfter: 3 * time.Second}, times: 1},
		{name: "rejected", in: 15 * time.Second, text: "The platform refuses this one for good", fault: &sandboxserver.Fault{Status: 422, Message: "image must be at least 320px wide"}, times: -1},
		{name: "canceled", in: 20 * time.Second, text: "Canceled before its time", cancel: true},
	}
}

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flags("demo", stderr)
	runFor := fs.Duration("for", 0, "stop after this long (default: run until Ctrl-C)")
	untilDone := fs.Bool("until-done", false, "stop once every demo post has reached its end")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	if *runFor > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *runFor)
		defer cancel()
	}
	d := &demo{out: &journal{w: stdout, start: time.Now()}, run: time.Now().Format("150405"), untilDone: *untilDone, commented: map[string]bool{}}
	defer d.close()
	if err := d.startRedis(ctx, cfg, stderr); err != nil {
		return err
	}
	if d.sb, err = sandboxserver.NewAt("127.0.0.1:0"); err != nil {
		return fmt.Errorf("start sandbox platform: %w", err)
	}
	d.out.say("sandbox platform at %s", d.sb.URL())
	worker, err := d.newWorker(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	if err := d.connectThroughConsent(ctx, d.ps, d.keys); err != nil {
		return err
	}
	err = d.serve(ctx, cfg, worker)
	if d.hook != nil {
		d.out.say("webhook receiver got %s", d.hook.summary())
	}
	d.out.say("stopped")
	return err
}

// demo is one run of `herald demo`: what it started, and what it
// stops on close, last started first.
type demo struct {
	out       *journal
	run       string // tells this run's post ids from an earlier run's
	untilDone bool
	stops     []func()
	// commented are the posts with a first comment, which end with it.
	commented map[string]bool

	rc       config.Redis
	rdb      redis.UniversalClient
	sb       *sandboxserver.Server
	tel      *telemetry
	client   *jobs.Client
	vault    *tokens.Vault
	keys     *tokens.Keyring       // the Vault's, for the connect flow
	ps       []publishers.Platform // the platforms the worker knows
	hook     *demoHook             // nil when HERALD_WEBHOOKS names real receivers
	hookFrom string                // the last event before the receiver joined
}

func (d *demo) close() {
	if d.sb != nil {
		d.sb.Close()
	}
	for i := len(d.stops) - 1; i >= 0; i-- {
		d.stops[i]()
	}
}

// startRedis connects to the configured Redis, or starts a private
// redis-server when none is configured.
func (d *demo) startRedis(ctx context.Context, cfg config.Config, stderr io.Writer) error {
	d.rc = cfg.Redis
	checkLog := slog.New(slog.NewTextHandler(stderr, nil))
	if !cfg.IsSet("HERALD_REDIS_URL") {
		srv, err := redisserver.Start(ctx, redisserver.Options{})
		if err != nil {
			return fmt.Errorf("demo needs Redis: %w (or point HERALD_REDIS_URL at one)", err)
		}
		d.stops = append(d.stops, func() { srv.Stop() })
		if d.rc, err = config.ParseRedisURL(srv.URL(0)); err != nil {
			return err
		}
		d.out.say("started a private redis-server (%s)", srv.Socket)
		// It persists nothing on purpose: no need to warn about it.
		checkLog = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	}
	d.rdb = d.rc.NewClient()
	d.stops = append(d.stops, func() { d.rdb.Close() })
	return checkRedis(ctx, d.rdb, checkLog)
}

// newWorker wires the demo's worker as `herald worker` does, with the
// sandbox as a platform, retries within seconds (so the journey fits on
// a screen; production uses HERALD_RETRY_BASE and HERALD_RETRY_CAP), and
// a webhook receiver of its own.
func (d *demo) newWorker(ctx context.Context, cfg config.Config, stderr io.Writer) (*jobs.Worker, error) {
	log := newLogger(stderr, "text", slog.LevelError)
	cfg.MediaAllowPrivate = true // the demo's media live on the local sandbox
	cfg.SandboxURL = d.sb.URL()
	if cfg.TokenKeys == "" {
		// A key for this run only: the private Redis dies with it.
		k, err := tokens.GenerateKey("demo")
		if err != nil {
			return nil, err
		}
		cfg.TokenKeys = k
	}
	d.tel = newTelemetry()
	ps, err := platforms(cfg, d.rdb, d.tel)
	if err != nil {
		return nil, err
	}
	wc := workerConfig(cfg, ps, log, d.tel)
	wc.Retry = jobs.RetryPolicy{Base: time.Second, Cap: 4 * time.Second}
	wc.ShutdownTimeout = 3 * time.Second
	d.client = newClient(cfg, d.rdb, ps, d.tel.eventObserver())
	vault, keys, err := newVault(cfg, d.rdb, ps, d.client, log, d.tel)
	if err != nil {
		return nil, err
	}
	d.vault, d.keys, d.ps = vault, keys, ps
	wc.Tokens, wc.Sealer = vault, keys
	if len(wc.Webhooks.Endpoints) == 0 {
		ep, err := d.startHook(ctx)
		if err != nil {
			return nil, err
		}
		wc.Webhooks.Endpoints = []webhook.Endpoint{ep}
	}
	return jobs.NewWorker(d.rdb, wc)
}

// startHook starts the product app's webhook receiver and joins the
// delivery group now, so the events of the posts scheduled later are all
// delivered.
func (d *demo) startHook(ctx context.Context) (webhook.Endpoint, error) {
	hook, err := startDemoHook()
	if err != nil {
		return webhook.Endpoint{}, err
	}
	d.hook = hook
	d.stops = append(d.stops, hook.close)
	if d.hookFrom, err = lastEventID(ctx, d.rdb, events.Stream); err != nil {
		return webhook.Endpoint{}, err
	}
	if _, err := events.NewReader(ctx, d.rdb, tenant.Default, webhook.Group, ""); err != nil {
		return webhook.Endpoint{}, err
	}
	d.out.say("webhook receiver at %s (signed deliveries of every event)", hook.URL)
	return hook.endpoint(), nil
}

// serve runs the worker and the monitor, schedules the demo's posts and
// follows their events until each has reached its end (and, with
// --until-done, stops then), or until ctx ends.
func (d *demo) serve(ctx context.Context, cfg config.Config, worker *jobs.Worker) error {
	ln, err := net.Listen("tcp", cfg.MonitorAddr)
	if err != nil {
		return fmt.Errorf("monitor on %s: %w (set HERALD_MONITOR_ADDR to a free address)", cfg.MonitorAddr, err)
	}
	mon := monitor.New(monitor.Options{RedisConnOpt: d.rc.AsynqOpt(), Redis: d.rdb, Registry: d.tel.reg, PrometheusURL: cfg.PrometheusURL})
	defer mon.Close()
	base := "http://" + ln.Addr().String()
	from, err := lastEventID(ctx, d.rdb, events.Stream)
	if err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return metrics.ServeListener(gctx, ln, mon) })
	g.Go(func() error { return worker.Run(gctx) })
	d.out.say("worker and monitor running: asynqmon %s%s/  metrics %s/metrics", base, monitor.RootPath, base)
	names, err := d.schedule(ctx)
	if err != nil {
		return err
	}
	g.Go(func() error {
		if err := d.follow(gctx, from, names); err != nil {
			return err
		}
		if d.untilDone {
			return errDemoDone
		}
		d.out.say("all %d posts have reached their end: browse %s%s/ and the posts' URLs; Ctrl-C to stop", len(names), base, monitor.RootPath)
		return nil
	})
	err = g.Wait()
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, errDemoDone) {
		err = nil
	}
	return err
}

// schedule schedules the demo's posts, arming the sandbox's faults for
// them, and returns their names by post id.
func (d *demo) schedule(ctx context.Context) (map[string]string, error) {
	names := map[string]string{}
	for _, dp := range demoPosts(d.sb.URL()) {
		p := jobs.Post{
			ID: "demo-" + d.run + "-" + dp.name, AccountID: "demo-account", Platform: "sandbox",
			PublishAt: time.Now().Add(dp.in),
			Content:   publishers.Content{Title: "Demo: " + dp.name, Text: dp.text, Media: dp.media, FirstComment: dp.comment},
		}
		if dp.group != "" {
			p.GroupID = dp.group + "-" + d.run
		}
		names[p.ID] = dp.name
		if dp.comment != "" {
			d.commented[p.ID] = true
		}
		if dp.fault != nil {
			d.sb.FailRef(p.ID, dp.times, *dp.fault)
		}
		if _, err := d.client.SchedulePost(ctx, p); err != nil {
			return nil, fmt.Errorf("schedule %s: %w", dp.name, err)
		}
		if dp.cancel {
			if _, err := d.client.CancelPost(ctx, p.ID); err != nil {
				return nil, fmt.Errorf("cancel %s: %w", dp.name, err)
			}
		}
	}
	return names, nil
}

// follow prints the posts' events until each has reached its end, then
// lets the webhook deliveries of the last events arrive.
func (d *demo) follow(ctx context.Context, from string, names map[string]string) error {
	if err := follow(ctx, d.rdb, from, d.out, names, d.commented); err != nil {
		return err
	}
	if g, err := d.client.GroupStatus(ctx, demoGroup+"-"+d.run); err == nil {
		var states []string
		for _, p := range g.Posts {
			states = append(states, names[p.PostID]+" "+string(p.State))
		}
		d.out.say("group %s (GET /v1/groups/%s): %s", g.GroupID, g.GroupID, strings.Join(states, ", "))
	}
	if d.hook != nil {
		n, _ := d.rdb.XRange(ctx, events.Stream, "("+d.hookFrom, "+").Result()
		d.hook.waitFor(ctx, len(n), 10*time.Second)
	}
	return nil
}

// errDemoDone ends the demo's goroutines when --until-done is met.
var errDemoDone = errors.New("demo done")

// journal prints the demo's lines with the time since start.
type journal struct {
	w     io.Writer
	start time.Time
}

func (j *journal) say(format string, args ...any) {
	fmt.Fprintf(j.w, "[%6.1fs] %s\n", time.Since(j.start).Seconds(), fmt.Sprintf(format, args...))
}

// lastEventID is where following stream (an events stream) starts.
func lastEventID(ctx context.Context, rdb redis.UniversalClient, stream string) (string, error) {
	last, err := rdb.XRevRangeN(ctx, stream, "+", "-", 1).Result()
	if err != nil {
		return "", err
	}
	if len(last) == 0 {
		return "0-0", nil
	}
	return last[0].ID, nil
}

// follow prints the demo posts' events until each has reached a final
// state.
func follow(ctx context.Context, rdb redis.UniversalClient, from string, out *journal, names map[string]string, commented map[string]bool) error {
	open := map[string]bool{}
	for id := range names {
		open[id] = true
	}
	for len(open) > 0 {
		res, err := rdb.XRead(ctx, &redis.XReadArgs{Streams: []string{events.Stream, from}, Block: time.Second, Count: 100}).Result()
		if errors.Is(err, redis.Nil) {
			continue
		}
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		for _, m := range res[0].Messages {
			from = m.ID
			ev, err := events.Parse(m)
			name, ok := names[ev.PostID]
			if err != nil || !ok {
				continue
			}
			line := fmt.Sprintf("%-10s %s", name, describe(ev))
			out.say("%s", line)
			switch {
			case ev.Type == events.PostCommented || ev.Type == events.PostCommentFailed:
				delete(open, ev.PostID)
			case ev.Type == events.PostPublished && commented[ev.PostID]:
				// Its end is its first comment's.
			case jobs.State(ev.State).Final() && ev.Type != events.PostRetry:
				delete(open, ev.PostID)
			}
		}
	}
	return nil
}

func describe(ev events.Event) string {
	switch ev.Type {
	case events.PostScheduled:
		return "scheduled"
	case events.PostPublishing:
		return fmt.Sprintf("publishing, attempt %d", ev.Attempt)
	case events.PostPublished:
		return "PUBLISHED " + ev.URL
	case events.PostRetry:
		return fmt.Sprintf("attempt %d failed (%s): %s; will retry", ev.Attempt, ev.Class, shorten(ev.Reason))
	case events.PostFailed:
		return fmt.Sprintf("FAILED (%s): %s", ev.Class, shorten(ev.Reason))
	case events.PostCanceled:
		return "canceled"
	case events.PostCommented:
		return "FIRST COMMENT posted, id " + ev.CommentID
	case events.PostCommentFailed:
		return fmt.Sprintf("first comment FAILED (%s): %s", ev.Class, shorten(ev.Reason))
	}
	if ev.Reason != "" {
		return ev.Type + ": " + shorten(ev.Reason)
	}
	return ev.Type
}

func shorten(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) > 100 {
		return s[:97] + "..."
	}
	return s
}
