package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// A post can be published before the platform says under which id:
// TikTok withholds a public post's id until its moderation ends, which
// can take hours (publishers.Result.RemoteIDPending). The record says so
// (rid_pending), and post:lookup tasks keep asking: calling the
// publisher again with the post's checkpoints is the lookup. Rounds
// follow a backoff (LookupConfig), one task per post and round, so that
// a post costs at most one status fetch a minute; TikTok's
// post.publish.publicly_available webhook runs one at once
// (Client.LookUpPending). The answer:
//
//   - the id: remote_id and url are filled in, post.updated appended;
//   - still pending (or a transient error, or a rate limit): the next
//     round is scheduled;
//   - a permanent error (TikTok took the post down in moderation): the
//     post ends failed with the reason, post.failed appended;
//   - the account is no longer connected (reauth), or GiveUpAfter passed
//     since the post was published: Herald stops asking, and the record
//     and a post.updated event say so in warning.
//
// A lookup holds the post's lock as an attempt does (lock_owner,
// lock_until), so two lookups never run at once, and one never runs
// while an attempt still holds the post: it waits until the attempt has
// settled the post.

// TypeLookup is the task that looks up the id of a post published while
// the platform withheld it.
const TypeLookup = "post:lookup"

// LookupConfig paces the lookups of pending post ids.
type LookupConfig struct {
	// First is the delay before the first lookup (default 1 minute);
	// each round waits twice as long as the one before, up to Max
	// (default 30 minutes). A lookup is one status fetch, and TikTok
	// allows 30 a minute per user: a minute apart at least leaves room
	// for the account's other posts.
	First, Max time.Duration
	// GiveUpAfter is how long after publishing Herald stops asking
	// (default 48 hours: moderation "may take a few hours").
	GiveUpAfter time.Duration
	// PerMinute caps an account's lookups in any minute (default 10):
	// TikTok allows a user 30 status fetches a minute, and the account's
	// publish attempts poll too. A lookup past the cap waits for the
	// next minute.
	PerMinute int
}

func (c *LookupConfig) defaults() {
	if c.First <= 0 {
		c.First = time.Minute
	}
	if c.Max < c.First {
		c.Max = max(30*time.Minute, c.First)
	}
	if c.GiveUpAfter <= 0 {
		c.GiveUpAfter = 48 * time.Hour
	}
	if c.PerMinute <= 0 {
		c.PerMinute = 10
	}
}

// delay is how long round n (from 1) waits after the one before.
func (c LookupConfig) delay(n int) time.Duration {
	d := c.First
	for i := 1; i < n && d < c.Max; i++ {
		d *= 2
	}
	return min(d, c.Max)
}

// lookupPayload is a post:lookup task's payload. Round 0 is a lookup
// asked for out of turn (a webhook), which schedules no next round.
type lookupPayload struct {
	PostID string `json:"post_id"`
	Round  int    `json:"round"`
}

func lookupTaskID(postID string, round int) string {
	if round == 0 {
		return "lookup:" + postID + ":now"
	}
	return fmt.Sprintf("lookup:%s:%d", postID, round)
}

// lookups enqueues post:lookup tasks.
type lookups struct {
	q   *asynq.Client
	cfg LookupConfig
	log *slog.Logger
}

// enqueue schedules round of postID after delay. A task of that round
// that already exists is as good.
func (l *lookups) enqueue(ctx context.Context, postID string, round int, delay time.Duration) error {
	body, err := json.Marshal(lookupPayload{PostID: postID, Round: round})
	if err != nil {
		return err
	}
	_, err = l.q.EnqueueContext(ctx, asynq.NewTask(TypeLookup, body),
		asynq.TaskID(lookupTaskID(postID, round)), asynq.Queue(QueuePublish),
		asynq.ProcessIn(delay), asynq.MaxRetry(10))
	if errors.Is(err, asynq.ErrTaskIDConflict) || errors.Is(err, asynq.ErrDuplicateTask) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("enqueue lookup of post %s: %w", postID, err)
	}
	return nil
}

// first starts the lookups of a post just published with its id
// pending. The post is published whatever happens here: a failure is
// logged, not returned (a retry of the publish task would find the post
// final and do nothing).
func (l *lookups) first(ctx context.Context, postID string) {
	if l == nil {
		return
	}
	wctx, cancel := detached(ctx)
	defer cancel()
	if err := l.enqueue(wctx, postID, 1, l.cfg.delay(1)); err != nil {
		l.log.Error("publish: the post id will not be looked up", "post_id", postID, "err", err)
	}
}

// beginLookupScript takes the post's lock for a lookup. ARGV owner,
// lock_ttl_ms. Replies {'missing'}, {'done'} (no id pending: found,
// given up, or the post is no longer published), {'unsettled'} (an
// attempt has not ended yet), {'busy'} (another lookup holds the lock)
// or {'begun', hash}.
var beginLookupScript = redis.NewScript(`
local f = redis.call('HMGET', KEYS[1], 'state', 'rid_pending', 'lock_owner', 'lock_until')
if not f[1] then return {'missing'} end
if f[1] == 'scheduled' or f[1] == 'publishing' then return {'unsettled'} end
if f[1] ~= 'published' or f[2] ~= '1' then return {'done'} end
` + redisNow + `
if f[3] and f[3] ~= '' and (tonumber(f[4] or '0') or 0) > now then return {'busy'} end
redis.call('HSET', KEYS[1], 'lock_owner', ARGV[1], 'lock_until', tostring(now + tonumber(ARGV[2])))
return {'begun', redis.call('HGETALL', KEYS[1])}
`)

// beginLookup locks postID for owner's lookup when its id is pending.
func (s *store) beginLookup(ctx context.Context, postID, owner string) (string, record, error) {
	res, err := beginLookupScript.Run(ctx, s.rdb, []string{recordKey(postID)}, owner, s.lockTTL.Milliseconds()).Slice()
	if err != nil {
		return "", record{}, fmt.Errorf("begin lookup: %w", err)
	}
	verdict, h := begunRecord(res)
	if h == nil {
		return verdict, record{}, nil
	}
	rec, err := decodeRecord(postID, h)
	return verdict, rec, err
}

// paceScript counts a lookup against its account's budget of the
// current minute (a window that starts with its first lookup). ARGV
// limit, window_ms. Replies 0 within the budget, else the milliseconds
// until the window ends.
var paceScript = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if n <= tonumber(ARGV[1]) then return 0 end
local t = redis.call('PTTL', KEYS[1])
if t < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  t = tonumber(ARGV[2])
end
return t
`)

// lookupPaceKey counts an account's lookups of the current minute; it
// expires with the minute, so an erased account leaves it for a minute
// at most.
func lookupPaceKey(account string) string { return "herald:{acct:" + account + "}:lookups" }

// pace says how long account's next lookup must wait (0: none).
func (s *store) pace(ctx context.Context, account string, perMinute int) (time.Duration, error) {
	ms, err := paceScript.Run(ctx, s.rdb, []string{lookupPaceKey(account)}, perMinute, time.Minute.Milliseconds()).Int64()
	if err != nil {
		return 0, fmt.Errorf("pace lookups: %w", err)
	}
	return time.Duration(ms) * time.Millisecond, nil
}

// flag is a boolean as a record stores it.
func flag(b bool) string {
	if b {
		return "1"
	}
	return ""
}
