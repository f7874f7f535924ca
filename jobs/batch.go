package jobs

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/events"
)

// MaxBatch is the most posts one SchedulePosts call takes.
const MaxBatch = 500

// Outcome of one post of SchedulePosts.
const (
	ResultCreated   = "created"   // stored and scheduled now
	ResultUnchanged = "unchanged" // the same post was stored before
	ResultConflict  = "conflict"  // the id belongs to a different post
	ResultInvalid   = "invalid"   // refused; Err names the fields
)

// ScheduleResult is what SchedulePosts did with one post.
type ScheduleResult struct {
	PostID string
	// Result is ResultCreated, ResultUnchanged, ResultConflict or
	// ResultInvalid.
	Result string
	// Status is the post's status after the call (created, unchanged).
	Status PostStatus
	// Err says why a post was refused: field errors (errors.Is
	// ErrInvalid) or ErrConflict.
	Err error
}

// enqueueWorkers bounds the enqueues one SchedulePosts runs at once.
const enqueueWorkers = 16

// SchedulePosts schedules up to MaxBatch posts, each exactly as
// SchedulePost would, and returns a result per post in order. A post that
// is refused does not stop the others. The records and index entries are
// written in two pipelined round trips and the events in a third; the
// asynq tasks, which asynq enqueues one at a time, go out concurrently.
// The error is for the batch as a whole (Redis unreachable or full): some
// posts may then be stored, and scheduling the batch again is safe.
func (c *Client) SchedulePosts(ctx context.Context, posts []Post) ([]ScheduleResult, error) {
	if len(posts) > MaxBatch {
		return nil, &FieldError{Field: "posts", Problem: fmt.Sprintf("%d posts, at most %d in one batch", len(posts), MaxBatch)}
	}
	out := make([]ScheduleResult, len(posts))
	first := map[string]int{} // post id -> index of its first valid post
	repeats := map[int]int{}  // index of a repeated id -> index of its first
	var todo []int
	for i, p := range posts {
		out[i].PostID = p.ID
		if err := c.checkNewPost(p); err != nil {
			out[i].Result, out[i].Err = ResultInvalid, err
			continue
		}
		if j, seen := first[p.ID]; seen {
			// A repeat inside the batch is judged against its first
			// copy once that is stored (below).
			repeats[i] = j
			continue
		}
		first[p.ID] = i
		todo = append(todo, i)
	}
	stored := make([]createResult, len(todo))
	batch := make([]Post, len(todo))
	for k, i := range todo {
		batch[k] = posts[i]
	}
	if err := c.store.createMany(ctx, batch, stored); err != nil {
		return nil, fmt.Errorf("schedule posts: %w", storeError(err))
	}
	var enqueue []Post
	var unchanged []int
	for k, i := range todo {
		r, p := stored[k], posts[i]
		switch {
		case r.created:
			out[i].Result = ResultCreated
			out[i].Status = PostStatus{PostID: p.ID, AccountID: p.AccountID, Platform: p.Platform, State: StateScheduled,
				PublishAt: time.UnixMilli(p.PublishAt.UnixMilli()).UTC(), UpdatedAt: r.at.UTC()}
		case r.fp != p.fingerprint():
			out[i].Result, out[i].Err = ResultConflict, fmt.Errorf("schedule post %s: %w", p.ID, ErrConflict)
			continue
		default:
			out[i].Result = ResultUnchanged
			unchanged = append(unchanged, i)
		}
		if r.state == StateScheduled {
			// As SchedulePost: an earlier call may have stored the
			// record and failed before enqueueing.
			enqueue = append(enqueue, p)
		}
	}
	if err := c.enqueueMany(ctx, enqueue); err != nil {
		return nil, fmt.Errorf("schedule posts: %w", storeError(err))
	}
	c.appendCreated(ctx, posts, out)
	if err := c.fillStatuses(ctx, posts, out, unchanged); err != nil {
		return nil, fmt.Errorf("schedule posts: %w", err)
	}
	for i, j := range repeats {
		out[i] = repeatResult(posts[i], posts[j], out[j])
	}
	return out, nil
}

// checkNewPost validates p as SchedulePost does.
func (c *Client) checkNewPost(p Post) error {
	if err := c.ValidatePost(p); err != nil {
		return err
	}
	if late := c.opts.now().Sub(p.PublishAt); late > c.opts.maxLateness {
		return &FieldError{Field: "publish_at", Problem: fmt.Sprintf("%s in the past, more than the %s a post may be late", late.Round(time.Second), c.opts.maxLateness)}
	}
	return nil
}

// repeatResult judges a post whose id came earlier in the same batch:
// the same post is unchanged, another is a conflict.
func repeatResult(p, firstPost Post, firstResult ScheduleResult) ScheduleResult {
	switch {
	case firstResult.Result == ResultConflict:
		return ScheduleResult{PostID: p.ID, Result: ResultConflict, Err: firstResult.Err}
	case p.fingerprint() != firstPost.fingerprint():
		return ScheduleResult{PostID: p.ID, Result: ResultConflict, Err: fmt.Errorf("schedule post %s: %w", p.ID, ErrConflict)}
	}
	return ScheduleResult{PostID: p.ID, Result: ResultUnchanged, Status: firstResult.Status}
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
		if out[i] = createResultOf(cmd, posts[i], at); out[i].err != nil {
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
		if out[i] = createResultOf(cmd, posts[i], at); out[i].err != nil {
			return fmt.Errorf("create record %s: %w", posts[i].ID, out[i].err)
		}
		if out[i].created {
			s.events.Appended("post." + string(StateScheduled))
		}
	}
	return nil
}

// enqueueMany enqueues the posts' tasks, enqueueWorkers at a time, and
// returns the first error.
func (c *Client) enqueueMany(ctx context.Context, posts []Post) error {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		next  = make(chan Post)
	)
	for range min(enqueueWorkers, len(posts)) {
		wg.Go(func() {
			for p := range next {
				if err := c.enqueue(ctx, p); err != nil {
					mu.Lock()
					if first == nil {
						first = fmt.Errorf("post %s: %w", p.ID, err)
					}
					mu.Unlock()
				}
			}
		})
	}
	for _, p := range posts {
		next <- p
	}
	close(next)
	wg.Wait()
	return first
}

// appendCreated is afterCreate for the created posts of a batch, unless
// the create script did its work.
func (c *Client) appendCreated(ctx context.Context, posts []Post, out []ScheduleResult) {
	if c.store.inlineEvents {
		return
	}
	var created []Post
	for i, r := range out {
		if r.Result == ResultCreated {
			created = append(created, posts[i])
		}
	}
	c.store.afterCreate(ctx, created)
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

// fillStatuses reads the current status of the unchanged posts in one
// round trip.
func (c *Client) fillStatuses(ctx context.Context, posts []Post, out []ScheduleResult, which []int) error {
	entries := make([]indexEntry, len(which))
	for k, i := range which {
		entries[k] = indexEntry{ID: posts[i].ID}
	}
	sts, err := c.store.loadStatuses(ctx, entries)
	if err != nil {
		return err
	}
	for k, i := range which {
		out[i].Status = sts[k]
	}
	return nil
}
