package main

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/hibiken/asynq"

	"github.com/heraldhq/herald/internal/monitor"
	"github.com/heraldhq/herald/jobs"
)

// doctorWorkers lists the live workers from asynq's server list (each
// asynq server's heartbeat, written every 5s and kept for 10s, says which
// queues it serves) and checks that every queue Herald uses is served by
// one of them. A queue nobody serves is a problem, named with the age of
// its oldest pending task: with HERALD_WORKER_QUEUES a deployment can
// leave one out, and nothing tells it otherwise, since the tasks simply
// wait. With no worker running at all, only queues with tasks waiting
// are problems, and the rest a warning: doctor also runs before a first
// deployment. It returns the live workers, or ok false when it could not
// list them.
func doctorWorkers(d *diagnosis, insp *asynq.Inspector, qs []monitor.Queue) (live []*worker, ok bool) {
	servers, err := insp.Servers()
	if err != nil {
		fmt.Fprintln(d.w, "workers: PROBLEM")
		d.problem("list the live workers: %v", err)
		return nil, false
	}
	live = liveWorkers(liveServers(servers))
	served := map[string]bool{}
	fmt.Fprintf(d.w, "workers: %d live\n", len(live))
	for _, w := range live {
		for q := range w.Queues {
			served[q] = true
		}
		fmt.Fprintf(d.w, "  %s pid %d: queues %s, concurrency %d in %d dequeue loops, %d running, up %s\n",
			w.Host, w.PID, jobs.FormatQueues(w.Queues), w.Concurrency, w.Loops, w.Running, time.Since(w.Started).Round(time.Second))
	}
	byName := map[string]monitor.Queue{}
	for _, q := range qs {
		byName[q.Name] = q
	}
	for _, name := range jobs.QueueNames() {
		if served[name] {
			continue
		}
		q := byName[name]
		waiting := "nothing pending"
		if q.Pending > 0 {
			waiting = fmt.Sprintf("%d pending, the oldest for %s", q.Pending, q.OldestPending.Round(time.Second))
		}
		switch {
		case len(live) > 0:
			d.problem("queue %s is served by no live worker (%s): run a worker whose HERALD_WORKER_QUEUES or --queues includes %s", name, waiting, name)
		case q.Pending > 0:
			d.problem("queue %s is served by no live worker (%s): no worker is running", name, waiting)
		}
	}
	if len(live) == 0 {
		d.warn("no worker is running: nothing is published, revoked or delivered until one starts")
	}
	return live, true
}

// liveServers keeps the servers taking tasks ("active": not stopping),
// by host and pid.
func liveServers(servers []*asynq.ServerInfo) []*asynq.ServerInfo {
	var live []*asynq.ServerInfo
	for _, s := range servers {
		if s.Status == "active" {
			live = append(live, s)
		}
	}
	slices.SortFunc(live, func(a, b *asynq.ServerInfo) int {
		return cmp.Or(cmp.Compare(a.Host, b.Host), cmp.Compare(a.PID, b.PID), cmp.Compare(a.ID, b.ID))
	})
	return live
}

// worker is one worker process: the live asynq servers of one host and
// pid, one per dequeue loop (HERALD_WORKER_DEQUEUERS).
type worker struct {
	Host        string
	PID         int
	Queues      map[string]int
	Concurrency int
	Running     int
	Loops       int
	Started     time.Time
}

// liveWorkers groups live servers, sorted by host and pid, into their
// processes.
func liveWorkers(live []*asynq.ServerInfo) []*worker {
	var ws []*worker
	for _, s := range live {
		if n := len(ws); n == 0 || ws[n-1].Host != s.Host || ws[n-1].PID != s.PID {
			ws = append(ws, &worker{Host: s.Host, PID: s.PID, Queues: map[string]int{}, Started: s.Started})
		}
		w := ws[len(ws)-1]
		maps.Copy(w.Queues, s.Queues)
		w.Concurrency += s.Concurrency
		w.Running += len(s.ActiveWorkers)
		w.Loops++
		if s.Started.Before(w.Started) {
			w.Started = s.Started
		}
	}
	return ws
}
