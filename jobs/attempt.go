package jobs

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// An attempt at a post starts and ends with one script each, so the
// publish path costs Redis two round trips of its own (plus the token
// read and the events): begin reads the record, checks it is due and not
// too late, takes the post's lock and marks it publishing; finish records
// the outcome and releases the lock. The lock lives in the record
// (lock_owner, lock_until), renewed while the attempt runs: it keeps a
// task asynq hands to a second worker (a requeue at shutdown, an expired
// lease) from publishing beside the first.

// lockTTL bounds how long a crashed worker's lock on a post outlives it.
const lockTTL = 30 * time.Second

// beginScript: ARGV now_ms, max_lateness_ms, owner, lock_ttl_ms, and
// with KEYS[2] (the events stream) post id, stream max length, event time.
// Replies {'missing'}, {'final', state}, {'early', publish_at_ms},
// {'busy'}, {'late', deadline_ms, hash} or {'begun', attempts, hash}
// (checked in that order: busy before late, so that a task redelivered
// near a post's deadline never fails a post another attempt is
// publishing)
// where hash is the record as it was before, as HGETALL gives it. When
// it begins an attempt and has KEYS[2], it appends the post.publishing
// event itself. It reads the fields it decides on with one HMGET and
// returns HGETALL's reply as it is, without copying the record in Lua.
var beginScript = redis.NewScript(`
local f = redis.call('HMGET', KEYS[1], 'state', 'publish_at', 'not_after', 'lock_owner', 'lock_until', 'account', 'platform', 'attempts')
local st = f[1]
if not st then return {'missing'} end
if st == 'published' or st == 'failed' or st == 'canceled' then return {'final', st} end
local now = tonumber(ARGV[1])
local at = tonumber(f[2] or '0') or 0
if at > now then return {'early', tostring(at)} end
local deadline = at + tonumber(ARGV[2])
if f[3] and f[3] ~= '' then deadline = tonumber(f[3]) end
if f[4] and f[4] ~= '' and (tonumber(f[5] or '0') or 0) > now then return {'busy'} end
if now > deadline then return {'late', tostring(deadline), redis.call('HGETALL', KEYS[1])} end
local h = redis.call('HGETALL', KEYS[1])
local attempts = (tonumber(f[8] or '0') or 0) + 1
redis.call('HSET', KEYS[1], 'attempts', attempts, 'state', 'publishing', 'lock_owner', ARGV[3],
  'lock_until', tostring(now + tonumber(ARGV[4])), 'updated_at', ARGV[1])
if KEYS[2] then
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[6], '*', 'type', 'post.publishing',
    'account_id', f[6] or '', 'at', ARGV[7], 'platform', f[7] or '',
    'post_id', ARGV[5], 'state', 'publishing', 'attempt', tostring(attempts))
end
return {'begun', tostring(attempts), h}
`)

// finishScript: ARGV owner, allowed states ("" any, else comma-separated
// with leading and trailing commas), n, n field/value arguments, and with
// KEYS[2] (the events stream) its max length and the event's field/value
// pairs. It writes the fields if the record exists and its state is
// allowed, appends the event if it wrote, and releases the owner's lock
// in any case. Replies {previous state ("" if none), changed}.
var finishScript = redis.NewScript(`
local f = redis.call('HMGET', KEYS[1], 'state', 'lock_owner')
local st = f[1]
if not st then return {'', 0} end
local changed = 0
local n = tonumber(ARGV[3])
if ARGV[2] == '' or string.find(ARGV[2], ',' .. st .. ',', 1, true) then
  if n > 0 then redis.call('HSET', KEYS[1], unpack(ARGV, 4, 3 + n)) end
  changed = 1
  if KEYS[2] then
    redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[4 + n], '*', unpack(ARGV, 5 + n))
  end
end
if ARGV[1] ~= '' and f[2] == ARGV[1] then
  redis.call('HDEL', KEYS[1], 'lock_owner', 'lock_until')
end
return {st, changed}
`)

var renewScript = redis.NewScript(`
if redis.call('HGET', KEYS[1], 'lock_owner') == ARGV[1] then
  return redis.call('HSET', KEYS[1], 'lock_until', ARGV[2])
end
return -1
`)

// beginResult is what begin saw.
type beginResult struct {
	Verdict  string // missing, final, early, busy, late, begun
	State    State  // for final
	At       time.Time
	Attempts int
	Record   record // for late and begun
}

// begin starts an attempt at postID for owner and appends the
// post.publishing event when it does.
//
// also, if set, queues more reads in the same round trip (the token, in
// the publish handler); they run whatever begin decides.
func (s *store) begin(ctx context.Context, postID, owner string, maxLateness time.Duration, also func(redis.Pipeliner)) (beginResult, error) {
	now := s.now()
	keys := []string{recordKey(postID)}
	args := []any{now.UnixMilli(), maxLateness.Milliseconds(), owner, lockTTL.Milliseconds()}
	if s.inlineEvents {
		keys = append(keys, EventsStream)
		args = append(args, postID, s.eventsMaxLen(), now.UTC().Format(time.RFC3339Nano))
	}
	var res []any
	var err error
	if also == nil {
		res, err = beginScript.Run(ctx, s.rdb, keys, args...).Slice()
	} else {
		pipe := s.rdb.Pipeline()
		cmd := beginScript.EvalSha(ctx, pipe, keys, args...)
		also(pipe)
		_, _ = pipe.Exec(ctx) // each command keeps its own error
		res, err = cmd.Slice()
		if redis.HasErrorPrefix(err, "NOSCRIPT") {
			// A restarted Redis forgot the script; EvalSha did not run it.
			res, err = beginScript.Eval(ctx, s.rdb, keys, args...).Slice()
		}
	}
	if err != nil {
		return beginResult{}, fmt.Errorf("begin attempt: %w", err)
	}
	str := func(i int) string { v, _ := res[i].(string); return v }
	r := beginResult{Verdict: str(0)}
	switch r.Verdict {
	case "final":
		r.State = State(str(1))
	case "early":
		r.At = parseMilli(str(1))
	case "late", "begun":
		var flat []any
		if len(res) > 2 {
			flat, _ = res[2].([]any)
		}
		h := make(map[string]string, len(flat)/2)
		for i := 0; i+1 < len(flat); i += 2 {
			k, _ := flat[i].(string)
			v, _ := flat[i+1].(string)
			h[k] = v
		}
		if r.Record, err = decodeRecord(postID, h); err != nil {
			return r, err
		}
		if r.Verdict == "late" {
			r.At = parseMilli(str(1))
		} else {
			r.Attempts, _ = strconv.Atoi(str(1))
			r.Record.Attempts = r.Attempts
			r.Record.State = StatePublishing
			ev := Event{PostID: postID, AccountID: r.Record.AccountID, Platform: r.Record.Platform, State: StatePublishing, Attempt: r.Attempts}
			if s.inlineEvents {
				s.observed(EventPostPublishing)
			} else {
				_ = s.appendEvent(ctx, ev)
			}
		}
	}
	return r, nil
}

// finish writes fields to postID's record if its state is one of from
// (any when from is empty), appends ev (if not nil) when it wrote, and
// releases owner's lock ("" for none).
func (s *store) finish(ctx context.Context, postID, owner string, from []State, ev *Event, fields ...any) (transitionResult, error) {
	allowed := ""
	if len(from) > 0 {
		allowed = ","
		for _, f := range from {
			allowed += string(f) + ","
		}
	}
	now := s.now()
	if len(fields) > 0 {
		fields = append(fields, "updated_at", unixMilli(now))
	}
	keys := []string{recordKey(postID)}
	args := append([]any{owner, allowed, len(fields)}, fields...)
	inline := ev != nil && s.inlineEvents
	if inline {
		ev.stamp(now)
		keys = append(keys, EventsStream)
		args = append(args, s.eventsMaxLen())
		args = append(args, ev.values()...)
	}
	res, err := finishScript.Run(ctx, s.rdb, keys, args...).Slice()
	if err != nil {
		return transitionResult{}, fmt.Errorf("finish attempt: %w", err)
	}
	prev, _ := res[0].(string)
	changed, _ := res[1].(int64)
	tr := transitionResult{Prev: State(prev), Changed: changed == 1}
	if tr.Changed && ev != nil {
		if inline {
			s.observed(ev.Type)
		} else {
			_ = s.appendEvent(ctx, *ev)
		}
	}
	return tr, nil
}

// keepLocked renews owner's lock on postID until the returned stop is
// called. A timer rather than a goroutine per attempt: most attempts end
// before the first renewal, and then the timer is all they cost.
// stop waits for a renewal in flight; none starts after it.
func (s *store) keepLocked(postID, owner string) (stop func()) {
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
		until := s.now().Add(lockTTL).UnixMilli()
		_ = renewScript.Run(context.Background(), s.rdb, []string{recordKey(postID)}, owner, until).Err()
		t.Reset(s.renewEvery)
	})
	return func() {
		mu.Lock()
		defer mu.Unlock()
		stopped = true
		t.Stop()
	}
}

// locked reports whether an attempt holds postID's lock now.
func (s *store) locked(ctx context.Context, postID string) (bool, error) {
	v, err := s.rdb.HMGet(ctx, recordKey(postID), "lock_owner", "lock_until").Result()
	if err != nil {
		return false, err
	}
	owner, _ := v[0].(string)
	until, _ := v[1].(string)
	ms, _ := strconv.ParseInt(until, 10, 64)
	return owner != "" && ms > s.now().UnixMilli(), nil
}
