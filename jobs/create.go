package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/errgroup"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/tenant"
)

// createInlineScript is create, afterCreate, the scheduled event and the
// publish task (asynqtask.go) in one step, for a Redis that is not a
// cluster (on a cluster the record, the index, the stream and the queue
// are in different slots). A new record's index entry is set to its
// publish time, which also moves a stale entry left by an expired post
// under the same id; an existing record keeps its entry (NX: a
// conflicting repeat must not move the original) and is answered with
// its fingerprint and state, and its task is left to the caller (it
// must compare fingerprints first). A new record whose task id is taken
// keeps that task, as asynq's enqueue would, and the script answers 1:
// the caller replaces the task if it is a leftover (replaceLeftoverTask).
// Otherwise it answers nil. The record is built by the script from
// the few values that vary (each argument of a script costs Redis about
// as much as a small command); the event's fields are
// events.Event.Fields' for post.scheduled, passed as they are, since
// they name the tenant and the app's ids.
// KEYS: record, index, stream (the tenant's), task, the queue's
// scheduled set or pending list. ARGV: score, post id, stream max
// length, the 8 recordArgs, the 4 asynqTask.args, then the event's
// field/value pairs.
var createInlineScript = redis.NewScript(newRecordLua + `
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('ZADD', KEYS[2], 'NX', ARGV[1], ARGV[2])
  return redis.call('HMGET', KEYS[1], 'fp', 'state')
end
redis.call('ZADD', KEYS[2], ARGV[1], ARGV[2])
newRecord(KEYS[1], 4)
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[3], '*', unpack(ARGV, 16))
if redis.call('EXISTS', KEYS[4]) == 1 then
  return 1
end
if ARGV[14] == '1' then
  redis.call('HSET', KEYS[4], 'msg', ARGV[12], 'state', 'pending', 'pending_since', ARGV[13])
  redis.call('LPUSH', KEYS[5], ARGV[15])
else
  redis.call('HSET', KEYS[4], 'msg', ARGV[12], 'state', 'scheduled')
  redis.call('ZADD', KEYS[5], ARGV[13], ARGV[15])
end
return false
`)

// newRecordLua defines newRecord(key, i), which writes a new scheduled
// record from recordArgs, ARGV[i] onward (storedpost.go): no not_after
// when it has none, which every reader takes as empty, and no group
// when the post is in none.
const newRecordLua = `
local function newRecord(key, i)
  local f = {'v', '` + recordVersion + `', 'post', ARGV[i], 'fp', ARGV[i + 1], 'account', ARGV[i + 2],
    'platform', ARGV[i + 3], 'state', 'scheduled', 'publish_at', ARGV[i + 4], 'attempts', '0',
    'updated_at', ARGV[i + 5]}
  if ARGV[i + 6] ~= '' then
    f[#f + 1] = 'not_after'
    f[#f + 1] = ARGV[i + 6]
  end
  if ARGV[i + 7] ~= '' then
    f[#f + 1] = 'group'
    f[#f + 1] = ARGV[i + 7]
  end
  redis.call('HSET', key, unpack(f))
end
`

// createArgs are createInlineScript's keys and arguments for p, stored
// at at, with its publish task allowed maxRetry retries.
func (s *store) createArgs(p Post, at time.Time, maxRetry int) (keys []string, args []any, err error) {
	rec, err := recordArgs(p, at)
	if err != nil {
		return nil, nil, err
	}
	task, err := newPublishTask(p, maxRetry, at)
	if err != nil {
		return nil, nil, err
	}
	// The event's fields come from Go (events.Event.Fields): they carry
	// the tenant and the app's ids, and go to the tenant's stream.
	e := events.Event{PostID: p.ID, GroupID: p.GroupID, AccountID: p.AccountID, Platform: p.Platform, State: string(StateScheduled)}
	e.Stamp(at)
	args = make([]any, 0, 3+len(rec)+4+16)
	args = append(args, p.PublishAt.UnixMilli(), p.ID, s.events.MaxLen())
	args = append(args, rec...)
	args = append(args, task.args()...)
	args = append(args, e.Fields()...)
	return []string{recordKey(p.ID), accountPostsKey(p.AccountID), e.Stream(), task.key, task.list}, args, nil
}

// recordArgs are newRecordLua's arguments for p, stored at at: its post
// field, fingerprint, account, platform, publish_at, updated_at,
// not_after ("" for none) and group ("" for none).
func recordArgs(p Post, at time.Time) ([]any, error) {
	body, err := encodePost(p)
	if err != nil {
		return nil, err
	}
	return []any{body, fingerprintOf(p, body), p.AccountID, p.Platform, unixMilli(p.PublishAt), unixMilli(at), unixMilli(p.NotAfter), p.GroupID}, nil
}

// createInline is create with its event and, when it creates the
// record, its publish task (maxRetry retries), in one round trip. Its
// err is the only field set when it failed.
func (s *store) createInline(ctx context.Context, p Post, maxRetry int) createResult {
	at := s.now().Truncate(time.Millisecond)
	keys, args, err := s.createArgs(p, at, maxRetry)
	if err != nil {
		return createResult{err: err, at: at}
	}
	if err := s.knowQueue(ctx); err != nil {
		return createResult{err: err, at: at}
	}
	r := createResultOf(createInlineScript.Run(ctx, s.rdb, keys, args...), at)
	if r.err != nil {
		r.err = fmt.Errorf("create record: %w", r.err)
		return r
	}
	if r.created {
		s.events.Appended(tenant.Of(p.AccountID), "post."+string(StateScheduled))
	}
	return r
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
	if n, ok := res.(int64); ok && n == 1 {
		return createResult{created: true, state: StateScheduled, at: at, taskTaken: true}
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
	// taskTaken: the record is new, and the inline script found a task
	// under its task id and wrote none.
	taskTaken bool
	fp        string
	state     State
	at        time.Time
	err       error
}

// knowQueue adds the publish queue to asynq's list of queues once, as
// asynq's client does before its first enqueue, for tasks the create
// script writes.
func (s *store) knowQueue(ctx context.Context) error {
	if s.queueKnown.Load() {
		return nil
	}
	if err := s.rdb.SAdd(ctx, asynqQueuesKey, QueuePublish).Err(); err != nil {
		return fmt.Errorf("add the publish queue: %w", err)
	}
	s.queueKnown.Store(true)
	return nil
}

// createMany is create for many posts: every index entry in one pipeline,
// then every record in another (index first, as create explains). On a
// Redis that is not a cluster it is createManyInline, which writes the
// created posts' tasks too (maxRetry retries each).
func (s *store) createMany(ctx context.Context, posts []Post, out []createResult, maxRetry int) error {
	if len(posts) == 0 {
		return nil
	}
	if s.inlineEvents {
		return s.createManyInline(ctx, posts, out, maxRetry)
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
			rec, err := recordArgs(p, at)
			if err != nil {
				return err
			}
			cmds[i] = createScript.EvalSha(ctx, pipe, []string{recordKey(p.ID)}, rec...)
		}
		return nil
	})
	if err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("create records: %w", err)
	}
	for i, cmd := range cmds {
		if out[i] = createResultOf(cmd, at); out[i].err != nil {
			return fmt.Errorf("create record %s: %w", appID(posts[i].ID), out[i].err)
		}
	}
	return nil
}

// createChunk is how many posts createManyInline sends in one pipeline.
const createChunk = 50

// createManyInline is createInline for many posts, in pipelines of
// createChunk run at once: the scheduled events and the new posts' tasks
// are written by the script.
func (s *store) createManyInline(ctx context.Context, posts []Post, out []createResult, maxRetry int) error {
	if err := createInlineScript.Load(ctx, s.rdb).Err(); err != nil {
		return fmt.Errorf("create records: %w", err)
	}
	if err := s.knowQueue(ctx); err != nil {
		return err
	}
	at := s.now().Truncate(time.Millisecond)
	cmds := make([]*redis.Cmd, len(posts))
	// The posts go in a few pipelines at once, so that Go builds one
	// while Redis runs another, instead of each waiting for the other
	// through one long pipeline.
	g, gctx := errgroup.WithContext(ctx)
	for lo := 0; lo < len(posts); lo += createChunk {
		hi := min(len(posts), lo+createChunk)
		g.Go(func() error {
			_, err := s.rdb.Pipelined(gctx, func(pipe redis.Pipeliner) error {
				for i := lo; i < hi; i++ {
					keys, args, err := s.createArgs(posts[i], at, maxRetry)
					if err != nil {
						return err
					}
					cmds[i] = createInlineScript.EvalSha(gctx, pipe, keys, args...)
				}
				return nil
			})
			if errors.Is(err, redis.Nil) {
				return nil // a record that existed: createResultOf reads it
			}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return fmt.Errorf("create records: %w", err)
	}
	for i, cmd := range cmds {
		if out[i] = createResultOf(cmd, at); out[i].err != nil {
			return fmt.Errorf("create record %s: %w", appID(posts[i].ID), out[i].err)
		}
		if out[i].created {
			s.events.Appended(tenant.Of(posts[i].AccountID), "post."+string(StateScheduled))
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
			e := events.Event{PostID: p.ID, GroupID: p.GroupID, AccountID: p.AccountID, Platform: p.Platform, State: string(StateScheduled)}
			e.Stamp(s.now())
			pipe.XAdd(ctx, &redis.XAddArgs{Stream: e.Stream(), MaxLen: s.events.MaxLen(), Approx: true, Values: e.Fields()})
		}
		return nil
	})
	if err == nil {
		for _, p := range posts {
			s.events.Appended(tenant.Of(p.AccountID), "post."+string(StateScheduled))
		}
	}
}
