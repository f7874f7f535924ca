package jobs

import (
	"context"
	"fmt"
	"strconv"

	"github.com/redis/go-redis/v9"
)

// LookUpPending looks up at once the ids of accountID's published posts
// whose id the platform still withholds: what TikTok's
// post.publish.publicly_available webhook triggers (the webhook names the
// user, and Herald keeps no map from TikTok's publish ids, which are
// sealed checkpoints, to posts). It enqueues one post:lookup per such
// post, beside its rounds, and returns how many. A post whose lookup out
// of turn is already queued counts as enqueued.
func (c *Client) LookUpPending(ctx context.Context, accountID string) (int, error) {
	q, err := c.own("account_id", accountID)
	if err != nil {
		return 0, err
	}
	ids, err := c.store.rdb.ZRange(ctx, accountPostsKey(q), 0, -1).Result()
	if err != nil {
		return 0, fmt.Errorf("list posts of account %s: %w", accountID, err)
	}
	cmds := make([]*redis.SliceCmd, len(ids))
	if _, err := c.store.rdb.Pipelined(ctx, func(pipe redis.Pipeliner) error {
		for i, id := range ids {
			cmds[i] = pipe.HMGet(ctx, recordKey(id), "state", "rid_pending")
		}
		return nil
	}); err != nil && err != redis.Nil {
		return 0, fmt.Errorf("read posts of account %s: %w", accountID, err)
	}
	l := &lookups{q: c.q}
	n := 0
	for i, cmd := range cmds {
		v := cmd.Val()
		if len(v) != 2 || v[0] != string(StatePublished) || v[1] != "1" {
			continue
		}
		if err := l.enqueue(ctx, ids[i], 0, 0); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// forgetLookups deletes postID's lookup tasks (the one out of turn, and
// the round its record names, or the first), and the account's lookup
// counter, for an erasure: their payloads name the post. Run it before
// the record is deleted.
func (c *Client) forgetLookups(ctx context.Context, accountID, postID string, n map[string]int) {
	round, _ := strconv.Atoi(c.store.rdb.HGet(ctx, recordKey(postID), "lookup_round").Val())
	c.deleteTask(QueuePublish, lookupTaskID(postID, 0), n)
	c.deleteTask(QueuePublish, lookupTaskID(postID, max(round, 1)), n)
	_ = c.store.rdb.Del(ctx, lookupPaceKey(accountID)).Err()
}
