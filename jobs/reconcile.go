package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/events"
)

// The reconciler settles the posts asynq no longer holds: a record still
// scheduled or publishing whose task is archived (its retries ran out on
// an attempt that could not say so, or an operator archived it) ends
// failed with the task's last error and post.failed, unless the platform
// may have the post (unknown, cancel_requested, or a checkpoint): that
// one gets a last look first (lookLast, unknown.go). One whose task is
// gone (lost: a Redis restored from an old AOF, a task deleted by hand)
// is enqueued again, under its own task id, and the record decides what
// the task does (publish, wait, or fail as too late).
//
// Every worker runs it, but one pass at a time in all: a pass takes a
// lease in Redis for the interval. A pass reads at most ReconcileConfig.Batch
// records, resuming the walk of the key space where the last pass left
// it, so its cost is bounded however many posts Redis holds.

// ClassArchived is the failure class of a post whose task asynq archived
// without the handler recording why (its retries ran out on an attempt
// that was killed, or the task was archived by hand).
const ClassArchived = "archived"

// ReconcileConfig tunes the reconciler.
type ReconcileConfig struct {
	// Every is how often a pass runs somewhere (default 1 minute).
	Every time.Duration
	// Grace is how long a record must be left untouched before its
	// missing task counts as lost (default 2 minutes): SchedulePost writes
	// the record just before it enqueues the task.
	Grace time.Duration
	// Batch is how many records one pass reads at most (default 2000).
	Batch int
	// Disabled turns the reconciler off in this worker.
	Disabled bool
}

func (c *ReconcileConfig) defaults() {
	if c.Every <= 0 {
		c.Every = time.Minute
	}
	if c.Grace <= 0 {
		c.Grace = 2 * time.Minute
	}
	if c.Batch <= 0 {
		c.Batch = 2000
	}
}

const (
	reconcileLeaseKey  = "herald:reconcile:lease"
	reconcileCursorKey = "herald:reconcile:cursor:" // + node address
)

type reconciler struct {
	c   *Client
	cfg ReconcileConfig
	log *slog.Logger
}

// run makes a pass every cfg.Every until ctx ends, one worker at a time.
func (r *reconciler) run(ctx context.Context) {
	settled := 0
	everyLeased(ctx, r.c.store.rdb, reconcileLeaseKey, r.cfg.Every,
		func(ctx context.Context) (err error) { settled, err = r.pass(ctx); return err },
		func(err error) { r.log.Warn("reconcile: pass failed", "error", err, "settled", settled) })
}

// pass reads up to cfg.Batch records and settles those asynq lost; it
// returns how many it settled.
func (r *reconciler) pass(ctx context.Context) (int, error) {
	var ids []string
	scan := func(ctx context.Context, node *redis.Client) error {
		key := reconcileCursorKey + node.Options().Addr
		cursor, _ := r.c.store.rdb.Get(ctx, key).Uint64()
		for len(ids) < r.cfg.Batch {
			keys, next, err := node.Scan(ctx, cursor, "herald:{post:*}", 500).Result()
			if err != nil {
				return err
			}
			for _, k := range keys {
				if id, ok := strings.CutPrefix(k, "herald:{post:"); ok {
					ids = append(ids, strings.TrimSuffix(id, "}"))
				}
			}
			cursor = next
			if cursor == 0 {
				break
			}
		}
		return r.c.store.rdb.Set(ctx, key, cursor, 0).Err()
	}
	var err error
	switch rdb := r.c.store.rdb.(type) {
	case *redis.ClusterClient:
		// Each shard is walked with its own cursor; ids is shared, so
		// walk them one at a time.
		// ForEachMaster calls its function from a goroutine per shard.
		var (
			mu    sync.Mutex
			nodes []*redis.Client
		)
		_ = rdb.ForEachMaster(ctx, func(_ context.Context, node *redis.Client) error {
			mu.Lock()
			defer mu.Unlock()
			nodes = append(nodes, node)
			return nil
		})
		for _, n := range nodes {
			if err = scan(ctx, n); err != nil {
				break
			}
		}
	case *redis.Client:
		err = scan(ctx, rdb)
	default:
		return 0, fmt.Errorf("reconcile: unsupported redis client %T", rdb)
	}
	if err != nil {
		return 0, err
	}
	// One pipelined read of the fields that decide, for the whole batch;
	// only the few candidates are read whole.
	cmds := make([]*redis.SliceCmd, len(ids))
	_, err = r.c.store.rdb.Pipelined(ctx, func(pipe redis.Pipeliner) error {
		for i, id := range ids {
			cmds[i] = pipe.HMGet(ctx, recordKey(id), "state", "updated_at")
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	settled := 0
	for i, id := range ids {
		v := cmds[i].Val()
		if len(v) != 2 {
			continue
		}
		state, _ := v[0].(string)
		updated, _ := v[1].(string)
		if !unsettled(State(state)) || r.c.opts.now().Sub(parseMilli(updated)) < r.cfg.Grace {
			continue
		}
		ok, err := r.settle(ctx, id)
		if err != nil {
			return settled, fmt.Errorf("post %s: %w", id, err)
		}
		if ok {
			settled++
		}
	}
	return settled, nil
}

// unsettled says whether a post in state st still needs its task: an
// unknown or cancel_requested post too (its next attempt learns the
// outcome), though one the platform may have is not failed when its
// task is archived before a last look (lookLast).
func unsettled(st State) bool {
	switch st {
	case StateScheduled, StatePublishing, StateUnknown, StateCancelRequested:
		return true
	}
	return false
}

// settle looks at post id and settles it when asynq lost its task.
func (r *reconciler) settle(ctx context.Context, id string) (bool, error) {
	rec, ok, err := r.c.store.load(ctx, id)
	if err != nil || !ok || !unsettled(rec.State) {
		return false, err
	}
	if r.c.opts.now().Sub(rec.UpdatedAt) < r.cfg.Grace {
		return false, nil
	}
	if held, err := r.c.store.locked(ctx, id); err != nil || held {
		return false, err // an attempt runs (perhaps under another task id)
	}
	info, err := r.c.insp.GetTaskInfo(QueuePublish, publishTaskID(id))
	switch {
	case errors.Is(err, asynq.ErrTaskNotFound), errors.Is(err, asynq.ErrQueueNotFound):
		if err := r.c.enqueue(ctx, rec.Post); err != nil {
			return false, err
		}
		r.log.Warn("reconcile: the post's task was lost; enqueued it again", "post_id", id)
		return true, nil
	case err != nil:
		return false, err
	case info.State != asynq.TaskStateArchived:
		return false, nil
	}
	reason := "task archived: " + info.LastErr
	if info.LastErr == "" {
		reason = "task archived"
	}
	if rec.State == StateUnknown || rec.State == StateCancelRequested || len(rec.Checkpoints) > 0 {
		// The platform may have the post: never failed without a look.
		return r.lookLast(ctx, rec, reason)
	}
	ev := &events.Event{PostID: id, GroupID: rec.Post.GroupID, AccountID: rec.AccountID, Platform: rec.Platform, State: string(StateFailed), Attempt: rec.Attempts, Class: ClassArchived, Reason: reason}
	tr, err := r.c.store.finish(ctx, id, "", []State{StateScheduled, StatePublishing}, ev,
		"state", string(StateFailed), "class", ClassArchived, "reason", reason)
	if err != nil || !tr.Changed {
		return false, err
	}
	r.log.Warn("reconcile: the post's task was archived; marked it failed", "post_id", id)
	return true, nil
}

// lookLast settles a post the platform may have whose task asynq
// archived: the first time it marks the record for a last look
// (last_look, unknown.go) and enqueues the task again; a marked post
// whose task is archived again (its look was killed, or waited, on its
// last try) ends failed, class outcome_unknown, with post.failed.
func (r *reconciler) lookLast(ctx context.Context, rec record, reason string) (bool, error) {
	id := rec.PostID
	from := []State{StateScheduled, StatePublishing, StateUnknown, StateCancelRequested}
	if rec.LastLook != "" {
		why := "the post's last look did not end (" + reason + "): whether the platform has the post could not be learned"
		if rec.State == StateCancelRequested {
			why = unresolvedReason + why
		}
		ev := &events.Event{PostID: id, GroupID: rec.Post.GroupID, AccountID: rec.AccountID, Platform: rec.Platform, State: string(StateFailed), Attempt: rec.Attempts, Class: ClassOutcomeUnknown, Reason: why}
		tr, err := r.c.store.finish(ctx, id, "", from, ev, "state", string(StateFailed), "class", ClassOutcomeUnknown, "reason", why)
		if err != nil || !tr.Changed {
			return false, err
		}
		r.log.Warn("reconcile: the post's last look was archived; failed, class outcome_unknown: check the platform", "post_id", id)
		return true, nil
	}
	fields := []any{"last_look", ClassArchived + ":" + reason}
	var ev *events.Event
	if rec.State == StateScheduled || rec.State == StatePublishing {
		// A checkpoint says the platform may have it.
		fields = append(fields, "state", string(StateUnknown))
		ev = &events.Event{Type: events.PostUnknown, PostID: id, GroupID: rec.Post.GroupID, AccountID: rec.AccountID, Platform: rec.Platform, State: string(StateUnknown), Attempt: rec.Attempts, Class: ClassArchived, Reason: reason}
	}
	tr, err := r.c.store.finish(ctx, id, "", from, ev, fields...)
	if err != nil || !tr.Changed {
		return false, err
	}
	if err := r.c.insp.DeleteTask(QueuePublish, publishTaskID(id)); err != nil && !errors.Is(err, asynq.ErrTaskNotFound) {
		return false, fmt.Errorf("delete archived task: %w", err) // the next pass enqueues it
	}
	if err := r.c.enqueue(ctx, rec.Post); err != nil {
		return false, err
	}
	r.log.Warn("reconcile: the post's task was archived while the platform may have the post; enqueued a last look", "post_id", id)
	return true, nil
}
