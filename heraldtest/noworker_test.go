package heraldtest_test

import (
	"context"
	"testing"

	"github.com/hibiken/asynq"

	"github.com/heraldhq/herald/heraldtest"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/sandbox"
)

// With NoWorker the app's own worker, wired by the app, is the only one
// publishing.
func TestNoWorkerLeavesTheWorkerToTheApp(t *testing.T) {
	t.Parallel()
	h := heraldtest.Start(t, heraldtest.NoWorker())
	h.ConnectAccount(t, "acct-1")
	ps := []publishers.Platform{sandbox.Platform(h.Sandbox.URL(), nil)}
	// One dequeue loop: the app's worker is then one asynq server.
	w, err := jobs.NewWorker(h.Redis, jobs.WorkerConfig{Publishers: publishers.RegistryOf(ps), Tokens: h.Vault, Sealer: h.Keys, Dequeuers: 1})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- w.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-ran; err != nil {
			t.Errorf("the app's worker: %v", err)
		}
	})

	h.SchedulePost(t, hello("post-1"))
	h.WaitPublished(t, "post-1")

	servers, err := asynq.NewInspectorFromRedisClient(h.Redis).Servers()
	if err != nil {
		t.Fatal(err)
	}
	if len(servers) != 1 {
		t.Errorf("%d asynq servers ran, want only the app's", len(servers))
	}
}
