package monitor_test

import (
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/heraldhq/herald/internal/monitor"
	"github.com/heraldhq/herald/internal/redistest"
)

func TestQueuesReportsSizesAndOldestPending(t *testing.T) {
	db := redistest.New(t)
	q := asynq.NewClientFromRedisClient(db.Client)
	start := time.Now()
	for range 2 {
		if _, err := q.Enqueue(asynq.NewTask("post:publish", nil), asynq.Queue("publish")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := q.Enqueue(asynq.NewTask("post:publish", nil), asynq.Queue("publish"), asynq.ProcessIn(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := q.Enqueue(asynq.NewTask("account:revoke", nil), asynq.Queue("critical")); err != nil {
		t.Fatal(err)
	}
	got, err := monitor.Queues(asynq.NewInspectorFromRedisClient(db.Client))
	if err != nil {
		t.Fatal(err)
	}
	waited := time.Since(start)
	if len(got) != 2 || got[0].Name != "critical" || got[1].Name != "publish" {
		t.Fatalf("queues = %+v", got)
	}
	if c := got[0]; c.Size != 1 || c.Pending != 1 {
		t.Errorf("critical = %+v", c)
	}
	// The oldest pending task waited since it was enqueued: more than
	// nothing, and no longer than this test has run.
	if p := got[1]; p.Size != 3 || p.Pending != 2 || p.Scheduled != 1 || p.OldestPending <= 0 || p.OldestPending > waited {
		t.Errorf("publish = %+v (oldest pending must be in (0, %s])", p, waited)
	}
}
