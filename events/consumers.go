package events

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// A consumer group remembers every consumer name that ever read from it.
// A process that stops (or dies) leaves its name behind, and a group of a
// fleet that restarts often collects thousands of them. Close removes the
// reader's own name; the claim scan removes those of readers that died
// without Close once their events were taken over.

// deleteIfIdleScript deletes consumer ARGV[2] of group ARGV[1] when it
// holds no pending events, in one step so that nothing can be handed to
// it between the check and the deletion (XGROUP DELCONSUMER drops a
// consumer's pending events with it). Replies -1 when it kept the
// consumer, else DELCONSUMER's reply.
var deleteIfIdleScript = redis.NewScript(`
local p = redis.call('XPENDING', KEYS[1], ARGV[1], '-', '+', 1, ARGV[2])
if #p > 0 then return -1 end
return redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
`)

// Close leaves the group: it deletes the reader's consumer unless events
// are still pending with it (those are taken over by another consumer
// after ClaimAfter, and the name is reaped afterwards). Call it once
// reading is over; a Reader is not used after Close.
func (r *Reader) Close(ctx context.Context) error {
	if err := deleteIfIdleScript.Run(ctx, r.rdb, []string{r.stream}, r.group, r.consumer).Err(); err != nil {
		return fmt.Errorf("leave consumer group %s: %w", r.group, err)
	}
	return nil
}

// reap deletes the group's consumers other than r that hold no pending
// events and were idle longer than ClaimAfter. A live consumer is idle
// for at most Block between its reads; were it reaped all the same, its
// next read would bring it back. Errors are left for the next scan.
func (r *Reader) reap(ctx context.Context) {
	cs, err := r.rdb.XInfoConsumers(ctx, r.stream, r.group).Result()
	if err != nil {
		return
	}
	for _, c := range cs {
		if c.Name == r.consumer || c.Pending > 0 || c.Idle <= r.ClaimAfter {
			continue
		}
		_ = deleteIfIdleScript.Run(ctx, r.rdb, []string{r.stream}, r.group, c.Name).Err()
	}
}
