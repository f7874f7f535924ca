package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/events"
)

// createInlineScript is create, afterCreate and the scheduled event in
// one step, for a Redis that is not a cluster (on a cluster the record,
// the index and the stream are in different slots). A new record's index
// entry is set to its publish time, which also moves a stale entry left
// by an expired post under the same id; an existing record keeps its
// entry (NX: a conflicting repeat must not move the original) and is
// answered with its fingerprint and state.
// KEYS: record, index, stream. ARGV: score, post id, stream max length,
// n, n record field/value args, then the event's field/value pairs.
var createInlineScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('ZADD', KEYS[2], 'NX', ARGV[1], ARGV[2])
  return redis.call('HMGET', KEYS[1], 'fp', 'state')
end
local n = tonumber(ARGV[4])
redis.call('ZADD', KEYS[2], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[1], unpack(ARGV, 5, 4 + n))
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[3], '*', unpack(ARGV, 5 + n))
return false
`)

// createArgs are createInlineScript's keys and arguments for p, stored
// at at.
func (s *store) createArgs(p Post, at time.Time) (keys []string, args []any, err error) {
	fields, err := recordFields(p, at)
	if err != nil {
		return nil, nil, err
	}
	e := events.Event{PostID: p.ID, AccountID: p.AccountID, Platform: p.Platform, State: string(StateScheduled)}
	e.Stamp(at)
	args = append([]any{p.PublishAt.UnixMilli(), p.ID, s.events.MaxLen(), len(fields)}, fields...)
	args = append(args, e.Fields()...)
	return []string{recordKey(p.ID), accountPostsKey(p.AccountID), events.Stream}, args, nil
}

// recordFields are the field/value pairs of p's new record, stored at at
// (storedpost.go): no not_after when it has none, which every reader
// takes as empty.
func recordFields(p Post, at time.Time) ([]any, error) {
	body, err := encodePost(p)
	if err != nil {
		return nil, err
	}
	f := []any{
		"v", recordVersion, "post", body, "fp", p.fingerprint(),
		"account", p.AccountID, "platform", p.Platform,
		"state", string(StateScheduled), "publish_at", unixMilli(p.PublishAt),
		"attempts", 0, "updated_at", unixMilli(at),
	}
	if !p.NotAfter.IsZero() {
		f = append(f, "not_after", unixMilli(p.NotAfter))
	}
	return f, nil
}

// createInline is create with its event, in one round trip.
func (s *store) createInline(ctx context.Context, p Post) (fp string, st State, created bool, at time.Time, err error) {
	at = s.now().Truncate(time.Millisecond)
	keys, args, err := s.createArgs(p, at)
	if err != nil {
		return "", "", false, at, err
	}
	r := createResultOf(createInlineScript.Run(ctx, s.rdb, keys, args...), at)
	if r.err != nil {
		return "", "", false, at, fmt.Errorf("create record: %w", r.err)
	}
	if r.created {
		s.events.Appended("post." + string(StateScheduled))
	}
	return r.fp, r.state, r.created, at, nil
}

// createResultOf reads a create script's reply: nil when it wrote (fp is
// then left empty: callers compare fingerprints only with an existing
// record, and computing one costs a JSON encoding and a hash), else the
// existing record's fingerprint and state.
func createResultOf(cmd *redis.Cmd, at time.Time) createResult {
	res, err := cmd.Result()
	if errors.Is(err, redis.Nil) {
		return createResult{created: true, state: StateScheduled, at: at}
	}
	if err != nil {
		return createResult{err: err}
	}
	vals, _ := res.([]any)
	if len(vals) != 2 {
		return createResult{err: fmt.Errorf("unexpected reply %v", res)}
	}
	fp, _ := vals[0].(string)
	st, _ := vals[1].(string)
	return createResult{fp: fp, state: State(st), at: at}
}

// createResult is what create found or did for one post.
type createResult struct {
	created bool
	fp      string
	state   State
	at      time.Time
	err     error
}

// createMany is create for many posts: every index entry in one pipeline,
// then every record in another (index first, as create explains).
func (s *store) createMany(ctx context.Context, posts []Post, out []createResult) error {
	if len(posts) == 0 {
		return nil
	}
	if s.inlineEvents {
		return s.createManyInline(ctx, posts, out)
	}
	_, err := s.rdb.Pipelined(ctx, func(pipe redis.Pipeliner) error {
		for _, p := range posts {
			pipe.ZAddNX(ctx, accountPostsKey(p.AccountID), redis.Z{Score: float64(p.PublishAt.UnixMilli()), Member: p.ID})
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("index posts: %w", err)
	}
	if err := createScript.Load(ctx, s.rdb).Err(); err != nil {
		return fmt.Errorf("create records: %w", err)
	}
	at := s.now().Truncate(time.Millisecond)
	cmds := make([]*redis.Cmd, len(posts))
	_, err = s.rdb.Pipelined(ctx, func(pipe redis.Pipeliner) error {
		for i, p := range posts {
			fields, err := recordFields(p, at)
			if err != nil {
				return err
			}
			cmds[i] = createScript.EvalSha(ctx, pipe, []string{recordKey(p.ID)}, fields...)
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("create records: %w", err)
	}
	for i, cmd := range cmds {
		if out[i] = createResultOf(cmd, at); out[i].err != nil {
			return fmt.Errorf("create record %s: %w", posts[i].ID, out[i].err)
		}
	}
	return nil
}

// createManyInline is createInline for many posts, in one pipeline: the
// scheduled events are appended by the script.
func (s *store) createManyInline(ctx context.Context, posts []Post, out []createResult) error {
	if err := createInlineScript.Load(ctx, s.rdb).Err(); err != nil {
		return fmt.Errorf("create records: %w", err)
	}
	at := s.now().Truncate(time.Millisecond)
	cmds := make([]*redis.Cmd, len(posts))
	_, err := s.rdb.Pipelined(ctx, func(pipe redis.Pipeliner) error {
		for i, p := range posts {
			keys, args, err := s.createArgs(p, at)
			if err != nil {
				return err
			}
			cmds[i] = createInlineScript.EvalSha(ctx, pipe, keys, args...)
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("create records: %w", err)
	}
	for i, cmd := range cmds {
		if out[i] = createResultOf(cmd, at); out[i].err != nil {
			return fmt.Errorf("create record %s: %w", posts[i].ID, out[i].err)
		}
		if out[i].created {
			s.events.Appended("post." + string(StateScheduled))
		}
	}
	return nil
}

// afterCreate appends a scheduled event per new post and sets each one's
// index entry to its publish time, in one pipeline. The entry may be
// stale: one left by an expired post under the same id, which create's
// ZADD NX kept (the retention sweep removes such an entry only while its
// score is the old one). Both writes may fail without harm, as for
// SchedulePost's event: the record is the truth.
func (s *store) afterCreate(ctx context.Context, posts []Post) {
	if len(posts) == 0 {
		return
	}
	_, err := s.rdb.Pipelined(ctx, func(pipe redis.Pipeliner) error {
		for _, p := range posts {
			pipe.ZAdd(ctx, accountPostsKey(p.AccountID), redis.Z{Score: float64(p.PublishAt.UnixMilli()), Member: p.ID})
			e := events.Event{PostID: p.ID, AccountID: p.AccountID, Platform: p.Platform, State: string(StateScheduled)}
			e.Stamp(s.now())
			pipe.XAdd(ctx, &redis.XAddArgs{Stream: events.Stream, MaxLen: s.events.MaxLen(), Approx: true, Values: e.Fields()})
		}
		return nil
	})
	if err == nil {
		for range posts {
			s.events.Appended("post." + string(StateScheduled))
		}
	}
}
