package chaos

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers/sandbox/sandboxtest"
	"github.com/heraldhq/herald/tokens"
)

// Workers are killed with SIGKILL again and again while posts fall due:
// every post is published exactly once, none is lost.
func TestChaosWorkersKilled(t *testing.T) {
	t.Parallel()
	r := newRig(t, "everysec")
	// Attempts long enough to outlast asynq's one-second polls, so a
	// worker's heartbeat saying it is busy still holds when the kill lands.
	r.sandbox.SetLatency(600 * time.Millisecond)
	accounts := r.connect(10)
	for range 3 {
		r.startWorker()
	}
	n := size(300, 2000)
	// Wide enough that posts are still falling due when scheduling them
	// all has finished, even on a loaded machine.
	spread := time.Duration(size(20, 60)) * time.Second
	posts := r.schedule(n, accounts, spread)

	rng := rand.New(rand.NewPCG(1, 2))
	kills := size(6, 12)
	tick := time.NewTicker(spread / time.Duration(kills+1))
	var snaps []killSnapshot
	for i := range kills {
		if i > 0 {
			<-tick.C
		}
		r.killBusy(rng)
		snaps = append(snaps, r.snapshotPublishing(posts, time.Now()))
		r.startWorker()
	}
	tick.Stop()
	states := r.waitFinal(posts, 4*time.Minute)
	r.checkExactlyOnce(posts, states)
	// What make chaos prints, and BENCHMARKS.md records.
	rec := r.recoveryTimes(snaps)
	t.Logf("orphan recovery (kill -> next attempt), %d orphans: p50 %s, p99 %s, max %s",
		len(rec), percentile(rec, 0.5).Round(100*time.Millisecond), percentile(rec, 0.99).Round(100*time.Millisecond), percentile(rec, 1).Round(100*time.Millisecond))
	interrupted := 0
	for _, st := range states {
		if st.Attempts > 1 {
			interrupted++
		}
	}
	if interrupted == 0 {
		t.Error("no attempt was interrupted by a kill: the scenario proved nothing")
	}
	t.Logf("%d posts were interrupted by a kill and resumed", interrupted)
}

// The platform fails a fifth of all calls, first comments' included:
// 5xx, 429 with Retry-After, answers lost after the work was done. Every
// post is published exactly once, every other post's first comment is
// posted exactly once, and no call comes back sooner than the platform
// asked.
func TestChaosPlatformFaults(t *testing.T) {
	t.Parallel()
	r := newRig(t, "everysec")
	r.sandbox.SetFaultRate(0.2, 7,
		sandboxtest.Fault{Status: 503},
		sandboxtest.Fault{Status: 502},
		sandboxtest.Fault{Status: 429, RetryAfter: 2 * time.Second},
		sandboxtest.Fault{LoseResponse: true},
	)
	accounts := r.connect(10)
	r.startWorker()
	r.startWorker()
	n := 0
	posts := r.schedule(size(200, 1000), accounts, time.Duration(size(5, 20))*time.Second, func(p *jobs.Post) {
		if n++; n%2 == 0 {
			p.Content.FirstComment = "#chaos " + p.ID
		}
	})
	states := r.waitFinal(posts, 3*time.Minute)
	r.checkExactlyOnce(posts, states)
	r.checkCommentedOnce(posts, 4*time.Minute)
	hit := 0
	for _, c := range r.sandbox.Calls() {
		if strings.HasPrefix(c.Ref, sandboxtest.CommentRef("")) && (c.Lost || c.Status >= 429) {
			hit++
		}
	}
	if hit == 0 {
		t.Error("no comment call met a fault: the comments proved nothing")
	}
	t.Logf("%d comment calls met a fault", hit)

	lastLimited := map[string]time.Time{}
	limitedFor := map[string]time.Duration{}
	for _, c := range r.sandbox.Calls() {
		if c.Ref == "" {
			continue
		}
		if at, ok := lastLimited[c.Ref]; ok {
			if c.At.Before(at.Add(limitedFor[c.Ref])) {
				t.Errorf("%s: called %s after a 429 that asked for %s", c.Ref, c.At.Sub(at), limitedFor[c.Ref])
			}
			delete(lastLimited, c.Ref)
		}
		if c.Status == 429 {
			lastLimited[c.Ref], limitedFor[c.Ref] = c.At, c.RetryAfter
		}
	}
}

// A tenth of the accounts are disconnected mid-run: none of their posts
// is published after Disconnect returned, and their tokens are gone.
func TestChaosDisconnectMidRun(t *testing.T) {
	t.Parallel()
	r := newRig(t, "everysec")
	r.sandbox.SetLatency(30 * time.Millisecond)
	accounts := r.connect(20)
	r.startWorker()
	r.startWorker()
	spread := time.Duration(size(8, 30)) * time.Second
	posts := r.schedule(size(300, 1500), accounts, spread)

	<-time.After(spread / 2)
	gone := map[string]time.Time{}
	for _, a := range accounts[:len(accounts)/10] {
		if err := r.vault.Disconnect(context.Background(), a); err != nil {
			t.Fatalf("Disconnect(%s): %v", a, err)
		}
		gone[a] = time.Now()
	}
	states := r.waitFinal(posts, 3*time.Minute)

	for _, p := range r.sandbox.Posts() {
		if at, ok := gone[p.AccountID]; ok && p.CreatedAt.After(at) {
			t.Errorf("%s of disconnected %s published %s after Disconnect returned", p.Ref, p.AccountID, p.CreatedAt.Sub(at))
		}
	}
	perRef := map[string]int{}
	for _, p := range r.sandbox.Posts() {
		perRef[p.Ref]++
	}
	for _, p := range posts {
		st := states[p.ID]
		if perRef[p.ID] > 1 {
			t.Errorf("%s published %d times", p.ID, perRef[p.ID])
		}
		if _, disconnected := gone[p.AccountID]; !disconnected && (st.State != "published" || perRef[p.ID] != 1) {
			t.Errorf("%s of a connected account: %s, platform holds %d", p.ID, st.State, perRef[p.ID])
		}
	}
	for a := range gone {
		if _, err := r.vault.Token(context.Background(), a, ""); err == nil {
			t.Errorf("%s still yields a token", a)
		}
		if n := r.rdb.Exists(context.Background(), "herald:{acct:"+a+"}:revoke").Val(); n != 0 {
			// The sandbox has no revoke endpoint: the revoke job deletes at once.
			waitGone(t, r, a)
		}
		info, _ := r.vault.Info(context.Background(), a)
		if info.Status != tokens.StatusDisconnected && info.Status != tokens.StatusRevoking {
			t.Errorf("%s status %s", a, info.Status)
		}
	}
}

func waitGone(t *testing.T, r *rig, account string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for r.rdb.Exists(context.Background(), "herald:{acct:"+account+"}:revoke").Val() != 0 {
		if time.Now().After(deadline) {
			t.Errorf("%s: token awaiting revocation still stored after 30s", account)
			return
		}
		<-tick.C
	}
}

// Redis is killed (SIGKILL) mid-run and comes back from its append-only
// file (appendfsync always): every post SchedulePost acknowledged before
// the crash is published exactly once.
func TestChaosRedisCrash(t *testing.T) {
	t.Parallel()
	r := newRig(t, "always")
	r.sandbox.SetLatency(200 * time.Millisecond) // attempts in flight when Redis dies
	accounts := r.connect(10)
	r.startWorker()
	r.startWorker()
	spread := time.Duration(size(8, 30)) * time.Second
	posts := r.schedule(size(200, 1000), accounts, spread)
	<-time.After(spread / 2)
	if err := r.redis.Crash(context.Background()); err != nil {
		t.Fatal(err)
	}
	states := r.waitFinal(posts, 4*time.Minute)
	r.checkExactlyOnce(posts, states)
}

// Redis freezes (SIGSTOP) for a while, as a network partition would look:
// workers recover on their own, nothing is lost.
func TestChaosRedisFrozen(t *testing.T) {
	t.Parallel()
	r := newRig(t, "everysec")
	accounts := r.connect(10)
	r.startWorker()
	r.startWorker()
	spread := time.Duration(size(8, 30)) * time.Second
	posts := r.schedule(size(200, 1000), accounts, spread)
	<-time.After(spread / 3)
	if err := r.redis.Pause(); err != nil {
		t.Fatal(err)
	}
	<-time.After(time.Duration(size(5, 10)) * time.Second)
	if err := r.redis.Resume(); err != nil {
		t.Fatal(err)
	}
	states := r.waitFinal(posts, 4*time.Minute)
	r.checkExactlyOnce(posts, states)
	// stopAll, at cleanup, fails the test if a worker exited on its own.
}
