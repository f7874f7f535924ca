package jobs

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultRetention is how long a post's record outlives its final state
// unless WithRetention says otherwise: 30 days.
const DefaultRetention = 30 * 24 * time.Hour

// WithRetention sets how long a record in a final state (published,
// failed, canceled) is kept after it ended (default DefaultRetention).
// Within that window a post id stays taken; after it, scheduling the id
// again is a new post.
func WithRetention(d time.Duration) ClientOption {
	return func(o *clientOptions) { o.retention = d }
}

// expireFinalScript gives a record in a final state its expiry, the
// retention (ARGV[1], ms) after it ended (its updated_at, or ARGV[2] when
// that is missing). A record that expires already keeps its time, so the
// sweep and the writes of final states can both call it.
// Returns 0: no record; 1: not final; 2: expiring already; 3: expiry set.
var expireFinalScript = redis.NewScript(`
local st = redis.call('HGET', KEYS[1], 'state')
if not st then return 0 end
if st ~= 'published' and st ~= 'failed' and st ~= 'canceled' and st ~= 'removed' then return 1 end
if redis.call('PTTL', KEYS[1]) >= 0 then return 2 end
local ended = tonumber(redis.call('HGET', KEYS[1], 'updated_at') or '') or tonumber(ARGV[2])
redis.call('PEXPIREAT', KEYS[1], ended + tonumber(ARGV[1]))
return 3
`)

// Replies of expireFinalScript.
const (
	expireGone     = 0
	expireLive     = 1
	expireExpiring = 2
	expireSet      = 3
)

// expireFinal gives postID's record its expiry if it is final. A state
// change to published, failed or canceled calls it after its write; the
// retention sweep calls it for any final record that missed it.
func (s *store) expireFinal(ctx context.Context, retention time.Duration, postID string) error {
	return expireFinalScript.Run(ctx, s.rdb, []string{recordKey(postID)}, retention.Milliseconds(), s.now().UnixMilli()).Err()
}

// ExpireFinal gives post id's record its expiry (the client's retention
// after the post ended) if the post is in a final state, and does nothing
// otherwise: what a write of a final state calls after the write.
func (c *Client) ExpireFinal(ctx context.Context, id string) error {
	q, err := c.own("post_id", id)
	if err != nil {
		return err
	}
	return c.store.expireFinal(ctx, c.opts.retention, q)
}

// trimIndexScript removes ARGV[1] from the index KEYS[1] if its score is
// still ARGV[2]: a post scheduled again under the same id meanwhile has
// its index entry moved to its new time (create), and keeps it.
var trimIndexScript = redis.NewScript(`
local s = redis.call('ZSCORE', KEYS[1], ARGV[1])
if s and tonumber(s) == tonumber(ARGV[2]) then
  return redis.call('ZREM', KEYS[1], ARGV[1])
end
return 0
`)

// SweepStats counts what a step of the retention sweep did.
type SweepStats struct {
	Examined int // index entries looked at
	Expiring int // final records given their expiry
	Trimmed  int // index entries of expired records removed
	Passes   int // full passes over every index completed
}

// RetentionSweep walks every account's index a bounded step at a time,
// giving each final record that has none its expiry (a record ended by a
// path that did not call ExpireFinal, or stored before retention
// existed), and removing the index entries of records that expired. An
// entry is removed only once its publish time is further in the past than
// the client's maximum lateness: no SchedulePost can then be adding that
// entry's record, since it would refuse so late a post. Every call of
// Step continues where the last stopped; it is safe to run in several
// processes at once (each change is idempotent), only wasteful.
type RetentionSweep struct {
	c        *Client
	accounts []string    // accounts of the current pass still to walk
	pos      *indexEntry // where in accounts[0]'s index the walk is
	started  bool
}

// NewRetentionSweep returns a sweep over c's store: every tenant's
// indexes, whatever c's tenant.
func (c *Client) NewRetentionSweep() *RetentionSweep { return &RetentionSweep{c: c} }

// sweepChunk is how many entries one round trip examines.
const sweepChunk = 500

// Step examines up to budget index entries.
func (s *RetentionSweep) Step(ctx context.Context, budget int) (SweepStats, error) {
	var st SweepStats
	for st.Examined < budget {
		if len(s.accounts) == 0 {
			if s.started {
				st.Passes++
				s.started = false
				return st, nil // a new pass begins with the next step
			}
			accts, err := s.c.store.indexedAccounts(ctx)
			if err != nil {
				return st, err
			}
			s.accounts, s.pos, s.started = accts, nil, true
			if len(accts) == 0 {
				return st, nil
			}
		}
		n := min(sweepChunk, budget-st.Examined)
		entries, more, err := s.c.store.scanIndex(ctx, s.accounts[0], s.pos, time.Time{}, time.Time{}, n)
		if err != nil {
			return st, err
		}
		if err := s.c.store.sweepEntries(ctx, s.c.opts, s.accounts[0], entries, &st); err != nil {
			return st, err
		}
		if more {
			s.pos = &entries[len(entries)-1]
		} else {
			s.accounts, s.pos = s.accounts[1:], nil
		}
	}
	return st, nil
}

// sweepEntries expires the final records of entries and trims the
// entries of records gone long enough.
func (s *store) sweepEntries(ctx context.Context, o clientOptions, account string, entries []indexEntry, st *SweepStats) error {
	st.Examined += len(entries)
	if err := expireFinalScript.Load(ctx, s.rdb).Err(); err != nil {
		return fmt.Errorf("retention: %w", err)
	}
	now := s.now()
	cmds := make([]*redis.Cmd, len(entries))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, e := range entries {
			cmds[i] = expireFinalScript.EvalSha(ctx, p, []string{recordKey(e.ID)}, o.retention.Milliseconds(), now.UnixMilli())
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("retention: %w", err)
	}
	settled := now.Add(-o.maxLateness).UnixMilli()
	var gone []indexEntry
	for i, cmd := range cmds {
		switch r, _ := cmd.Int(); r {
		case expireSet:
			st.Expiring++
		case expireGone:
			if entries[i].Score < settled {
				gone = append(gone, entries[i])
			}
		}
	}
	if len(gone) == 0 {
		return nil
	}
	key := accountPostsKey(account)
	for _, e := range gone {
		n, err := trimIndexScript.Run(ctx, s.rdb, []string{key}, e.ID, e.Score).Int()
		if err != nil {
			return fmt.Errorf("retention: trim index: %w", err)
		}
		st.Trimmed += n
	}
	return nil
}

// indexedAccounts lists the accounts that have an index of posts, by
// SCAN (on every master of a cluster).
func (s *store) indexedAccounts(ctx context.Context) ([]string, error) {
	var (
		mu  sync.Mutex
		out []string
	)
	scan := func(ctx context.Context, c redis.UniversalClient) error {
		it := c.Scan(ctx, 0, accountPostsKey("*"), 1000).Iterator()
		for it.Next(ctx) {
			if a, ok := accountOfIndex(it.Val()); ok {
				mu.Lock()
				out = append(out, a)
				mu.Unlock()
			}
		}
		return it.Err()
	}
	var err error
	if cc, ok := s.rdb.(*redis.ClusterClient); ok {
		err = cc.ForEachMaster(ctx, func(ctx context.Context, c *redis.Client) error { return scan(ctx, c) })
	} else {
		err = scan(ctx, s.rdb)
	}
	if err != nil {
		return nil, fmt.Errorf("retention: list accounts: %w", err)
	}
	return out, nil
}

// accountOfIndex is the account whose index key k is.
func accountOfIndex(k string) (string, bool) {
	a, ok := strings.CutPrefix(k, "herald:{acct:")
	if !ok {
		return "", false
	}
	a, ok = strings.CutSuffix(a, "}:posts")
	return a, ok && checkStored("account_id", a) == nil
}
