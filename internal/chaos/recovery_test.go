package chaos

import (
	"context"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/tenant"
)

// Orphan recovery time: from a worker's SIGKILL to the next attempt at
// each post it was publishing. A kill's snapshot lists the posts
// publishing just after it, with their attempt numbers; a post whose
// attempt n was running then and whose attempt n+1 began later was
// orphaned (nothing else starts a second attempt in a run without
// platform faults), and the time from the kill to attempt n+1's
// post.publishing event is its recovery time.

// killSnapshot is the posts publishing just after a kill.
type killSnapshot struct {
	at       time.Time
	attempts map[string]int
}

// snapshotPublishing lists the posts publishing now, with their attempts.
func (r *rig) snapshotPublishing(posts []jobs.Post, at time.Time) killSnapshot {
	r.t.Helper()
	ctx := context.Background()
	cmds := make([]*redis.SliceCmd, len(posts))
	_, err := r.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, post := range posts {
			cmds[i] = p.HMGet(ctx, "herald:{post:"+post.ID+"}", "state", "attempts")
		}
		return nil
	})
	if err != nil {
		r.t.Logf("snapshot: %v", err)
	}
	s := killSnapshot{at: at, attempts: map[string]int{}}
	for i, c := range cmds {
		v := c.Val()
		if len(v) != 2 {
			continue
		}
		if st, _ := v[0].(string); st == string(jobs.StatePublishing) {
			a, _ := v[1].(string)
			s.attempts[posts[i].ID], _ = strconv.Atoi(a)
		}
	}
	return s
}

// recoveryTimes matches the kills' snapshots with the attempts that
// followed them.
func (r *rig) recoveryTimes(kills []killSnapshot) []time.Duration {
	r.t.Helper()
	began := map[string]map[int]time.Time{} // stored post id -> attempt -> begun
	for _, tn := range append([]string{tenant.Default}, tenants[:]...) {
		msgs, err := r.rdb.XRange(context.Background(), events.StreamOf(tn), "-", "+").Result()
		if err != nil {
			r.t.Fatal(err)
		}
		for _, m := range msgs {
			ev, err := events.Parse(m)
			if err != nil || ev.Type != events.PostPublishing {
				continue
			}
			id := tenant.Qualify(ev.Tenant, ev.PostID)
			if began[id] == nil {
				began[id] = map[int]time.Time{}
			}
			began[id][ev.Attempt] = ev.At
		}
	}
	return recoveries(kills, began)
}

// recoveries matches the kills' snapshots with began, the start of each
// attempt by job and attempt number.
func recoveries(kills []killSnapshot, began map[string]map[int]time.Time) []time.Duration {
	// An orphan stays publishing until recovered, so later kills'
	// snapshots list it too: its kill is the first that lists its
	// attempt (an attempt of a surviving worker ends long before the
	// next kill).
	type attempt struct {
		post string
		n    int
	}
	killed := map[attempt]time.Time{}
	for _, k := range kills {
		for id, n := range k.attempts {
			a := attempt{id, n}
			if at, ok := killed[a]; !ok || k.at.Before(at) {
				killed[a] = k.at
			}
		}
	}
	var out []time.Duration
	for a, kill := range killed {
		if at, ok := began[a.post][a.n+1]; ok && at.After(kill) {
			out = append(out, at.Sub(kill))
		}
	}
	slices.Sort(out)
	return out
}

// percentile is the q-quantile of sorted ds (nearest rank).
func percentile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(ds)))) - 1
	return ds[max(0, min(i, len(ds)-1))]
}
