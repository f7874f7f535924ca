package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/analytics"
)

// Analytics live in package analytics; the Client offers the calls a
// product app makes, and the worker runs analytics' handlers with the
// posts jobs keeps (publishedPosts).

// RefreshAnalytics asks for a refresh of account's analytics now. Requests
// for the same account within a window are coalesced into one task.
func (c *Client) RefreshAnalytics(ctx context.Context, accountID, platform string) error {
	q, err := c.own("account_id", accountID)
	if err != nil {
		return err
	}
	if !c.knownPlatform(platform) {
		return &FieldError{Field: "platform", Problem: fmt.Sprintf("unknown platform %q", platform)}
	}
	return analytics.RequestRefresh(ctx, c.q, c.opts.now(), q, platform)
}

// EnqueueSweep enqueues the analytics sweep of the window that contains
// now: one sweep over every tenant's accounts, whatever c's tenant. Its TaskID names the window and the task is retained for the
// window, so any number of schedulers calling it enqueue one sweep.
func (c *Client) EnqueueSweep(ctx context.Context, interval time.Duration) (enqueued bool, err error) {
	return analytics.EnqueueSweep(ctx, c.q, c.opts.now(), interval)
}

// LatestAnalytics returns the latest analytics snapshot of account, or
// ErrNotFound.
func (c *Client) LatestAnalytics(ctx context.Context, account string) (analytics.Snapshot, error) {
	q, err := c.own("account_id", account)
	if err != nil {
		return analytics.Snapshot{}, err
	}
	s, err := analytics.Latest(ctx, c.store.rdb, q)
	if errors.Is(err, analytics.ErrNotFound) {
		return analytics.Snapshot{}, fmt.Errorf("analytics of %s: %w", account, ErrNotFound)
	}
	if err != nil {
		return analytics.Snapshot{}, err
	}
	s.AccountID = appID(s.AccountID)
	return s, nil
}

// AnalyticsHistory returns account's daily history, newest first.
func (c *Client) AnalyticsHistory(ctx context.Context, account string) ([]analytics.HistoryPoint, error) {
	q, err := c.own("account_id", account)
	if err != nil {
		return nil, err
	}
	return analytics.History(ctx, c.store.rdb, q)
}

// publishedPosts is analytics.Posts over the publication records.
type publishedPosts struct{ s *store }

// PublishedSince lists the platform ids of the account's posts published
// since since.
func (p publishedPosts) PublishedSince(ctx context.Context, account string, since time.Time) ([]string, error) {
	ids, err := p.s.rdb.ZRange(ctx, accountPostsKey(account), 0, -1).Result()
	if err != nil {
		return nil, err
	}
	cmds := make([]*redis.SliceCmd, len(ids))
	if _, err := p.s.rdb.Pipelined(ctx, func(pipe redis.Pipeliner) error {
		for i, id := range ids {
			cmds[i] = pipe.HMGet(ctx, recordKey(id), "state", "remote_id", "published_at")
		}
		return nil
	}); err != nil {
		return nil, err
	}
	var remote []string
	for _, cmd := range cmds {
		v := cmd.Val()
		st, _ := v[0].(string)
		r, _ := v[1].(string)
		at, _ := v[2].(string)
		if st == string(StatePublished) && r != "" && !parseMilli(at).Before(since) {
			remote = append(remote, r)
		}
	}
	return remote, nil
}
