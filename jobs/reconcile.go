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

// The reconciler settles the posts asynq no longer holds (and the steps
// after publishing, below): a record still
// scheduled or publishing whose task is archived (its retries ran out on
// an attempt that could not say so, or an operator archived it) ends
// failed with the task's last error and post.failed, unless the platform
// may have the post (unknown, cancel_requested, or a checkpoint): that
// one gets a last look first (lookLast, unknown.go). One whose task is
// gone (lost: a Redis restored from an old AOF, a task deleted by hand)
// is enqueued again, under its own task id, and the record decides what
// the task does (publish, wait, or fail as too late).
//
// The steps after publishing (step.go) are settled the same way: a
// published post whose first comment is still pending, or a post still
// removing, whose step task is lost gets the task again (under its own
// task id); one whose task is archived (killed, or waiting, on its last
// try: asynq archives a wait there too, or archived by hand) gets it
// again once (cm_requeued, rm_requeued), and ends the step failed when
// that one is archived too: the comment failed (post.comment_failed),
// the post back to published (post.remove_failed), with rm_sent kept
// when a delete may have gone through, so that asking again looks
// first. The step's own checkpoints make a task run again harmless: a
// comment or delete that may have been sent is looked for first, never
// sent twice.
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
	// comments enqueues first comment steps (nil: pending comments are
	// left alone).
	comments *comments
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
			cmds[i] = pipe.HMGet(ctx, recordKey(id), "state", "updated_at", "cm_state", "rid_pending")
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	settled := 0
	for i, id := range ids {
		v := cmds[i].Val()
		if len(v) != 4 {
			continue
		}
		state, _ := v[0].(string)
		updated, _ := v[1].(string)
		cm, _ := v[2].(string)
		ridPending, _ := v[3].(string)
		step := stepOf(State(state), cm, ridPending == "1")
		if !unsettled(State(state)) && step == nil || r.c.opts.now().Sub(parseMilli(updated)) < r.cfg.Grace {
			continue
		}
		var ok bool
		if step != nil {
			ok, err = r.settleStep(ctx, id, step)
		} else {
			ok, err = r.settle(ctx, id)
		}
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

// postStep is a step after publishing as the reconciler settles it.
type postStep struct {
	name   string // for logs and reasons
	state  State  // the state the step works on
	taskID func(postID string) string
	// requeued marks a record whose step task the reconciler enqueued
	// again after asynq archived it.
	requeued string
	// sent is the step's checkpoint: the platform may have been changed.
	sent string
}

var (
	commentStep = &postStep{name: "first comment", state: StatePublished, taskID: commentTaskID, requeued: "cm_requeued", sent: "cm_sent"}
	removeStep  = &postStep{name: "take-down", state: StateRemoving, taskID: removeTaskID, requeued: "rm_requeued", sent: "rm_sent"}
)

// stepOf says which step a post in state st, with its first comment in
// cm, still needs, if any. A post whose id is pending waits for its
// lookup before its comment.
func stepOf(st State, cm string, ridPending bool) *postStep {
	switch {
	case st == StateRemoving:
		return removeStep
	case st == StatePublished && cm == CommentPending && !ridPending:
		return commentStep
	}
	return nil
}

// settleStep looks at post id's step and settles it when asynq lost or
// archived its task.
func (r *reconciler) settleStep(ctx context.Context, id string, step *postStep) (bool, error) {
	if step == commentStep && r.comments == nil {
		return false, nil
	}
	h, err := r.c.store.rdb.HGetAll(ctx, recordKey(id)).Result()
	if err != nil || len(h) == 0 {
		return false, err
	}
	rec, err := decodeRecord(id, h)
	if err != nil {
		return false, err
	}
	if stepOf(rec.State, h["cm_state"], h["rid_pending"] == "1") != step || r.c.opts.now().Sub(rec.UpdatedAt) < r.cfg.Grace {
		return false, nil
	}
	if held, err := r.c.store.locked(ctx, id); err != nil || held {
		return false, err // the step runs
	}
	info, err := r.c.insp.GetTaskInfo(QueuePublish, step.taskID(id))
	switch {
	case errors.Is(err, asynq.ErrTaskNotFound), errors.Is(err, asynq.ErrQueueNotFound):
		if err := r.enqueueStep(ctx, id, step); err != nil {
			return false, err
		}
		r.log.Warn("reconcile: the post's "+step.name+" task was lost; enqueued it again", "post_id", id)
		return true, nil
	case err != nil:
		return false, err
	case info.State != asynq.TaskStateArchived:
		return false, nil
	}
	reason := step.name + " task archived"
	if info.LastErr != "" {
		reason += ": " + info.LastErr
	}
	if h[step.requeued] == "" {
		tr, err := r.c.store.finish(ctx, id, "", []State{step.state}, nil, step.requeued, "1")
		if err != nil || !tr.Changed {
			return false, err
		}
		if err := r.c.insp.DeleteTask(QueuePublish, step.taskID(id)); err != nil && !errors.Is(err, asynq.ErrTaskNotFound) {
			return false, fmt.Errorf("delete archived task: %w", err) // the next pass enqueues it
		}
		if err := r.enqueueStep(ctx, id, step); err != nil {
			return false, err
		}
		r.log.Warn("reconcile: the post's "+step.name+" task was archived before the step ended; enqueued it again", "post_id", id)
		return true, nil
	}
	sent := h[step.sent] != ""
	var (
		ev     *events.Event
		fields []any
	)
	if step == commentStep {
		warning := "the first comment was not posted: " + reason
		if sent {
			warning = "the first comment may or may not be on the post (it may have been sent, and its task was archived before Herald could look): " + reason
		}
		if rec.Warning != "" {
			warning = rec.Warning + "; " + warning
		}
		ev = &events.Event{Type: events.PostCommentFailed, PostID: id, GroupID: rec.Post.GroupID, AccountID: rec.AccountID, Platform: rec.Platform,
			State: string(StatePublished), RemoteID: rec.RemoteID, URL: rec.URL, Class: ClassArchived, Reason: reason, Warning: warning}
		fields = []any{"cm_state", CommentFailed, "warning", warning}
	} else {
		why := "take-down failed: " + reason
		if sent {
			why += " (the delete may have gone through: asking again looks first)"
		}
		ev = &events.Event{Type: events.PostRemoveFailed, PostID: id, GroupID: rec.Post.GroupID, AccountID: rec.AccountID,
			Platform: rec.Platform, State: string(StatePublished), RemoteID: rec.RemoteID, URL: rec.URL, Class: ClassArchived, Reason: why}
		fields = []any{"state", string(StatePublished), "last_error", why}
	}
	tr, err := r.c.store.finish(ctx, id, "", []State{step.state}, ev, fields...)
	if err != nil || !tr.Changed {
		return false, err
	}
	r.log.Warn("reconcile: the post's "+step.name+" task was archived twice; the step failed", "post_id", id)
	return true, nil
}

// enqueueStep enqueues post id's step task again; one that exists is as
// good.
func (r *reconciler) enqueueStep(ctx context.Context, id string, step *postStep) error {
	if step == commentStep {
		return r.comments.enqueue(ctx, id, 0)
	}
	return r.c.enqueueRemove(ctx, id)
}
