package jobs_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/publisherstest"
)

// TestRepeatedDisconnectWaitsForTheRunningAttempt: a Disconnect whose
// first call failed (here: it gave up waiting) is called again; the
// second call, which cancels nothing, still waits until the attempt that
// was talking to the platform has ended.
func TestRepeatedDisconnectWaitsForTheRunningAttempt(t *testing.T) {
	e := newVaultEnv(t)
	e.connect("acct-1", time.Now().Add(time.Hour))
	reached, release := make(chan struct{}), make(chan struct{})
	var running atomic.Bool
	platform := &publisherstest.Platform{Hook: func(_ context.Context, step string, _ publishers.Request) error {
		if step == publisherstest.StepCreate {
			running.Store(true)
			close(reached)
			<-release // a platform call that does not heed cancellation
			running.Store(false)
		}
		return nil
	}}
	reg := publishers.NewRegistry()
	reg.Register("sandbox", platform)
	e.env.startWorker(reg, func(c *jobs.WorkerConfig) { c.Tokens = e.vault })
	e.schedule(e.post("live", time.Now()))
	<-reached

	first, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := e.vault.Disconnect(first, "acct-1"); err == nil {
		t.Fatal("the first Disconnect returned while the attempt runs")
	}
	if st := e.status("live"); st.State != jobs.StateCanceled {
		t.Fatalf("after the first Disconnect the post is %s", st.State)
	}

	returned := make(chan bool, 1)
	go func() {
		err := e.vault.Disconnect(context.Background(), "acct-1")
		returned <- err == nil && !running.Load()
	}()
	// Broken, the second call returns at once; give it the time to.
	select {
	case ok := <-returned:
		t.Fatalf("the second Disconnect returned while the attempt runs (clean: %v)", ok)
	case <-time.After(500 * time.Millisecond):
	}
	close(release)
	select {
	case ok := <-returned:
		if !ok {
			t.Error("the second Disconnect failed, or returned before the attempt ended")
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the second Disconnect never returned")
	}
	if posts := platform.Posts("live"); len(posts) != 0 {
		t.Errorf("a post of the disconnected account went out: %v", posts)
	}
}
