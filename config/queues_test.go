package config

import (
	"maps"
	"testing"

	"github.com/heraldhq/herald/jobs"
)

// TestWorkerQueuesDefaultIsEveryQueue: HERALD_WORKER_QUEUES's default,
// as the README shows it, is the layout of a worker that serves every
// queue at jobs' weights, so a deployment of identical workers leaves
// nothing unserved.
func TestWorkerQueuesDefaultIsEveryQueue(t *testing.T) {
	c, err := LoadFrom(map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.WorkerQueueLayout(); !maps.Equal(got, jobs.Queues()) {
		t.Errorf("default layout %v, want jobs.Queues() %v", got, jobs.Queues())
	}
	if got := (Config{}).WorkerQueueLayout(); !maps.Equal(got, jobs.Queues()) {
		t.Errorf("zero Config's layout %v, want every queue", got)
	}
}

func TestWorkerQueueLayout(t *testing.T) {
	for in, want := range map[string]map[string]int{
		"critical,publish":              {"critical": 10, "publish": 6},
		"critical=1,publish=20":         {"critical": 1, "publish": 20},
		"webhooks,analytics,critical=5": {"critical": 5, "webhooks": 3, "analytics": 1},
	} {
		c, err := LoadFrom(map[string]string{"HERALD_WORKER_QUEUES": in})
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if got := c.WorkerQueueLayout(); !maps.Equal(got, want) {
			t.Errorf("HERALD_WORKER_QUEUES=%s: %v, want %v", in, got, want)
		}
	}
}
