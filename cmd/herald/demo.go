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
	"golang.org/x/oauth2"
	"golang.org/x/sync/errgroup"

	"github.com/heraldhq/herald/config"
	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/internal/metrics"
	"github.com/heraldhq/herald/internal/monitor"
	"github.com/heraldhq/herald/internal/redisserver"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/sandbox/sandboxtest"
	"github.com/heraldhq/herald/tokens"
	"github.com/heraldhq/herald/webhook"
)

// demoPost is one post of the demo and what the sandbox will do to it.
type demoPost struct {
	name  string
	in    time.Duration
	text  string
	media []publishers.Media
	fault *sandboxtest.Fault
	times int // how many calls the fault hits; <0 forever
	// cancel: the post is canceled right after it is scheduled.
	cancel bool
}

func demoPosts(sandboxURL string) []demoPost {
	return []demoPost{
		{name: "hello", in: 3 * time.Second, text: "Hello from Herald!"},
		{name: "photo", in: 6 * time.Second, text: "A picture", media: []publishers.Media{{URL: sandboxURL + "/media/sunset.jpg", Kind: publishers.MediaImage}}},
		{name: "flaky", in: 9 * time.Second, text: "The platform fails twice, then takes it", fault: &sandboxtest.Fault{Status: 503}, times: 2},
		{name: "throttled", in: 12 * time.Second, text: "The platform says: slow down for 3s", fault: &sandboxtest.Fault{Status: 429, RetryAfter: 3 * time.Second}, times: 1},
		{name: "rejected", in: 15 * time.Second, text: "The platform refuses this one for good", fault: &sandboxtest.Fault{Status: 422, Message: "image must be at least 320px wide"}, times: -1},
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
	out := &journal{w: stdout, start: time.Now()}
	run := time.Now().Format("150405")

	// Redis: the configured one, or a private redis-server.
	rc := cfg.Redis
	checkLog := slog.New(slog.NewTextHandler(stderr, nil))
	if !cfg.IsSet("HERALD_REDIS_URL") {
		srv, err := redisserver.Start(ctx, redisserver.Options{})
		if err != nil {
			return fmt.Errorf("demo needs Redis: %w (or point HERALD_REDIS_URL at one)", err)
		}
		defer srv.Stop()
		if rc, err = config.ParseRedisURL(srv.URL(0)); err != nil {
			return err
		}
		out.say("started a private redis-server (%s)", srv.Socket)
		// It persists nothing on purpose: no need to warn about it.
		checkLog = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	}
	rdb := rc.NewClient()
	defer rdb.Close()
	if err := checkRedis(ctx, rdb, checkLog); err != nil {
		return err
	}

	sb, err := sandboxtest.NewAt("127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("start sandbox platform: %w", err)
	}
	defer sb.Close()
	out.say("sandbox platform at %s", sb.URL())

	// The demo's worker retries within seconds so the journey fits on a
	// screen; production uses HERALD_RETRY_BASE and HERALD_RETRY_CAP.
	log := newLogger(stderr, "text", slog.LevelError)
	cfg.MediaAllowPrivate = true // the demo's media live on the local sandbox
	cfg.SandboxURL = sb.URL()
	tel := newTelemetry()
	wc, err := workerConfig(cfg, rdb, log, tel)
	if err != nil {
		return err
	}
	wc.Retry = jobs.RetryPolicy{Base: time.Second, Cap: 4 * time.Second}
	wc.ShutdownTimeout = 3 * time.Second
	mreg := tel.reg
	client := newClient(cfg, rdb, tel.eventObserver())
	if cfg.TokenKeys == "" {
		// A key for this run only: the private Redis dies with it.
		k, err := tokens.GenerateKey("demo")
		if err != nil {
			return err
		}
		cfg.TokenKeys = k
	}
	vault, keys, err := newVault(cfg, rdb, client, log, tel)
	if err != nil {
		return err
	}
	wc.Tokens, wc.Sealer = vault, keys
	// The product app's webhook receiver, unless HERALD_WEBHOOKS names
	// real ones.
	var (
		hook     *demoHook
		hookFrom string // the last event before the receiver joined
	)
	if len(wc.Webhooks.Endpoints) == 0 {
		if hook, err = startDemoHook(); err != nil {
			return err
		}
		defer hook.close()
		wc.Webhooks.Endpoints = []webhook.Endpoint{hook.endpoint()}
		// Join the delivery group now, so the events of the posts
		// scheduled below are all delivered.
		if hookFrom, err = lastEventID(ctx, rdb); err != nil {
			return err
		}
		if _, err := events.NewReader(ctx, rdb, webhook.Group, ""); err != nil {
			return err
		}
		out.say("webhook receiver at %s (signed deliveries of every event)", hook.URL)
	}
	worker, err := jobs.NewWorker(rdb, wc)
	if err != nil {
		return err
	}
	// The product app's part: the user connected an account.
	err = vault.Connect(ctx, tokens.Account{
		ID: "demo-account", Platform: "sandbox", PlatformUserID: "sandbox-user-1",
		Token: &oauth2.Token{AccessToken: "demo-" + run, TokenType: "Bearer", Expiry: time.Now().Add(24 * time.Hour)},
	})
	if err != nil {
		return fmt.Errorf("connect the demo account: %w", err)
	}
	out.say("connected demo-account (token sealed in the Vault)")

	ln, err := net.Listen("tcp", cfg.MonitorAddr)
	if err != nil {
		return fmt.Errorf("monitor on %s: %w (set HERALD_MONITOR_ADDR to a free address)", cfg.MonitorAddr, err)
	}
	mon := monitor.New(monitor.Options{RedisConnOpt: rc.AsynqOpt(), Redis: rdb, Registry: mreg, PrometheusURL: cfg.PrometheusURL})
	defer mon.Close()
	base := "http://" + ln.Addr().String()

	from, err := lastEventID(ctx, rdb)
	if err != nil {
		return err
	}

	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return metrics.ServeListener(gctx, ln, mon) })
	g.Go(func() error { return worker.Run(gctx) })
	out.say("worker and monitor running: asynqmon %s%s/  metrics %s/metrics", base, monitor.RootPath, base)

	posts := demoPosts(sb.URL())
	names := map[string]string{}
	for _, d := range posts {
		p := jobs.Post{
			ID: "demo-" + run + "-" + d.name, AccountID: "demo-account", Platform: "sandbox",
			PublishAt: time.Now().Add(d.in),
			Content:   publishers.Content{Title: "Demo: " + d.name, Text: d.text, Media: d.media},
		}
		names[p.ID] = d.name
		if d.fault != nil {
			sb.FailRef(p.ID, d.times, *d.fault)
		}
		if _, err := client.SchedulePost(ctx, p); err != nil {
			return fmt.Errorf("schedule %s: %w", d.name, err)
		}
		if d.cancel {
			if _, err := client.CancelPost(ctx, p.ID); err != nil {
				return fmt.Errorf("cancel %s: %w", d.name, err)
			}
		}
	}

	g.Go(func() error {
		err := follow(gctx, rdb, from, out, names)
		if err != nil {
			return err
		}
		if hook != nil {
			// Let the deliveries of the last events arrive.
			n, _ := rdb.XRange(gctx, events.Stream, "("+hookFrom, "+").Result()
			hook.waitFor(gctx, len(n), 10*time.Second)
		}
		if *untilDone {
			return errDemoDone
		}
		out.say("all %d posts have reached their end: browse %s%s/ and the posts' URLs; Ctrl-C to stop", len(posts), base, monitor.RootPath)
		return nil
	})
	err = g.Wait()
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, errDemoDone) {
		err = nil
	}
	if hook != nil {
		out.say("webhook receiver got %s", hook.summary())
	}
	out.say("stopped")
	return err
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

// lastEventID is where following the events stream starts.
func lastEventID(ctx context.Context, rdb redis.UniversalClient) (string, error) {
	last, err := rdb.XRevRangeN(ctx, events.Stream, "+", "-", 1).Result()
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
func follow(ctx context.Context, rdb redis.UniversalClient, from string, out *journal, names map[string]string) error {
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
			if jobs.State(ev.State).Final() && ev.Type != events.PostRetry {
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
