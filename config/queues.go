package config

import "github.com/heraldhq/herald/jobs"

// WorkerQueueLayout is HERALD_WORKER_QUEUES as jobs.WorkerConfig.Queues
// takes it: each queue the worker serves, with its weight. Load has
// checked it with jobs.ParseQueues, the one reader of the format; a
// Config not made by Load (zero) serves every queue.
func (c Config) WorkerQueueLayout() map[string]int {
	layout, err := jobs.ParseQueues(c.WorkerQueues)
	if err != nil {
		return jobs.Queues()
	}
	return layout
}
