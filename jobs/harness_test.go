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
	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/events"
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
	// vault is the token Vault workers use unless a test gives its own,
	// made on the first use (see sandboxVault).
	vault *tokens.Vault
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
		Logger:          slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if tweak != nil {
		tweak(&cfg)
	}
	if cfg.Tokens == nil {
		cfg.Tokens = e.sandboxVault()
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

// testKeys is the keyring of the tests' Vaults.
const testKeys = "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

// sandboxVault is the real Vault, wired to e's client as cmd/herald
// wires it, with acct-1 connected to the sandbox (whose tokens never
// expire): the worker's handlers run through it as they do in
// production.
func (e *env) sandboxVault() *tokens.Vault {
	e.t.Helper()
	if e.vault != nil {
		return e.vault
	}
	keys, err := tokens.ParseKeyring(testKeys)
	if err != nil {
		e.t.Fatal(err)
	}
	e.vault = tokens.New(e.rdb, keys, jobs.VaultHooks(e.client, tokens.Options{
		Platforms: map[string]tokens.Platform{"sandbox": {}},
	}))
	tok := &oauth2.Token{AccessToken: "sandbox-token", TokenType: "Bearer"}
	if err := e.vault.Connect(context.Background(), tokens.Account{ID: "acct-1", Platform: "sandbox", PlatformUserID: "sb-acct-1", Token: tok}); err != nil {
		e.t.Fatal(err)
	}
	return e.vault
}

// appendEvent appends an event as the Vault's hooks and the platforms'
// notices do.
func (e *env) appendEvent(typ, account, platform string) error {
	return events.NewWriter(e.rdb, events.WriterOptions{}).Append(context.Background(), events.Event{Type: typ, AccountID: account, Platform: platform})
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
