package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// A disconnect turns the account's posts that the platform may have
// (unknown, or with checkpoints) into cancel_requested, and each one's
// next attempt looks whether the platform has it (unknown.go). The look
// needs the account's token, which the disconnect has just made
// unreadable; it uses the sealed token kept for the revocation
// (tokens.Vault.LookToken), so the account:revoke job holds the
// revocation while a post of the account is cancel_requested, for at
// most WorkerConfig.LookWindow after the disconnect. The token is thus
// deleted (and revoked at the platform) as soon as the looks are done,
// seconds after the disconnect when a worker is free, and at the latest
// LookWindow after it; a look that comes later finds no token and ends
// its post failed, class outcome_unknown. Nothing can be posted with the
// kept token: an attempt at a cancel_requested post only looks.

// DefaultLookWindow bounds how long a disconnected account's token waits
// for the looks of its canceled posts before it is revoked.
const DefaultLookWindow = 5 * time.Minute

// lookPoll is how often a held revocation looks again.
const lookPoll = time.Second

// lookHold decides whether a revocation waits for looks.
type lookHold struct {
	rdb    redis.UniversalClient
	now    func() time.Time
	window time.Duration
}

// wait says how long the revocation of p's account should still wait:
// zero once no post of the account is cancel_requested, or once the
// window since the disconnect has passed.
func (l *lookHold) wait(ctx context.Context, p revokePayload) (time.Duration, error) {
	if l == nil || p.DisconnectedAt == 0 {
		return 0, nil // a payload of an older release: no hold
	}
	left := time.UnixMilli(p.DisconnectedAt).Add(l.window).Sub(l.now())
	if left <= 0 {
		return 0, nil
	}
	ids, err := l.rdb.ZRange(ctx, accountPostsKey(p.AccountID), 0, -1).Result()
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	cmds := make([]*redis.StringCmd, len(ids))
	_, err = l.rdb.Pipelined(ctx, func(pipe redis.Pipeliner) error {
		for i, id := range ids {
			cmds[i] = pipe.HGet(ctx, recordKey(id), "state")
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return 0, fmt.Errorf("read the states of %s's posts: %w", p.AccountID, err)
	}
	for _, cmd := range cmds {
		if State(cmd.Val()) == StateCancelRequested {
			return min(left, lookPoll), nil
		}
	}
	return 0, nil
}
