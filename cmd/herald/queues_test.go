package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/config"
	"github.com/heraldhq/herald/internal/eventually"
	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/sandbox/sandboxtest"
	"github.com/heraldhq/herald/publishers/youtube/youtubetest"
	"github.com/heraldhq/herald/tokens"
)

// workerEnv points `herald worker` at a private Redis and a sandbox, with
// metrics off and a short shutdown, and returns an inspector of that
// Redis.
func workerEnv(t *testing.T) (*redistest.DB, *asynq.Inspector, *sandboxtest.Server) {
	t.Helper()
	db := redistest.New(t)
	sb := sandboxtest.New()
	t.Cleanup(sb.Close)
	for k, v := range map[string]string{
		"HERALD_REDIS_URL":                   db.URL(),
		"HERALD_TOKEN_KEYS":                  "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
		"HERALD_WORKER_METRICS_ADDR":         "",
		"HERALD_WORKER_SHUTDOWN_TIMEOUT":     "1s",
		"HERALD_DELAYED_TASK_CHECK_INTERVAL": "100ms",
		"HERALD_SANDBOX_URL":                 sb.URL(),
		"HERALD_WORKER_DEQUEUERS":            fmt.Sprint(testDequeuers),
	} {
		t.Setenv(k, v)
	}
	return db, asynq.NewInspectorFromRedisClient(db.Client), sb
}

// startHeraldWorker runs `herald worker args...` until the test ends or
// stop is called.
func startHeraldWorker(t *testing.T, args ...string) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, stderr, err := herald(t, ctx, append([]string{"worker"}, args...)...)
		if err != nil {
			err = fmt.Errorf("%w\n%s", err, stderr)
		}
		done <- err
	}()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("worker %v: %v", args, err)
		}
	}
	t.Cleanup(stop)
	return stop
}

// liveLayouts returns the queues of each live asynq server.
func liveLayouts(t *testing.T, insp *asynq.Inspector) []map[string]int {
	t.Helper()
	servers, err := insp.Servers()
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]int
	for _, s := range liveServers(servers) {
		out = append(out, s.Queues)
	}
	return out
}

// testDequeuers is HERALD_WORKER_DEQUEUERS in workerEnv: each worker
// is that many asynq servers.
const testDequeuers = 2

// waitLive waits until n workers' servers are live.
func waitLive(t *testing.T, insp *asynq.Inspector, n int) {
	t.Helper()
	eventually.True(t, 15*time.Second, func() bool { return len(liveLayouts(t, insp)) == n*testDequeuers }, "%d live workers", n)
}

func TestWorkerQueuesFlagWinsOverTheEnvironment(t *testing.T) {
	_, insp, _ := workerEnv(t)
	t.Setenv("HERALD_WORKER_QUEUES", "webhooks,analytics=2")

	stop := startHeraldWorker(t, "--queues", "critical=2,publish")
	waitLive(t, insp, 1)
	if got, want := liveLayouts(t, insp)[0], map[string]int{"critical": 2, "publish": 6}; !maps.Equal(got, want) {
		t.Errorf("worker --queues critical=2,publish serves %v, want %v", got, want)
	}
	stop()
	waitLive(t, insp, 0)

	startHeraldWorker(t)
	waitLive(t, insp, 1)
	if got, want := liveLayouts(t, insp)[0], map[string]int{"webhooks": 3, "analytics": 2}; !maps.Equal(got, want) {
		t.Errorf("worker with HERALD_WORKER_QUEUES=webhooks,analytics=2 serves %v, want %v", got, want)
	}
}

func TestWorkerRefusesAnUnknownQueue(t *testing.T) {
	workerEnv(t)
	_, stderr, err := herald(t, context.Background(), "worker", "--queues", "critical,posts")
	if !errors.Is(err, errUsage) || !strings.Contains(stderr, "-queues") || !strings.Contains(stderr, `queue "posts" is not one of Herald's queues`) {
		t.Errorf("worker --queues critical,posts: %v\n%s", err, stderr)
	}
	t.Setenv("HERALD_WORKER_QUEUES", "publish=0")
	_, _, err = herald(t, context.Background(), "worker")
	if err == nil || !strings.Contains(err.Error(), `HERALD_WORKER_QUEUES=publish=0: queue "publish": weight "0"`) {
		t.Errorf("worker with HERALD_WORKER_QUEUES=publish=0: %v", err)
	}
}

// TestDoctorNamesAQueueNoWorkerServes runs the worker layouts of
// docker-compose.yml one after the other and asks doctor each time.
func TestDoctorNamesAQueueNoWorkerServes(t *testing.T) {
	db, insp, _ := workerEnv(t)
	layouts := composeWorkerLayouts(t)
	ctx := context.Background()
	// A sweep waits in the analytics queue before any worker runs.
	if ok, err := jobs.NewClient(db.Client).EnqueueSweep(ctx, time.Hour); !ok || err != nil {
		t.Fatalf("EnqueueSweep: %v %v", ok, err)
	}
	doctor := func() (string, error) {
		out, _, err := herald(t, ctx, "doctor")
		return out, err
	}

	// No worker at all: the queue with work waiting is a problem, the
	// idle ones are not (doctor runs before a first deployment too).
	out, err := doctor()
	for _, want := range []string{"workers: 0 live", "PROBLEM: queue analytics is served by no live worker (1 pending, the oldest for", "WARNING: no worker is running"} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor without workers lacks %q:\n%s", want, out)
		}
	}
	if err == nil || strings.Contains(out, "queue publish is served by no") {
		t.Errorf("doctor without workers: %v\n%s", err, out)
	}

	// The publish workers alone leave webhooks and analytics unserved.
	startHeraldWorker(t, "--queues", jobs.FormatQueues(layouts["worker"]))
	waitLive(t, insp, 1)
	out, err = doctor()
	for _, want := range []string{
		"workers: 1 live", "queues critical=10,publish=6, concurrency 50 in 2 dequeue loops",
		"PROBLEM: queue webhooks is served by no live worker (nothing pending): run a worker whose HERALD_WORKER_QUEUES or --queues includes webhooks",
		"PROBLEM: queue analytics is served by no live worker (1 pending, the oldest for",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor with the publish workers lacks %q:\n%s", want, out)
		}
	}
	if err == nil || strings.Contains(out, "queue critical is served by no") || strings.Contains(out, "queue publish is served by no") {
		t.Errorf("doctor with the publish workers: %v\n%s", err, out)
	}

	// With the background worker, every queue is served.
	startHeraldWorker(t, "--queues", jobs.FormatQueues(layouts["worker-background"]))
	waitLive(t, insp, 2)
	out, err = doctor()
	// Both workers run in this test's process, which doctor shows as one
	// worker of both layouts' loops.
	if err != nil || strings.Contains(out, "served by no live worker") || !strings.Contains(out, "workers: 1 live") ||
		!strings.Contains(out, "queues critical=10,publish=6,webhooks=3,analytics=1, concurrency 100 in 4 dequeue loops") {
		t.Errorf("doctor with compose's workers: %v\n%s", err, out)
	}
}

// TestDoctorDoesNotCountAStoppingWorker: a worker told to stop keeps its
// heartbeat while it finishes its tasks, with the status "stopped", and
// takes no new task: it serves nothing.
func TestDoctorDoesNotCountAStoppingWorker(t *testing.T) {
	db, insp, _ := workerEnv(t)
	serve := func(queues map[string]int) *asynq.Server {
		srv := asynq.NewServerFromRedisClient(db.Client, asynq.Config{Queues: queues, LogLevel: asynq.FatalLevel})
		if err := srv.Start(asynq.NewServeMux()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(srv.Shutdown)
		return srv
	}
	serve(map[string]int{jobs.QueueCritical: 1})
	serve(map[string]int{jobs.QueuePublish: 1, jobs.QueueWebhooks: 1, jobs.QueueAnalytics: 1}).Stop()
	eventually.True(t, 15*time.Second, func() bool {
		servers, err := insp.Servers()
		if err != nil {
			t.Fatal(err)
		}
		stopped := 0
		for _, s := range servers {
			if s.Status == "stopped" {
				stopped++
			}
		}
		return len(servers) == 2 && stopped == 1
	}, "the stopping server's heartbeat says so")
	out, _, err := herald(t, context.Background(), "doctor")
	for _, q := range []string{jobs.QueuePublish, jobs.QueueWebhooks, jobs.QueueAnalytics} {
		if !strings.Contains(out, "PROBLEM: queue "+q+" is served by no live worker") {
			t.Errorf("doctor counts a stopping worker as serving %s:\n%s", q, out)
		}
	}
	if err == nil || !strings.Contains(out, "workers: 1 live") {
		t.Errorf("doctor: %v\n%s", err, out)
	}
}

// revokeRig is Herald wired as cmd/herald wires it, against a sandbox
// that publishes slowly and a YouTube fake that takes revocations.
type revokeRig struct {
	t      *testing.T
	rdb    redis.UniversalClient
	insp   *asynq.Inspector
	sb     *sandboxtest.Server
	yt     *youtubetest.Server
	vault  *tokens.Vault
	client *jobs.Client
}

func newRevokeRig(t *testing.T, concurrency int) *revokeRig {
	t.Helper()
	_, insp, sb := workerEnv(t)
	yt := youtubetest.New()
	t.Cleanup(yt.Close)
	for k, v := range map[string]string{
		"HERALD_WORKER_CONCURRENCY": fmt.Sprint(concurrency),
		"HERALD_GOOGLE_CLIENT_ID":   youtubetest.ClientID, "HERALD_GOOGLE_CLIENT_SECRET": youtubetest.ClientSecret,
		"HERALD_GOOGLE_TOKEN_URL": yt.TokenURL(), "HERALD_GOOGLE_REVOKE_URL": yt.RevokeURL(),
		"HERALD_YOUTUBE_API_URL": yt.Endpoint(), "HERALD_YOUTUBE_UPLOAD_URL": yt.UploadEndpoint(),
	} {
		t.Setenv(k, v)
	}
	cfg, err := config.Load()
	if err != nil {
		t.Fatal(err)
	}
	rdb := cfg.Redis.NewClient()
	t.Cleanup(func() { rdb.Close() })
	ps, err := platforms(cfg, rdb, nil)
	if err != nil {
		t.Fatal(err)
	}
	client := newClient(cfg, rdb, ps, nil)
	vault, _, err := newVault(cfg, rdb, ps, client, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	if err != nil {
		t.Fatal(err)
	}
	return &revokeRig{t: t, rdb: rdb, insp: insp, sb: sb, yt: yt, vault: vault, client: client}
}

// schedulePosts connects a sandbox account and schedules n of its posts,
// due now.
func (r *revokeRig) schedulePosts(n int) {
	r.t.Helper()
	ctx := context.Background()
	if err := r.vault.Connect(ctx, tokens.Account{ID: "sb-1", Platform: "sandbox", Token: &oauth2.Token{AccessToken: "sb-token"}}); err != nil {
		r.t.Fatal(err)
	}
	for i := range n {
		p := jobs.Post{ID: fmt.Sprintf("load-%d", i), AccountID: "sb-1", Platform: "sandbox", PublishAt: time.Now(),
			Content: publishers.Content{Text: fmt.Sprintf("post %d under load", i)}}
		if _, err := r.client.SchedulePost(ctx, p); err != nil {
			r.t.Fatal(err)
		}
	}
}

// publishing is how many publish tasks run, and how many wait.
func (r *revokeRig) publishing() (active, pending int) {
	r.t.Helper()
	qi, err := r.insp.GetQueueInfo(jobs.QueuePublish)
	if err != nil {
		r.t.Fatal(err)
	}
	return qi.Active, qi.Pending
}

// disconnectYouTube connects a YouTube account and disconnects it with
// `herald accounts disconnect`, which enqueues its account:revoke.
func (r *revokeRig) disconnectYouTube() {
	r.t.Helper()
	tok := r.yt.IssueToken("yt-1")
	if err := r.vault.Connect(context.Background(), tokens.Account{ID: "yt-1", Platform: "youtube", PlatformUserID: "UCyt-1",
		Token: &oauth2.Token{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, Expiry: time.Now().Add(time.Hour)}}); err != nil {
		r.t.Fatal(err)
	}
	if out, stderr, err := herald(r.t, context.Background(), "accounts", "disconnect", "yt-1"); err != nil {
		r.t.Fatalf("accounts disconnect: %v\n%s%s", err, out, stderr)
	}
}

func (r *revokeRig) revoked() bool { return r.yt.Count(youtubetest.OpRevoke, 200) > 0 }

// TestComposeLayoutRevokesWhilePublishWorkersAreStuck: every publish
// worker of docker-compose.yml's layout is busy with a platform call
// that does not end, and posts wait behind them; a disconnect's
// revocation still reaches the platform within seconds, because the
// background worker serves the critical queue too.
func TestComposeLayoutRevokesWhilePublishWorkersAreStuck(t *testing.T) {
	const concurrency = 2
	r := newRevokeRig(t, concurrency)
	r.sb.SetLatency(time.Hour) // until the client gives up or the test ends
	layouts := composeWorkerLayouts(t)
	publishers := 0
	for _, layout := range layouts {
		if _, ok := layout[jobs.QueuePublish]; ok {
			publishers++
		}
		startHeraldWorker(t, "--queues", jobs.FormatQueues(layout))
	}
	r.schedulePosts(3 * publishers * concurrency)
	eventually.True(t, 15*time.Second, func() bool {
		active, pending := r.publishing()
		return active == publishers*concurrency && pending > 0
	}, "every publish slot busy, posts waiting")

	r.disconnectYouTube()
	eventually.True(t, 10*time.Second, r.revoked, "the revocation reached YouTube")
	if active, pending := r.publishing(); active != publishers*concurrency || pending == 0 {
		t.Errorf("publishing: %d running, %d waiting: the publish workers were not saturated throughout", active, pending)
	}
}

// TestPublishWorkerRevokesBeforeItsBacklog: one publish worker alone
// (compose's layout, critical and publish), saturated by a slow platform
// with a backlog of posts, runs a disconnect's revocation before the
// backlog: the critical queue's weight puts it first whenever a slot
// frees.
func TestPublishWorkerRevokesBeforeItsBacklog(t *testing.T) {
	const concurrency, posts = 4, 200
	r := newRevokeRig(t, concurrency)
	r.sb.SetLatency(200 * time.Millisecond) // the backlog takes 10s at best
	startHeraldWorker(t, "--queues", jobs.FormatQueues(composeWorkerLayouts(t)["worker"]))
	r.schedulePosts(posts)
	eventually.True(t, 15*time.Second, func() bool {
		active, _ := r.publishing()
		return active == concurrency
	}, "every publish slot busy")

	r.disconnectYouTube()
	eventually.True(t, 10*time.Second, r.revoked, "the revocation reached YouTube")
	if _, pending := r.publishing(); pending < posts/2 {
		t.Errorf("only %d of %d posts still waited when the revocation ran: it did not go first", pending, posts)
	}
}
