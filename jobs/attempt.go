package jobs

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/tenant"
)

// An attempt at a post starts and ends with one script each, so the
// publish path costs Redis two round trips of its own (plus the token
// read and the events): begin reads the record, checks it is due and not
// too late, takes the post's lock and marks it publishing; finish records
// the outcome and releases the lock. The lock lives in the record
// (lock_owner, lock_until), renewed while the attempt runs: it keeps a
// task asynq hands to a second worker (a requeue at shutdown, an expired
// lease) from publishing beside the first. The lock is a fence (fence.go):
// every write of an attempt names its owner and the scripts refuse it
// once another attempt holds the post. The scripts read the time from
// Redis (TIME), never from a worker's clock, so workers whose clocks
// disagree still agree on whose lock is live; that needs Redis 5 or
// later, where scripts replicate their effects.

// lockTTL bounds how long a crashed worker's lock on a post outlives it.
const lockTTL = 30 * time.Second

// redisNow is the Lua that sets now to Redis's clock in milliseconds.
const redisNow = `local tm = redis.call('TIME')
local now = tonumber(tm[1]) * 1000 + math.floor(tonumber(tm[2]) / 1000)
`

// beginScript: ARGV updated_at_ms, max_lateness_ms, owner, lock_ttl_ms, and
// with KEYS[2] (the tenant's events stream) the app's post id, stream max
// length, event time, tenant, and the prefix of the tenant's stored ids
// ("" for the default tenant), which the event's account id loses.
// Replies {'missing'}, {'final', state}, {'early', publish_at_ms, wait_ms},
// {'busy'}, {'late', deadline_ms} or {'begun', attempts, state, look}
// (checked in that order: busy before late, so that a task redelivered
// near a post's deadline never fails a post another attempt is
// publishing), where state is the one the attempt runs in. A
// cancel_requested post is never late (its attempt only looks whether
// the platform has it) and keeps its state, its attempt named as the
// record's resolver (unknown.go). Nor is a post past its deadline that
// the platform may have (unknown, or with a checkpoint): its attempt
// begins as a look, look being the deadline ("" for an ordinary
// attempt), and the post is too late only if the platform has none. When
// it begins an attempt and has KEYS[2], it appends the post.publishing
// event itself. It reads the fields it decides on with one HMGET. The
// record itself is read by an HGETALL pipelined after it (begin): a
// reply of Lua's costs Redis three times what the command's does.
var beginScript = redis.NewScript(`
local f = redis.call('HMGET', KEYS[1], 'state', 'publish_at', 'not_after', 'lock_owner', 'lock_until', 'account', 'platform', 'attempts', 'group')
local st = f[1]
if not st then return {'missing'} end
if st == 'published' or st == 'failed' or st == 'canceled' or st == 'removing' or st == 'removed' then return {'final', st} end
` + redisNow + `
local at = tonumber(f[2] or '0') or 0
if at > now then return {'early', tostring(at), tostring(at - now)} end
local deadline = at + tonumber(ARGV[2])
if f[3] and f[3] ~= '' then deadline = tonumber(f[3]) end
if f[4] and f[4] ~= '' and (tonumber(f[5] or '0') or 0) > now then return {'busy'} end
local resolving = st == 'cancel_requested'
local look = ''
if now > deadline and not resolving then
  local maybe = st == 'unknown'
  if not maybe then
    for _, k in ipairs(redis.call('HKEYS', KEYS[1])) do
      if string.sub(k, 1, 3) == 'cp:' then maybe = true break end
    end
  end
  if not maybe then return {'late', tostring(deadline)} end
  look = tostring(deadline)
end
-- Numbers are made strings once: each conversion is a sprintf in Redis.
local attempts = tostring((tonumber(f[8] or '0') or 0) + 1)
local next = 'publishing'
if resolving then
  next = st
  redis.call('HSET', KEYS[1], 'resolver', ARGV[3])
end
redis.call('HSET', KEYS[1], 'attempts', attempts, 'state', next, 'lock_owner', ARGV[3],
  'lock_until', tostring(now + tonumber(ARGV[4])), 'updated_at', ARGV[1])
if KEYS[2] then
  local acct = f[6] or ''
  if ARGV[9] ~= '' and string.sub(acct, 1, #ARGV[9]) == ARGV[9] then acct = string.sub(acct, #ARGV[9] + 1) end
  local grp = f[9] or ''
  if ARGV[9] ~= '' and string.sub(grp, 1, #ARGV[9]) == ARGV[9] then grp = string.sub(grp, #ARGV[9] + 1) end
  if grp ~= '' then
    redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[6], '*', 'type', 'post.publishing', 'tenant', ARGV[8],
      'account_id', acct, 'at', ARGV[7], 'platform', f[7] or '',
      'post_id', ARGV[5], 'group_id', grp, 'state', 'publishing', 'attempt', attempts)
  else
    redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[6], '*', 'type', 'post.publishing', 'tenant', ARGV[8],
      'account_id', acct, 'at', ARGV[7], 'platform', f[7] or '',
      'post_id', ARGV[5], 'state', 'publishing', 'attempt', attempts)
  end
end
return {'begun', attempts, next, look}
`)

// finishScript: ARGV owner, allowed states ("" any, else comma-separated
// with leading and trailing commas), expire_at_ms ("" none), n, n
// field/value arguments, and with KEYS[2] (the events stream) its max
// length and the event's field/value pairs. It writes the fields if the
// record exists, its state is allowed and the fence lets owner write (the
// lock is owner's; for owner "", no attempt holds a live lock), appends
// the event if it wrote, and releases the owner's lock in any case. When
// it wrote and has expire_at_ms (the fields end the post: the retention
// after now), the record expires then unless it expires already, as
// expireFinalScript would set it, in the same step. Replies {previous
// state ("" if none), changed, fenced}.
var finishScript = redis.NewScript(`
local f = redis.call('HMGET', KEYS[1], 'state', 'lock_owner', 'lock_until')
local st = f[1]
if not st then return {'', 0, 0} end
local held = f[2] and f[2] ~= ''
if ARGV[1] ~= '' then
  if f[2] ~= ARGV[1] then return {st, 0, 1} end
elseif held then
  ` + redisNow + `
  if (tonumber(f[3] or '0') or 0) > now then return {st, 0, 1} end
end
local changed = 0
local n = tonumber(ARGV[4])
if ARGV[2] == '' or string.find(ARGV[2], ',' .. st .. ',', 1, true) then
  if n > 0 then redis.call('HSET', KEYS[1], unpack(ARGV, 5, 4 + n)) end
  changed = 1
  if KEYS[2] then
    redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[5 + n], '*', unpack(ARGV, 6 + n))
  end
  if ARGV[3] ~= '' and redis.call('PTTL', KEYS[1]) < 0 then
    redis.call('PEXPIREAT', KEYS[1], ARGV[3])
  end
end
if ARGV[1] ~= '' then
  redis.call('HDEL', KEYS[1], 'lock_owner', 'lock_until')
end
return {st, changed, 0}
`)

// beginResult is what begin saw.
type beginResult struct {
	Verdict  string // missing, final, early, busy, late, begun
	State    State  // for final
	At       time.Time
	Wait     time.Duration // for early: until At, by Redis's clock
	Attempts int
	Record   *record // for late and begun
	// Look: begun, but only to look whether the platform has the post,
	// which is past its deadline (At).
	Look bool
}

// begin starts an attempt at postID for owner and appends the
// post.publishing event when it does.
//
// also, if set, queues more reads in the same round trip (the token, in
// the publish handler); they run whatever begin decides.
func (s *store) begin(ctx context.Context, postID, owner string, maxLateness time.Duration, also func(redis.Pipeliner)) (beginResult, error) {
	now := s.now()
	keys := []string{recordKey(postID)}
	args := []any{now.UnixMilli(), maxLateness.Milliseconds(), owner, s.lockTTL.Milliseconds()}
	if s.inlineEvents {
		// The event goes to the post's tenant's stream with the app's
		// ids: the script strips the tenant's prefix off the account.
		t, appID := tenant.Split(postID)
		keys = append(keys, events.StreamOf(t))
		args = append(args, appID, s.events.MaxLen(), now.UTC().Format(time.RFC3339Nano), t, tenant.Qualify(t, ""))
	}
	// The record is read right after the script, in the same round trip:
	// once the attempt has begun nothing but this attempt changes the
	// post or its checkpoints (an edit or a reschedule needs it
	// scheduled, another attempt its lock), and its state is the one the
	// script replies, so it is the record as the attempt runs it. A
	// cancel or an erasure may come between: the state from the reply
	// stands, and an erased record reads empty.
	pipe := s.rdb.Pipeline()
	cmd := beginScript.EvalSha(ctx, pipe, keys, args...)
	if s.beforeRead != nil {
		s.beforeRead(pipe)
	}
	hcmd := pipe.HGetAll(ctx, recordKey(postID))
	if s.trackAttempts {
		// In the same round trip: the recoverer's index (recover.go).
		// Kept whatever begin decides; the recoverer drops entries
		// of attempts that never began.
		pipe.ZAdd(ctx, attemptsKey, redis.Z{Score: float64(now.Add(s.lockTTL).UnixMilli()), Member: attemptMember(postID, owner)})
	}
	if also != nil {
		also(pipe)
	}
	_, _ = pipe.Exec(ctx) // each command keeps its own error
	res, err := cmd.Slice()
	if redis.HasErrorPrefix(err, "NOSCRIPT") {
		// A restarted Redis forgot the script; EvalSha did not run it.
		pipe := s.rdb.Pipeline()
		cmd = beginScript.Eval(ctx, pipe, keys, args...)
		hcmd = pipe.HGetAll(ctx, recordKey(postID))
		_, _ = pipe.Exec(ctx)
		res, err = cmd.Slice()
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
		ms, _ := strconv.ParseInt(str(2), 10, 64)
		r.Wait = time.Duration(ms) * time.Millisecond
	case "late", "begun":
		h, err := hcmd.Result()
		if err != nil {
			return beginResult{}, fmt.Errorf("begin attempt: read record: %w", err)
		}
		if len(h) == 0 {
			// Erased since the script ran: nothing to publish.
			return beginResult{Verdict: "missing"}, nil
		}
		rec, err := decodeRecord(postID, h)
		if err != nil {
			return r, err
		}
		r.Record = &rec
		if r.Verdict == "late" {
			r.At = parseMilli(str(1))
		} else {
			r.Attempts, _ = strconv.Atoi(str(1))
			r.Record.Attempts = r.Attempts
			if len(res) > 3 && str(3) != "" {
				r.Look, r.At = true, parseMilli(str(3))
			}
			r.Record.State = State(str(2))
			ev := events.Event{PostID: postID, GroupID: r.Record.Post.GroupID, AccountID: r.Record.AccountID, Platform: r.Record.Platform, State: string(StatePublishing), Attempt: r.Attempts}
			if s.inlineEvents {
				s.events.Appended(tenant.Of(r.Record.AccountID), events.PostPublishing)
			} else {
				_ = s.appendEvent(ctx, ev)
			}
		}
	}
	return r, nil
}

// finish writes fields to postID's record if its state is one of from
// (any when from is empty), appends ev (if not nil) when it wrote, and
// releases owner's lock ("" for none). When the fields end the post, the
// record gets its expiry in the same step.
func (s *store) finish(ctx context.Context, postID, owner string, from []State, ev *events.Event, fields ...any) (transitionResult, error) {
	allowed := ""
	if len(from) > 0 {
		allowed = ","
		for _, f := range from {
			allowed += string(f) + ","
		}
	}
	now := s.now()
	expireAt := ""
	if s.retention > 0 && endsPost(fields) {
		expireAt = strconv.FormatInt(now.Add(s.retention).UnixMilli(), 10)
	}
	if len(fields) > 0 {
		fields = append(fields, "updated_at", unixMilli(now))
	}
	keys := []string{recordKey(postID)}
	args := append([]any{owner, allowed, expireAt, len(fields)}, fields...)
	inline := ev != nil && s.inlineEvents
	if inline {
		ev.Stamp(now)
		keys = append(keys, ev.Stream())
		args = append(args, s.events.MaxLen())
		args = append(args, ev.Fields()...)
	}
	var res []any
	var err error
	if track := owner != "" && s.trackAttempts; !track {
		res, err = finishScript.Run(ctx, s.rdb, keys, args...).Slice()
	} else {
		// The attempt leaves the recoverer's index in the same round
		// trip.
		pipe := s.rdb.Pipeline()
		cmd := finishScript.EvalSha(ctx, pipe, keys, args...)
		pipe.ZRem(ctx, attemptsKey, attemptMember(postID, owner))
		_, _ = pipe.Exec(ctx)
		res, err = cmd.Slice()
		if redis.HasErrorPrefix(err, "NOSCRIPT") {
			// A restarted Redis forgot the script: it did not run.
			res, err = finishScript.Eval(ctx, s.rdb, keys, args...).Slice()
		}
	}
	if err != nil {
		return transitionResult{}, fmt.Errorf("finish attempt: %w", err)
	}
	prev, _ := res[0].(string)
	changed, _ := res[1].(int64)
	fenced, _ := res[2].(int64)
	tr := transitionResult{Prev: State(prev), Changed: changed == 1, Fenced: fenced == 1}
	if tr.Changed && ev != nil {
		if inline {
			s.events.Appended(tenant.Of(ev.AccountID), ev.Type)
		} else {
			_ = s.appendEvent(ctx, *ev)
		}
	}
	return tr, nil
}

// endsPost reports whether finish's field/value pairs set a final state.
func endsPost(fields []any) bool {
	for i := 0; i+1 < len(fields); i += 2 {
		if k, _ := fields[i].(string); k == "state" {
			v, _ := fields[i+1].(string)
			return State(v).Final()
		}
	}
	return false
}
