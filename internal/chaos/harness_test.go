package chaos

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/internal/redisserver"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/sandbox/sandboxtest"
	"github.com/heraldhq/herald/tenant"
	"github.com/heraldhq/herald/tokens"
)

// binary is the herald binary under test, built once by TestMain.
var binary string

func TestMain(m *testing.M) {
	if os.Getenv(bareWorkerEnv) != "" {
		// This test binary, started by TestChaosBareAsynqRecovery as a
		// bare asynq worker.
		os.Exit(runBareWorker())
	}
	dir, err := os.MkdirTemp("", "herald-chaos-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	binary = filepath.Join(dir, "herald")
	build := exec.Command("go", "build", "-o", binary, "github.com/heraldhq/herald/cmd/herald")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "chaos: build herald:", err)
		os.Exit(2)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// full reports whether to run scenarios at full size (make chaos).
func full() bool { return os.Getenv("HERALD_CHAOS") == "full" }

// size picks the short or the full figure.
func size(short, big int) int {
	if full() {
		return big
	}
	return short
}

const testKeys = "chaos:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

// rig is one scenario's world: its own redis-server, sandbox platform,
// Vault and client, and the worker processes it starts.
type rig struct {
	t       *testing.T
	dir     string
	redis   *redisserver.Server
	rdb     *redis.Client
	sandbox *sandboxtest.Server
	vault   *tokens.Vault
	client  *jobs.Client

	mu      sync.Mutex
	workers map[int]*proc
	exited  map[int]string // workers that stopped without being killed
	nextID  int
}

func newRig(t *testing.T, fsync string) *rig {
	t.Helper()
	srv, err := redisserver.Start(context.Background(), redisserver.Options{AppendFsync: fsync})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	rdb := redis.NewClient(srv.Options(0))
	t.Cleanup(func() { rdb.Close() })
	sb := sandboxtest.New()
	t.Cleanup(sb.Close)
	keys, err := tokens.ParseKeyring(testKeys)
	if err != nil {
		t.Fatal(err)
	}
	client := jobs.NewClient(rdb, jobs.WithMaxRetry(25))
	vault := tokens.New(rdb, keys, jobs.VaultHooks(client, tokens.Options{
		Platforms: map[string]tokens.Platform{"sandbox": {}},
	}))
	r := &rig{t: t, dir: t.TempDir(), redis: srv, rdb: rdb, sandbox: sb, vault: vault, client: client, workers: map[int]*proc{}, exited: map[int]string{}}
	t.Cleanup(r.stopAll)
	return r
}

// proc is a worker process; done closes once it has been waited for (by
// its own goroutine: Wait may be called once).
type proc struct {
	cmd  *exec.Cmd
	done chan struct{}
}

// startWorker runs a `herald worker` process and returns its number; env
// adds or overrides settings (NAME=value).
func (r *rig) startWorker(env ...string) int {
	r.t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	id := r.nextID
	r.nextID++
	log, err := os.Create(filepath.Join(r.dir, fmt.Sprintf("worker-%d.log", id)))
	if err != nil {
		r.t.Fatal(err)
	}
	cmd := exec.Command(binary, "worker")
	cmd.Env = append(os.Environ(),
		"HERALD_REDIS_URL="+r.redis.URL(0),
		"HERALD_SANDBOX_URL="+r.sandbox.URL(),
		"HERALD_TOKEN_KEYS="+testKeys,
		"HERALD_WORKER_METRICS_ADDR=",
		"HERALD_WORKER_CONCURRENCY=20",
		"HERALD_WORKER_SHUTDOWN_TIMEOUT=2s",
		"HERALD_RETRY_BASE=200ms",
		"HERALD_RETRY_CAP=2s",
		"HERALD_LOG_LEVEL=warn",
	)
	cmd.Env = append(cmd.Env, env...)
	r.track(id, cmd, log)
	return id
}

// track starts worker process id, writing its output to log, and records
// how it exits unless the rig stopped it. The caller holds r.mu.
func (r *rig) track(id int, cmd *exec.Cmd, log *os.File) {
	r.t.Helper()
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	p := &proc{cmd: cmd, done: make(chan struct{})}
	r.workers[id] = p
	go func() {
		err := cmd.Wait()
		close(p.done)
		log.Close()
		r.mu.Lock()
		if _, running := r.workers[id]; running {
			r.exited[id] = fmt.Sprint(err)
		}
		r.mu.Unlock()
	}()
}

// kill sends SIGKILL to worker id: no shutdown, no requeue, a lease left
// to expire.
func (r *rig) kill(id int) {
	r.mu.Lock()
	p := r.workers[id]
	delete(r.workers, id)
	r.mu.Unlock()
	if p != nil {
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
	}
}

// killBusy kills, with SIGKILL, a worker that is in the middle of
// publishing (asynq's server list, refreshed by each server's 5 s
// heartbeat, says which process has active tasks), waiting up to 6 s for
// one; failing that, it kills one at random.
func (r *rig) killBusy(rng *rand.Rand) int {
	insp := asynq.NewInspectorFromRedisClient(r.rdb)
	deadline := time.Now().Add(6 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for time.Now().Before(deadline) {
		servers, err := insp.Servers()
		if err != nil {
			r.t.Logf("killBusy: list servers: %v", err)
		}
		rng.Shuffle(len(servers), func(i, j int) { servers[i], servers[j] = servers[j], servers[i] })
		for _, srv := range servers {
			if len(srv.ActiveWorkers) == 0 {
				continue
			}
			r.mu.Lock()
			victim := -1
			for id, p := range r.workers {
				if p.cmd.Process.Pid == srv.PID {
					victim = id
				}
			}
			r.mu.Unlock()
			if victim >= 0 {
				// A worker is several asynq servers, one a dequeue loop:
				// its running tasks are all of theirs.
				active := 0
				for _, s := range servers {
					if s.PID == srv.PID && s.Host == srv.Host {
						active += len(s.ActiveWorkers)
					}
				}
				r.kill(victim)
				return active
			}
		}
		<-tick.C
	}
	r.mu.Lock()
	ids := make([]int, 0, len(r.workers))
	for id := range r.workers {
		ids = append(ids, id)
	}
	r.mu.Unlock()
	if len(ids) > 0 {
		slices.Sort(ids) // map order is not the seeded order
		r.kill(ids[rng.IntN(len(ids))])
	}
	return 0
}

func (r *rig) stopAll() {
	r.mu.Lock()
	ws := r.workers
	r.workers = map[int]*proc{}
	for id, err := range r.exited {
		r.t.Errorf("worker %d exited on its own: %s", id, err)
	}
	r.mu.Unlock()
	for _, p := range ws {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
	}
	for _, p := range ws {
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	}
}

// Every scenario runs with two tenants (issue 27) that use the same
// account and post ids: a post is published exactly once, and with its
// own tenant's account. The rig's posts and accounts carry stored ids
// (tenant.Qualify), which the sandbox sees as the post's ref and account
// and the events name; the rig reads and cancels a post through its
// tenant's Client.
var tenants = [2]string{"shop", "blog"}

// connect connects n sandbox accounts acct-0..acct-(n-1) in each tenant
// and returns their stored ids, the tenants alternating.
func (r *rig) connect(n int) []string {
	r.t.Helper()
	var ids []string
	for i := range n {
		for _, tn := range tenants {
			id := tenant.Qualify(tn, fmt.Sprintf("acct-%d", i))
			err := r.vault.Connect(context.Background(), tokens.Account{ID: id, Platform: "sandbox",
				Token: &oauth2.Token{AccessToken: "tok-" + id, Expiry: time.Now().Add(24 * time.Hour)}})
			if err != nil {
				r.t.Fatal(err)
			}
			ids = append(ids, id)
		}
	}
	return ids
}

// schedule schedules n posts over the accounts (of connect), due evenly
// across spread from now, each through its account's tenant's Client:
// post i is post-<i/2> of its tenant, so both tenants use each id. It
// returns the posts SchedulePost acknowledged, with stored ids. Each post
// is changed by tweak (if any) first.
func (r *rig) schedule(n int, accounts []string, spread time.Duration, tweak ...func(*jobs.Post)) []jobs.Post {
	r.t.Helper()
	start := time.Now().Add(time.Second)
	posts := make([]jobs.Post, 0, n)
	for i := range n {
		tn, acct := tenant.Split(accounts[i%len(accounts)])
		p := jobs.Post{
			ID:        fmt.Sprintf("post-%05d", i/2),
			AccountID: acct,
			Platform:  "sandbox",
			PublishAt: start.Add(spread * time.Duration(i) / time.Duration(n)),
			Content:   publishers.Content{Text: fmt.Sprintf("chaos post %d", i)},
		}
		for _, f := range tweak {
			f(&p)
		}
		st, err := r.client.ForTenant(tn).SchedulePost(context.Background(), p)
		if err != nil {
			r.t.Fatalf("SchedulePost(%s of %s): %v", p.ID, tn, err)
		}
		if st.State != jobs.StateScheduled || st.Attempts != 0 {
			r.t.Fatalf("SchedulePost(%s of %s) found a post: %+v", p.ID, tn, st)
		}
		p.ID, p.AccountID = tenant.Qualify(tn, p.ID), tenant.Qualify(tn, acct)
		posts = append(posts, p)
	}
	return posts
}

// status is PostStatus of a post with a stored id, through its tenant's
// Client; the status names the stored ids again.
func (r *rig) status(id string) (jobs.PostStatus, error) {
	tn, app := tenant.Split(id)
	st, err := r.client.ForTenant(tn).PostStatus(context.Background(), app)
	st.PostID, st.AccountID = tenant.Qualify(tn, st.PostID), tenant.Qualify(tn, st.AccountID)
	return st, err
}

// cancel is CancelPost of a post with a stored id.
func (r *rig) cancel(id string) error {
	tn, app := tenant.Split(id)
	_, err := r.client.ForTenant(tn).CancelPost(context.Background(), app)
	return err
}

// waitFinal waits until every post is in a final state, and returns the
// states by post id.
func (r *rig) waitFinal(posts []jobs.Post, within time.Duration) map[string]jobs.PostStatus {
	r.t.Helper()
	deadline := time.Now().Add(within)
	out := map[string]jobs.PostStatus{}
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		pending := 0
		for _, p := range posts {
			if st, ok := out[p.ID]; ok && st.State.Final() {
				continue
			}
			st, err := r.status(p.ID)
			if err != nil || !st.State.Final() {
				pending++
				continue
			}
			out[p.ID] = st
		}
		if pending == 0 {
			return out
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("after %s, %d of %d posts are not final (worker logs in %s)", within, pending, len(posts), r.dir)
		}
		<-tick.C
	}
}

// checkExactlyOnce fails the test for any post that is not published, or
// that the platform holds other than once, or with an account of
// another tenant than the post's.
func (r *rig) checkExactlyOnce(posts []jobs.Post, states map[string]jobs.PostStatus) {
	r.t.Helper()
	perRef := map[string]int{}
	for _, p := range r.sandbox.Posts() {
		perRef[p.Ref]++
		if tenant.Of(p.Ref) != tenant.Of(p.AccountID) {
			r.t.Errorf("%s was published with %s, another tenant's account", p.Ref, p.AccountID)
		}
	}
	bad := 0
	for _, p := range posts {
		st := states[p.ID]
		if st.State != jobs.StatePublished || perRef[p.ID] != 1 {
			bad++
			if bad <= 10 {
				r.t.Errorf("%s: state %s (%s %s), platform holds %d", p.ID, st.State, st.FailureClass, st.Reason, perRef[p.ID])
			}
		}
	}
	if bad > 0 {
		r.t.Errorf("%d of %d posts not published exactly once", bad, len(posts))
	}
}

// checkCommentedOnce waits until the first comment of every post that
// has one is settled, and fails the test for any that is not posted, or
// that the platform holds other than once.
func (r *rig) checkCommentedOnce(posts []jobs.Post, within time.Duration) {
	r.t.Helper()
	deadline := time.Now().Add(within)
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		pending := 0
		for _, p := range posts {
			if p.Content.FirstComment == "" {
				continue
			}
			st, err := r.status(p.ID)
			if err != nil || st.CommentState == "" || st.CommentState == jobs.CommentPending {
				pending++
			}
		}
		if pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("after %s, %d first comments are not settled (worker logs in %s)", within, pending, r.dir)
		}
		<-tick.C
	}
	perRef := map[string][]sandboxtest.Comment{}
	for _, p := range r.sandbox.Posts() {
		perRef[p.Ref] = append(perRef[p.Ref], p.Comments...)
	}
	bad := 0
	for _, p := range posts {
		if p.Content.FirstComment == "" {
			continue
		}
		st, _ := r.status(p.ID)
		got := perRef[p.ID]
		if st.CommentState != jobs.CommentPosted || len(got) != 1 || got[0].ID != st.CommentID {
			bad++
			if bad <= 10 {
				r.t.Errorf("%s: comment %s (%s), platform holds %d comments", p.ID, st.CommentState, st.Warning, len(got))
			}
		}
	}
	if bad > 0 {
		r.t.Errorf("%d first comments not posted exactly once", bad)
	}
}
