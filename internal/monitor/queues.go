package monitor

import (
	"fmt"
	"sort"
	"time"

	"github.com/hibiken/asynq"
)

// Queue is one asynq queue at a glance.
type Queue struct {
	Name                                              string
	Size, Pending, Active, Scheduled, Retry, Archived int
	Paused                                            bool
	// OldestPending is how long the oldest pending task has waited to be
	// picked up (0 with none pending).
	OldestPending time.Duration
}

// Queues reports every queue asynq knows in Redis, by name.
func Queues(insp *asynq.Inspector) ([]Queue, error) {
	names, err := insp.Queues()
	if err != nil {
		return nil, fmt.Errorf("queues: %w", err)
	}
	sort.Strings(names)
	out := make([]Queue, 0, len(names))
	for _, n := range names {
		qi, err := insp.GetQueueInfo(n)
		if err != nil {
			return out, fmt.Errorf("queue %s: %w", n, err)
		}
		out = append(out, Queue{
			Name: n, Size: qi.Size, Pending: qi.Pending, Active: qi.Active, Scheduled: qi.Scheduled,
			Retry: qi.Retry, Archived: qi.Archived, Paused: qi.Paused, OldestPending: qi.Latency,
		})
	}
	return out, nil
}
