package jobs

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/publishers"
)

// The post's lock is a fence, not only a flag. A worker can stall (a GC
// pause, a SIGSTOP, a VM migration) past the lock's lifetime while
// another attempt takes the post over; when it resumes, nothing it does
// may count. So:
//
//   - every write of an attempt (a checkpoint, its outcome) names the
//     lock's owner and its script refuses it when the record's lock_owner
//     is another's: the stalled worker cannot save its draft over the new
//     attempt's, nor record its outcome over the new attempt's;
//   - a renewal that is refused, or that fails, cancels the attempt's
//     context at once (asynq does the same when its lease expires), so a
//     worker that lost the post stops before its next platform call;
//   - the scripts read the time from Redis, so a worker whose clock runs
//     behind cannot think its lock still live.
//
// The fence costs no round trip: the owner check sits inside the begin,
// finish and checkpoint scripts an attempt runs anyway.

// errLockLost says the attempt no longer holds its post: another attempt
// took it over, or the post was canceled or erased meanwhile. The attempt
// stops and writes nothing more.
var errLockLost = errors.New("this attempt lost the post's lock (another attempt took it over, or it was canceled)")

// renewScript extends owner's lock while the post is being published.
// ARGV owner, lock_ttl_ms. Replies 1, or 0 when the lock is another's or
// the post is no longer publishing (canceled, erased, or cancel_requested
// unless this attempt is the one resolving it).
var renewScript = redis.NewScript(`
local f = redis.call('HMGET', KEYS[1], 'lock_owner', 'state', 'resolver')
if f[1] ~= ARGV[1] then return 0 end
if f[2] ~= 'publishing' and not (f[2] == 'cancel_requested' and f[3] == ARGV[1]) then return 0 end
` + redisNow + `
redis.call('HSET', KEYS[1], 'lock_until', tostring(now + tonumber(ARGV[2])))
return 1
`)

// keepLocked renews owner's lock on postID until the returned stop is
// called. The returned context is ctx, canceled (with errLockLost as its
// cause) as soon as a renewal is refused or fails, or lose is called (a
// checkpoint save was refused): the attempt must stop then. A timer
// rather than a goroutine per attempt: most attempts end before the first
// renewal, and then the timer is all they cost. A renewal runs under ctx,
// bounded by renewEvery, so a Redis that hangs cannot hold it past the
// attempt, and none is made after ctx ended (the attempt is over; its
// lock runs out). stop waits for a renewal in flight; none starts after
// it.
func (s *store) keepLocked(ctx context.Context, postID, owner string) (actx context.Context, lose context.CancelCauseFunc, stop func()) {
	actx, cancel := context.WithCancelCause(ctx)
	var (
		mu      sync.Mutex
		stopped bool
		t       *time.Timer
	)
	mu.Lock()
	defer mu.Unlock()
	t = time.AfterFunc(s.renewEvery, func() {
		mu.Lock()
		defer mu.Unlock()
		if stopped {
			return
		}
		if s.renewed != nil {
			defer s.renewed()
		}
		if ctx.Err() != nil {
			return
		}
		rctx, done := context.WithTimeout(ctx, s.renewEvery)
		n, err := renewScript.Run(rctx, s.rdb, []string{recordKey(postID)}, owner, s.lockTTL.Milliseconds()).Int()
		done()
		switch {
		case ctx.Err() != nil:
			// The attempt ended meanwhile: nothing to stop.
		case err != nil:
			// Whether the lock is still ours is unknown: stop rather than
			// publish beside an attempt that may have taken over.
			cancel(fmt.Errorf("%w: renewal failed: %w", errLockLost, err))
		case n != 1:
			cancel(errLockLost)
		default:
			if s.trackAttempts {
				_ = s.rdb.ZAddXX(context.Background(), attemptsKey, redis.Z{Score: float64(s.now().Add(s.lockTTL).UnixMilli()), Member: attemptMember(postID, owner)}).Err()
			}
			t.Reset(s.renewEvery)
		}
	})
	return actx, cancel, func() {
		mu.Lock()
		defer mu.Unlock()
		stopped = true
		t.Stop()
		cancel(context.Canceled)
	}
}

// lockedScript replies 1 when an attempt holds the post's lock now, by
// Redis's clock.
var lockedScript = redis.NewScript(`
local f = redis.call('HMGET', KEYS[1], 'lock_owner', 'lock_until')
if not f[1] or f[1] == '' then return 0 end
` + redisNow + `
if (tonumber(f[2] or '0') or 0) > now then return 1 end
return 0
`)

// locked reports whether an attempt holds postID's lock now.
func (s *store) locked(ctx context.Context, postID string) (bool, error) {
	n, err := lockedScript.Run(ctx, s.rdb, []string{recordKey(postID)}).Int()
	return n == 1, err
}

// saveCheckpointScript stores a checkpoint for the attempt that holds the
// post. ARGV owner, field, value. Replies 'ok', 'missing' (erased),
// 'state' (no longer publishing: canceled, or ended) or 'fenced' (the
// lock is another attempt's).
var saveCheckpointScript = redis.NewScript(`
local f = redis.call('HMGET', KEYS[1], 'state', 'lock_owner', 'resolver')
if not f[1] then return 'missing' end
if f[2] ~= ARGV[1] then return 'fenced' end
if f[1] ~= 'publishing' and not (f[1] == 'cancel_requested' and f[3] == ARGV[1]) then return 'state' end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
return 'ok'
`)

// saveCheckpoint writes field=value to postID's record if owner holds it.
// A refusal is errLockLost (or, for an erased post, a permanent error).
func (s *store) saveCheckpoint(ctx context.Context, postID, owner, field, value string) error {
	v, err := saveCheckpointScript.Run(ctx, s.rdb, []string{recordKey(postID)}, owner, field, value).Text()
	if err != nil {
		return err
	}
	switch v {
	case "ok":
		return nil
	case "missing":
		return publishers.Permanent(errors.New("post was erased while publishing"))
	case "state":
		return fmt.Errorf("%w: the post is no longer publishing", errLockLost)
	default:
		return errLockLost
	}
}

// waitUnlocked waits until no attempt holds the lock of any post in ids,
// at most the lock's lifetime (a crashed holder's lock expires by then;
// a live one's renewal is refused once its post is canceled). It asks
// about every post still held in one round trip per poll.
func (c *Client) waitUnlocked(ctx context.Context, ids []string) error {
	ctx, cancel := context.WithTimeout(ctx, c.store.lockTTL+time.Second)
	defer cancel()
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for len(ids) > 0 {
		cmds := make([]*redis.Cmd, len(ids))
		_, err := c.store.rdb.Pipelined(ctx, func(pipe redis.Pipeliner) error {
			for i, id := range ids {
				cmds[i] = lockedScript.Eval(ctx, pipe, []string{recordKey(id)})
			}
			return nil
		})
		if err != nil {
			return err
		}
		held := ids[:0:0]
		for i, cmd := range cmds {
			if n, _ := cmd.Int(); n == 1 {
				held = append(held, ids[i])
			}
		}
		if ids = held; len(ids) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("post %s still being published: %w", ids[0], ctx.Err())
		case <-t.C:
		}
	}
	return nil
}
