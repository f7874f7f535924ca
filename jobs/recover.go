package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// Herald's own recoverer. When a worker dies mid-attempt, asynq hands its
// task out again only after the task's 30 s lease has expired and its
// recoverer (once a minute) has run: 60 to 92 s. Herald knows sooner: the
// post's lock stops being renewed and expires within lockTTL of the
// death. The recoverer looks every few seconds at the attempts whose lock
// should have expired, and for each post still publishing with no live
// lock it enqueues the post again under a fresh task id
// ("recover:<attempts>:<post id>", the same for every recoverer that finds
// the same dead attempt, so the enqueue happens once). That is safe
// because the record makes every task idempotent: the new task begins a
// normal attempt, resumes from the checkpoints, and the fence refuses
// anything the dead attempt's worker might still write; the old task,
// when asynq gets to it, finds the post final or busy. The new task's
// retries are its own: the dead attempt counts as no failure.
//
// The index of running attempts is the sorted set herald:attempts (member
// "<post id> <owner>", score: when the lock runs out), written in the
// round trips begin, finish and renewals make anyway.

const (
	attemptsKey       = "herald:attempts"
	recoverLeaseKey   = "herald:recover:lease"
	recoverTaskPrefix = "recover:"
)

func attemptMember(postID, owner string) string { return postID + " " + owner }

// RecoverConfig tunes the recoverer.
type RecoverConfig struct {
	// Every is how often a pass runs somewhere (default 5 s): a dead
	// worker's post is enqueued again at most lockTTL + Every after its
	// last renewal.
	Every time.Duration
	// Batch is how many overdue attempts one pass looks at (default 500).
	Batch int
	// Disabled turns the recoverer off in this worker.
	Disabled bool
}

func (c *RecoverConfig) defaults() {
	if c.Every <= 0 {
		c.Every = 5 * time.Second
	}
	if c.Batch <= 0 {
		c.Batch = 500
	}
}

// orphanScript says what became of an attempt's post. Replies {'gone'}
// (no record, or no longer publishing or cancel_requested: a canceled
// attempt's post still needs the look its next attempt takes),
// {'live', lock_until_ms} or {'orphan', attempts}.
var orphanScript = redis.NewScript(`
local f = redis.call('HMGET', KEYS[1], 'state', 'lock_owner', 'lock_until', 'attempts')
if f[1] ~= 'publishing' and f[1] ~= 'cancel_requested' then return {'gone'} end
` + redisNow + `
local lu = tonumber(f[3] or '0') or 0
if f[2] and f[2] ~= '' and lu > now then return {'live', tostring(lu)} end
return {'orphan', f[4] or '0'}
`)

type recoverer struct {
	c   *Client
	cfg RecoverConfig
	log *slog.Logger
}

func (r *recoverer) run(ctx context.Context) {
	everyLeased(ctx, r.c.store.rdb, recoverLeaseKey, r.cfg.Every, r.pass,
		func(err error) { r.log.Warn("recover: pass failed", "error", err) })
}

// pass looks at the attempts whose lock should have run out by now.
func (r *recoverer) pass(ctx context.Context) error {
	rdb := r.c.store.rdb
	due, err := rdb.ZRangeByScore(ctx, attemptsKey, &redis.ZRangeBy{
		Min: "-inf", Max: strconv.FormatInt(r.c.opts.now().UnixMilli(), 10), Count: int64(r.cfg.Batch),
	}).Result()
	if err != nil {
		return err
	}
	for _, m := range due {
		postID, _, _ := strings.Cut(m, " ")
		res, err := orphanScript.Run(ctx, rdb, []string{recordKey(postID)}).StringSlice()
		if err != nil {
			return err
		}
		switch res[0] {
		case "live":
			// Renewed, or another attempt holds it: look again then.
			until, _ := strconv.ParseFloat(res[1], 64)
			err = rdb.ZAddXX(ctx, attemptsKey, redis.Z{Score: until, Member: m}).Err()
		case "orphan":
			if err = r.enqueue(ctx, postID, res[1]); err == nil {
				err = rdb.ZRem(ctx, attemptsKey, m).Err()
			}
		default:
			err = rdb.ZRem(ctx, attemptsKey, m).Err()
		}
		if err != nil {
			return fmt.Errorf("post %s: %w", postID, err)
		}
	}
	return nil
}

// enqueue hands post id to a worker again, under a task id of its own
// per dead attempt.
func (r *recoverer) enqueue(ctx context.Context, id, attempts string) error {
	rec, ok, err := r.c.store.load(ctx, id)
	if err != nil || !ok {
		return err
	}
	payload, err := json.Marshal(newPublishPayload(rec.Post))
	if err != nil {
		return err
	}
	_, err = r.c.q.EnqueueContext(ctx, asynq.NewTask(TypePublish, payload),
		asynq.TaskID(recoverTaskPrefix+attempts+":"+id), asynq.Queue(QueuePublish),
		asynq.MaxRetry(r.c.opts.maxRetry), asynq.Timeout(publishTimeout))
	if errors.Is(err, asynq.ErrTaskIDConflict) {
		return nil // another recoverer was first
	}
	if err == nil {
		r.log.Warn("recover: an attempt's worker is gone; enqueued the post again", "post_id", id, "attempt", attempts)
	}
	return err
}
