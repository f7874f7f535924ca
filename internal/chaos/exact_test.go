package chaos

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers/sandbox/sandboxtest"
	"github.com/heraldhq/herald/tenant"
)

// The scenarios of issue 19 (exactly once, closed): retries that run
// out, a worker stalled past its post's lock, cancels racing lost
// answers.

// signal sends sig to worker id.
func (r *rig) signal(id int, sig syscall.Signal) {
	r.t.Helper()
	r.mu.Lock()
	p := r.workers[id]
	r.mu.Unlock()
	if p == nil {
		r.t.Fatalf("no worker %d", id)
	}
	if err := p.cmd.Process.Signal(sig); err != nil {
		r.t.Fatalf("signal worker %d: %v", id, err)
	}
}

// stop ends worker id with SIGTERM and waits until it has exited: all it
// was going to write is written.
func (r *rig) stop(id int) {
	r.t.Helper()
	r.mu.Lock()
	p := r.workers[id]
	delete(r.workers, id)
	r.mu.Unlock()
	if p == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
		r.t.Errorf("worker %d did not stop within 15s of SIGTERM", id)
	}
}

// eventsOf counts the events of every tenant's stream by stored post id
// and type.
func (r *rig) eventsOf() map[string]map[string]int {
	r.t.Helper()
	out := map[string]map[string]int{}
	for _, tn := range append([]string{tenant.Default}, tenants[:]...) {
		msgs, err := r.rdb.XRange(context.Background(), events.StreamOf(tn), "-", "+").Result()
		if err != nil {
			r.t.Fatal(err)
		}
		for _, m := range msgs {
			ev, err := events.Parse(m)
			if err != nil || ev.PostID == "" {
				continue
			}
			id := tenant.Qualify(ev.Tenant, ev.PostID)
			if out[id] == nil {
				out[id] = map[string]int{}
			}
			out[id][ev.Type]++
		}
	}
	return out
}

// Every call fails (503) and a post may be retried twice: every post ends
// failed, "retries exhausted", with one post.failed, and none is
// published.
func TestChaosRetriesExhausted(t *testing.T) {
	t.Parallel()
	r := newRig(t, "everysec")
	r.client = jobs.NewClient(r.rdb, jobs.WithMaxRetry(2))
	r.sandbox.SetFaultRate(1, 3, sandboxtest.Fault{Status: 503})
	accounts := r.connect(5)
	r.startWorker("HERALD_RETRY_MAX=2")
	r.startWorker("HERALD_RETRY_MAX=2")
	posts := r.schedule(size(40, 400), accounts, time.Duration(size(3, 10))*time.Second)
	states := r.waitFinal(posts, 3*time.Minute)
	evs := r.eventsOf()
	bad := 0
	for _, p := range posts {
		st := states[p.ID]
		ok := st.State == jobs.StateFailed && strings.HasPrefix(st.Reason, "retries exhausted: ") && st.Attempts == 3 &&
			evs[p.ID][events.PostFailed] == 1 && evs[p.ID][events.PostPublished] == 0
		if !ok {
			bad++
			if bad <= 10 {
				t.Errorf("%s: %s after %d attempts (%q), events %v", p.ID, st.State, st.Attempts, st.Reason, evs[p.ID])
			}
		}
	}
	if n := len(r.sandbox.Posts()); n != 0 {
		t.Errorf("%d posts published through a platform that fails every call", n)
	}
}

// A worker freezes (SIGSTOP) in the middle of publishing, past its posts'
// lock lifetime, while another worker takes them over; then it thaws
// (SIGCONT). Every post is published exactly once, by the worker that
// took over: the frozen worker's writes are refused.
func TestChaosWorkerStalled(t *testing.T) {
	t.Parallel()
	r := newRig(t, "everysec")
	// Each call takes long enough that the freeze lands mid-attempt.
	r.sandbox.SetLatency(1500 * time.Millisecond)
	accounts := r.connect(4)
	// A slot for every post, so that all of them are mid-attempt when
	// the worker freezes (the rig's default concurrency is 20).
	n := size(8, 40)
	frozen := r.startWorker("HERALD_WORKER_CONCURRENCY=" + strconv.Itoa(max(n, 20)))
	posts := r.schedule(n, accounts, time.Second)
	waitFor(t, time.Minute, "every post publishing", func() bool {
		for _, p := range posts {
			if st, err := r.status(p.ID); err != nil || st.State != jobs.StatePublishing {
				return false
			}
		}
		return true
	})
	r.signal(frozen, syscall.SIGSTOP)
	stalled := time.Now()
	r.startWorker()
	states := r.waitFinal(posts, 3*time.Minute)
	t.Logf("taken over and published %s after the freeze", time.Since(stalled).Round(time.Second))
	// Thaw, and let the stalled worker do all it will before checking.
	r.signal(frozen, syscall.SIGCONT)
	r.stop(frozen)
	r.checkExactlyOnce(posts, states)
	byRef := map[string]string{}
	for _, p := range r.sandbox.Posts() {
		byRef[p.Ref] = p.ID
	}
	for _, p := range posts {
		st, err := r.status(p.ID)
		if err != nil || st.State != jobs.StatePublished || st.RemoteID != byRef[p.ID] {
			t.Errorf("%s after the thaw: %s %q, platform has %q (%v)", p.ID, st.State, st.RemoteID, byRef[p.ID], err)
		}
	}
}

// The platform loses a third of its answers after doing the work, while
// the app cancels every post at a random moment (before, during or
// after its attempts). Every post ends published or canceled, never
// cancel_requested for ever; every post the platform has says published
// (and got post.cancel_failed when its cancel lost), every canceled one
// is not on the platform, and none is there twice.
func TestChaosCancelsRaceLostAnswers(t *testing.T) {
	t.Parallel()
	r := newRig(t, "everysec")
	r.sandbox.SetLatency(100 * time.Millisecond)
	r.sandbox.SetFaultRate(0.33, 11, sandboxtest.Fault{LoseResponse: true})
	accounts := r.connect(10)
	r.startWorker()
	r.startWorker()
	spread := time.Duration(size(4, 15)) * time.Second
	posts := r.schedule(size(150, 800), accounts, spread)
	rng := rand.New(rand.NewPCG(5, 8))
	order := rng.Perm(len(posts))
	start := time.Now()
	for i, k := range order {
		// Cancels spread over the posts' due times and a little after.
		at := start.Add(spread * 3 / 2 * time.Duration(i) / time.Duration(len(posts)))
		<-time.After(time.Until(at))
		if err := r.cancel(posts[k].ID); err != nil && !errors.Is(err, jobs.ErrAlreadyPublished) {
			t.Errorf("CancelPost(%s): %v", posts[k].ID, err)
		}
	}
	states := r.waitFinal(posts, 3*time.Minute)
	perRef := map[string]int{}
	for _, p := range r.sandbox.Posts() {
		perRef[p.Ref]++
	}
	evs := r.eventsOf()
	counts := map[string]int{}
	bad := 0
	for _, p := range posts {
		st := states[p.ID]
		counts[string(st.State)]++
		var why string
		switch {
		case perRef[p.ID] > 1:
			why = fmt.Sprintf("on the platform %d times", perRef[p.ID])
		case perRef[p.ID] == 1 && st.State != jobs.StatePublished:
			why = "on the platform but " + string(st.State)
		case perRef[p.ID] == 0 && st.State != jobs.StateCanceled:
			why = "not on the platform but " + string(st.State)
		case evs[p.ID][events.PostCancelRequested] > 0 && st.State == jobs.StatePublished && evs[p.ID][events.PostCancelFailed] != 1:
			why = "published after a cancel request without one post.cancel_failed"
		}
		if why != "" {
			bad++
			if bad <= 10 {
				t.Errorf("%s: %s (events %v)", p.ID, why, evs[p.ID])
			}
		}
	}
	t.Logf("outcomes %v; %d cancels lost to the platform", counts, countEvents(evs, events.PostCancelFailed))
}

func countEvents(evs map[string]map[string]int, typ string) int {
	n := 0
	for _, m := range evs {
		n += m[typ]
	}
	return n
}

// The platform loses a third of its answers after doing the work, and
// half the accounts are disconnected mid-run, each the moment one of its
// posts may be on the platform without Herald knowing (an answer lost
// after a draft was saved, the retry waiting), so that the post's look
// must use the token the disconnect kept for its revocation. No post is left in a state that is not final; none is on
// the platform twice, nor published after its account's Disconnect
// returned; every post's state agrees with the platform: published if it
// is there (with post.cancel_failed when a cancel lost), canceled if it
// is not; and every disconnected token is deleted once the looks are
// done.
func TestChaosDisconnectsRaceLostAnswers(t *testing.T) {
	t.Parallel()
	r := newRig(t, "everysec")
	r.sandbox.SetLatency(50 * time.Millisecond)
	r.sandbox.SetFaultRate(0.33, 17, sandboxtest.Fault{LoseResponse: true})
	accounts := r.connect(10)
	// Retries a second or two away: such posts wait long enough for a
	// disconnect to find them.
	r.startWorker("HERALD_RETRY_BASE=1s", "HERALD_RETRY_CAP=3s")
	r.startWorker("HERALD_RETRY_BASE=1s", "HERALD_RETRY_CAP=3s")
	spread := time.Duration(size(8, 30)) * time.Second
	posts := r.schedule(size(200, 1000), accounts, spread)
	byAccount := map[string][]string{}
	for _, p := range posts {
		byAccount[p.AccountID] = append(byAccount[p.AccountID], p.ID)
	}

	gone := map[string]time.Time{}
	caught := 0 // accounts disconnected with a post the platform may have
	deadline := time.Now().Add(spread + 5*time.Second)
	// Half the accounts go, each the moment one of its posts may be on
	// the platform (whichever account that is first); those not caught
	// by the deadline go then.
	left := slices.Clone(accounts)
	for range len(accounts) / 2 {
		a, ok := r.waitMaybePublished(left, byAccount, deadline)
		if ok {
			caught++
		}
		if err := r.vault.Disconnect(context.Background(), a); err != nil {
			t.Fatalf("Disconnect(%s): %v", a, err)
		}
		gone[a] = time.Now()
		left = slices.DeleteFunc(left, func(b string) bool { return b == a })
	}
	if caught == 0 {
		t.Error("no account was disconnected with a post the platform may have: the scenario proved nothing")
	}
	states := r.waitFinal(posts, 3*time.Minute)

	perRef := map[string]int{}
	for _, p := range r.sandbox.Posts() {
		perRef[p.Ref]++
		if at, ok := gone[p.AccountID]; ok && p.CreatedAt.After(at) {
			t.Errorf("%s of disconnected %s published %s after Disconnect returned", p.Ref, p.AccountID, p.CreatedAt.Sub(at))
		}
	}
	evs := r.eventsOf()
	counts := map[string]int{}
	looked := 0 // posts settled by a look after their account went
	bad := 0
	for _, p := range posts {
		st := states[p.ID]
		_, disconnected := gone[p.AccountID]
		counts[string(st.State)]++
		if disconnected && evs[p.ID][events.PostCancelRequested] > 0 {
			looked++
		}
		var why string
		switch {
		case perRef[p.ID] > 1:
			why = fmt.Sprintf("on the platform %d times", perRef[p.ID])
		case perRef[p.ID] == 1 && st.State != jobs.StatePublished:
			why = fmt.Sprintf("on the platform but %s (%s: %s)", st.State, st.FailureClass, st.Reason)
		case perRef[p.ID] == 0 && st.State != jobs.StateCanceled:
			why = fmt.Sprintf("not on the platform but %s (%s: %s)", st.State, st.FailureClass, st.Reason)
		case !disconnected && st.State != jobs.StatePublished:
			why = "of a connected account, not published"
		case evs[p.ID][events.PostCancelRequested] > 0 && st.State == jobs.StatePublished && evs[p.ID][events.PostCancelFailed] != 1:
			why = "published after a cancel request without one post.cancel_failed"
		}
		if why != "" {
			bad++
			if bad <= 10 {
				t.Errorf("%s: %s (events %v)", p.ID, why, evs[p.ID])
			}
		}
	}
	t.Logf("outcomes %v; %d of %d accounts disconnected with a post the platform may have; %d posts settled by a look after the disconnect",
		counts, caught, len(gone), looked)
	for a := range gone {
		if _, err := r.vault.Token(context.Background(), a, ""); err == nil {
			t.Errorf("%s still yields a token", a)
		}
		waitGone(t, r, a)
	}
}

// waitMaybePublished waits until a post of one of accounts may be on
// the platform without Herald knowing (a checkpoint saved, the outcome
// unknown or the retry waiting) and returns that account, or, at the
// deadline, the first of accounts and false.
func (r *rig) waitMaybePublished(accounts []string, byAccount map[string][]string, deadline time.Time) (string, bool) {
	ctx := context.Background()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for time.Now().Before(deadline) {
		for _, a := range accounts {
			for _, id := range byAccount[a] {
				h, err := r.rdb.HGetAll(ctx, "herald:{post:"+id+"}").Result()
				if err != nil || (h["state"] != string(jobs.StateUnknown) && h["state"] != string(jobs.StateScheduled)) {
					continue
				}
				for k := range h {
					if strings.HasPrefix(k, "cp:") {
						return a, true
					}
				}
			}
		}
		<-tick.C
	}
	return accounts[0], false
}
