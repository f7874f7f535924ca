package jobs_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/internal/eventually"
	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/sandbox"
	"github.com/heraldhq/herald/publishers/sandbox/sandboxtest"
	"github.com/heraldhq/herald/tokens"
)

// env is one test's Herald: a private Redis database, the sandbox
// platform and a client.
type env struct {
	t       testing.TB
	db      *redistest.DB
	rdb     *redis.Client
	sandbox *sandboxtest.Server
	client  *jobs.Client
	insp    *asynq.Inspector
}

func newEnv(t testing.TB) *env {
	t.Helper()
	db := redistest.New(t)
	sb := sandboxtest.New()
	t.Cleanup(sb.Close)
	c := jobs.NewClient(db.Client, jobs.WithMaxRetry(5))
	insp := asynq.NewInspectorFromRedisClient(db.Client)
	return &env{t: t, db: db, rdb: db.Client, sandbox: sb, client: c, insp: insp}
}

// registry returns publishers with the sandbox, optionally wrapped.
func (e *env) registry(wrap func(publishers.Publisher) publishers.Publisher) *publishers.Registry {
	var p publishers.Publisher = sandbox.New(e.sandbox.URL(), nil)
	if wrap != nil {
		p = wrap(p)
	}
	r := publishers.NewRegistry()
	r.Register("sandbox", p)
	return r
}

// startWorker runs a worker until the test ends or stop is called.
func (e *env) startWorker(reg *publishers.Registry, tweak func(*jobs.WorkerConfig)) (stop func()) {
	e.t.Helper()
	cfg := jobs.WorkerConfig{
		Concurrency:     4,
		ShutdownTimeout: 2 * time.Second,
		Retry:           jobs.RetryPolicy{Base: 10 * time.Millisecond, Cap: 50 * time.Millisecond},
		Publishers:      reg,
		Tokens:          tokens.Static{AccessToken: "sandbox-token"},
		Logger:          slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if tweak != nil {
		tweak(&cfg)
	}
	w, err := jobs.NewWorker(e.rdb, cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			e.t.Errorf("worker: %v", err)
		}
	}
	e.t.Cleanup(stop)
	return stop
}

func (e *env) post(id string, at time.Time) jobs.Post {
	return jobs.Post{
		ID: id, AccountID: "acct-1", Platform: "sandbox", PublishAt: at,
		Content: publishers.Content{Title: "Hello", Text: "Post " + id},
	}
}

func (e *env) schedule(p jobs.Post) jobs.PostStatus {
	e.t.Helper()
	st, err := e.client.SchedulePost(context.Background(), p)
	if err != nil {
		e.t.Fatalf("SchedulePost(%s): %v", p.ID, err)
	}
	return st
}

func (e *env) status(id string) jobs.PostStatus {
	e.t.Helper()
	st, err := e.client.PostStatus(context.Background(), id)
	if err != nil {
		e.t.Fatalf("PostStatus(%s): %v", id, err)
	}
	return st
}

// waitState waits until post id reaches state and returns its status.
func (e *env) waitState(id string, want jobs.State, within time.Duration) jobs.PostStatus {
	e.t.Helper()
	var st jobs.PostStatus
	eventually.True(e.t, within, func() bool {
		st = e.status(id)
		return st.State == want
	}, "post %s %s (last: %+v)", id, want, &st)
	return st
}

// taskInfo returns the asynq task of post id, or nil when asynq has none.
func (e *env) taskInfo(id string) *asynq.TaskInfo {
	e.t.Helper()
	info, err := e.insp.GetTaskInfo(jobs.QueuePublish, "publish:"+id)
	if errors.Is(err, asynq.ErrTaskNotFound) || errors.Is(err, asynq.ErrQueueNotFound) {
		return nil
	}
	if err != nil {
		e.t.Fatalf("GetTaskInfo(%s): %v", id, err)
	}
	return info
}
