package jobs

import (
	"context"
	"fmt"
	"sync"
	"time"
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
// is refused does not stop the others. On a single Redis each new post's
// record, index entry, event and asynq task are written by one script,
// the posts' scripts in pipelines of 50 sent at once. On a cluster the index entries
// and records take two pipelined round trips and the events a third, and
// the asynq tasks, which asynq enqueues one at a time, go out
// concurrently; so do, on either, the tasks of posts stored by an
// earlier call that failed before enqueueing them.
// The error is for the batch as a whole (Redis unreachable or full): some
// posts may then be stored, and scheduling the batch again is safe.
func (c *Client) SchedulePosts(ctx context.Context, posts []Post) ([]ScheduleResult, error) {
	if c.tenantErr != nil {
		return nil, c.tenantErr
	}
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
		batch[k] = c.ownPost(posts[i])
	}
	if err := c.indexGroups(ctx, batch...); err != nil {
		return nil, fmt.Errorf("schedule posts: %w", storeError(err))
	}
	if err := c.store.createMany(ctx, batch, stored, c.opts.maxRetry); err != nil {
		return nil, fmt.Errorf("schedule posts: %w", storeError(err))
	}
	var enqueue []createdPost
	var unchanged []int
	for k, i := range todo {
		r, p := stored[k], batch[k]
		switch {
		case r.created:
			out[i].Result = ResultCreated
			out[i].Status = PostStatus{PostID: p.ID, GroupID: p.GroupID, AccountID: p.AccountID, Platform: p.Platform, State: StateScheduled,
				PublishAt: time.UnixMilli(p.PublishAt.UnixMilli()).UTC(), UpdatedAt: r.at.UTC()}
		case !p.matches(r.fp):
			out[i].Result, out[i].Err = ResultConflict, fmt.Errorf("schedule post %s: %w", appID(p.ID), ErrConflict)
			continue
		default:
			out[i].Result = ResultUnchanged
			unchanged = append(unchanged, i)
		}
		if c.leftToEnqueue(r) {
			enqueue = append(enqueue, createdPost{p, r})
		}
	}
	if err := c.enqueueMany(ctx, enqueue); err != nil {
		return nil, fmt.Errorf("schedule posts: %w", storeError(err))
	}
	c.appendCreated(ctx, batch, todo, out)
	if err := c.fillStatuses(ctx, batch, todo, out, unchanged); err != nil {
		return nil, fmt.Errorf("schedule posts: %w", err)
	}
	for i := range out {
		out[i].Status = out[i].Status.forApp()
	}
	for i, j := range repeats {
		out[i] = repeatResult(posts[i], posts[j], out[j])
	}
	return out, nil
}

// checkNewPost validates p as SchedulePost does.
func (c *Client) checkNewPost(p Post) error {
	if c.tenantErr != nil {
		return c.tenantErr
	}
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

// createdPost is a post of a batch and what its create did.
type createdPost struct {
	p Post
	r createResult
}

// enqueueMany enqueues the tasks the posts' creates left to enqueue
// (enqueueAfterCreate), enqueueWorkers at a time, and returns the first
// error.
func (c *Client) enqueueMany(ctx context.Context, posts []createdPost) error {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		next  = make(chan createdPost)
	)
	for range min(enqueueWorkers, len(posts)) {
		wg.Go(func() {
			for cp := range next {
				p := cp.p
				if err := c.enqueueAfterCreate(ctx, p, cp.r); err != nil {
					mu.Lock()
					if first == nil {
						first = fmt.Errorf("post %s: %w", appID(p.ID), err)
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

// appendCreated is afterCreate for the created posts of a batch (the
// stored posts batch, batch[k] being the one of out[todo[k]]), unless the
// create script did its work.
func (c *Client) appendCreated(ctx context.Context, batch []Post, todo []int, out []ScheduleResult) {
	if c.store.inlineEvents {
		return
	}
	var created []Post
	for k, i := range todo {
		if out[i].Result == ResultCreated {
			created = append(created, batch[k])
		}
	}
	c.store.afterCreate(ctx, created)
}

// fillStatuses reads the current status of the unchanged posts (which,
// indexes of out) in one round trip; batch and todo are as for
// appendCreated.
func (c *Client) fillStatuses(ctx context.Context, batch []Post, todo []int, out []ScheduleResult, which []int) error {
	stored := make(map[int]string, len(which)) // index of out -> stored id
	for k, i := range todo {
		stored[i] = batch[k].ID
	}
	entries := make([]indexEntry, len(which))
	for k, i := range which {
		entries[k] = indexEntry{ID: stored[i]}
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
