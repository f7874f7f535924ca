package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/hibiken/asynq"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/publishers"
)

// First comments. A post whose content has a first_comment gets it as
// its author's comment once it is published, in a step of its own
// (step.go): a post:comment task, enqueued when the publish attempt
// records the post published. The record says where the comment is
// (cm_state): pending until the step ends it posted (comment_id, and
// post.commented) or failed (warning, and post.comment_failed). The
// post stays published whatever the comment does.
//
// Never twice: cm_sent is saved (fenced) before the comment is sent; a
// run that finds it reads the post's comments first (the platform's
// FindComment) and records the comment it finds. A comment not found is
// looked for once more a little later (a platform may list it late)
// before it is sent again. A platform that lets the account send but
// not read comments (a LinkedIn member without r_member_social) leaves a
// lost answer unknown: the step retries the look and, when its retries
// run out, fails the comment with a warning that it may be there,
// never sending it twice.
//
// A post whose cancel came before the attempt that found it published
// (cancel_requested, then post.cancel_failed) gets no comment: its
// author wanted it gone.

// TypeComment is the task that posts a published post's first comment.
const TypeComment = "post:comment"

// Comment states, in the record's cm_state and PostStatus.CommentState.
const (
	CommentPending = "pending"
	CommentPosted  = "posted"
	CommentFailed  = "failed"
)

// MaxCommentLen bounds content.first_comment for every platform, in
// characters; each platform's own limit (its Commenter's) is checked
// by a Client given WithCapabilities.
const MaxCommentLen = 10_000

// CommentConfig tunes the first comment step.
type CommentConfig struct {
	// LookAgain is how long a comment sent without an answer, and not
	// found, waits before it is looked for again, and then sent again
	// (default 20s: a platform may list a new comment late).
	LookAgain time.Duration
	// MaxRetry is how often a comment task is retried (default 10);
	// rate limits and waits do not count.
	MaxRetry int
}

func (c *CommentConfig) defaults() {
	if c.LookAgain <= 0 {
		c.LookAgain = 20 * time.Second
	}
	if c.MaxRetry <= 0 {
		c.MaxRetry = 10
	}
}

// commentMisses is how many looks miss before the comment is sent
// again.
const commentMisses = 2

func commentTaskID(postID string) string { return "comment:" + postID }

type commentPayload struct {
	PostID string `json:"post_id"`
}

// comments enqueues post:comment tasks.
type comments struct {
	q   *asynq.Client
	cfg CommentConfig
	log *slog.Logger
}

// enqueue adds postID's comment task; one that exists is as good.
func (c *comments) enqueue(ctx context.Context, postID string, delay time.Duration) error {
	body, err := json.Marshal(commentPayload{PostID: postID})
	if err != nil {
		return err
	}
	_, err = c.q.EnqueueContext(ctx, asynq.NewTask(TypeComment, body), asynq.TaskID(commentTaskID(postID)),
		asynq.Queue(QueuePublish), asynq.ProcessIn(delay), asynq.MaxRetry(c.cfg.MaxRetry))
	if errors.Is(err, asynq.ErrTaskIDConflict) || errors.Is(err, asynq.ErrDuplicateTask) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("enqueue first comment of post %s: %w", postID, err)
	}
	return nil
}

// first starts the comment step of a post just published. The post is
// published whatever happens here: a failure is logged, and the publish
// task, should asynq run it again, finds the comment pending (ensure).
func (c *comments) first(ctx context.Context, postID string) {
	if c == nil {
		return
	}
	wctx, cancel := detached(ctx)
	defer cancel()
	if err := c.enqueue(wctx, postID, 0); err != nil {
		c.log.Error("publish: the first comment is not queued yet", "post_id", postID, "err", err)
	}
}

// ensure enqueues postID's comment step when its comment is still
// pending: for a publish task that runs again after its post was
// published (its worker died before the comment was queued).
func (c *comments) ensure(ctx context.Context, s *store, postID string) {
	if c == nil {
		return
	}
	if st, _ := s.rdb.HGet(ctx, recordKey(postID), "cm_state").Result(); st == CommentPending {
		c.first(ctx, postID)
	}
}

// commentFields are what the finish of a publish attempt writes for
// rec's first comment: pending, unless the attempt only looked for a
// canceled post.
func commentFields(rec record) []any {
	if rec.Post.Content.FirstComment == "" || rec.State == StateCancelRequested {
		return nil
	}
	return []any{"cm_state", CommentPending}
}

// commentHandler runs post:comment tasks.
type commentHandler struct {
	pub *publishHandler
	cfg CommentConfig
}

func (h *commentHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	// Erased, already commented or failed, or no longer published
	// ("done"): never a second comment.
	return h.pub.processStep(ctx, t, h.spec())
}

// spec is the comment step for processStep.
func (h *commentHandler) spec() stepSpec {
	return stepSpec{name: "first comment", state: StatePublished, field: "cm_state", value: CommentPending,
		unsettled: snoozeUntilSettled, run: h.run, failed: h.failed}
}

// run looks for a comment an earlier run may have made, and posts the
// comment when there is none. It settles the post unless it returns an
// error.
func (h *commentHandler) run(ctx context.Context, rec stepRecord, owner string) error {
	pub, ok := h.pub.publishers.Lookup(rec.Platform)
	if !ok {
		return publishers.Transient(fmt.Errorf("platform %q is not enabled on this worker", rec.Platform))
	}
	cm, ok := pub.(publishers.Commenter)
	if !ok {
		return publishers.Permanent(fmt.Errorf("%s takes no first comment: its API cannot comment on posts", rec.Platform))
	}
	if rec.RemoteID == "" {
		return publishers.Permanent(fmt.Errorf("%s gave no id for the post, so there is nothing to comment on", rec.Platform))
	}
	tok, user, refresh, err := h.pub.stepCredentials(ctx, rec.record)
	if err != nil {
		return err
	}
	req := publishers.CommentRequest{PostID: rec.PostID, AccountID: rec.AccountID, PlatformUserID: user,
		RemoteID: rec.RemoteID, Text: rec.Post.Content.FirstComment, Token: tok, ForceRefresh: refresh}
	call := h.pub.store.lockTTL / 3
	if sent := rec.fields["cm_sent"]; sent != "" {
		// The comment checkpoint: an earlier run sent the comment and
		// may have lost the answer. Look before sending again.
		req.Since = parseMilli(sent)
		cctx, cancel := context.WithTimeout(ctx, call)
		found, ok, err := cm.FindComment(cctx, req)
		cancel()
		if err != nil {
			return err
		}
		if ok {
			return h.posted(ctx, rec, owner, found.ID)
		}
		misses, _ := strconv.Atoi(rec.fields["cm_misses"])
		if misses+1 < commentMisses {
			if err := h.pub.store.stepSave(ctx, rec.PostID, owner, "cm_misses", strconv.Itoa(misses+1)); err != nil {
				return err
			}
			if err := h.release(ctx, rec, owner); err != nil {
				return err
			}
			return snooze(h.cfg.LookAgain, fmt.Sprintf("post %s: the first comment was sent, its answer lost, and it is not listed (yet): looking again before sending it again", rec.PostID))
		}
	}
	if err := h.pub.store.stepSave(ctx, rec.PostID, owner, "cm_sent", unixMilli(h.pub.store.now()), "cm_misses", ""); err != nil {
		return err
	}
	cctx, cancel := context.WithTimeout(ctx, call)
	c, err := cm.Comment(cctx, req)
	cancel()
	if err != nil {
		return err
	}
	return h.posted(ctx, rec, owner, c.ID)
}

// posted records the comment and appends post.commented.
func (h *commentHandler) posted(ctx context.Context, rec stepRecord, owner, id string) error {
	ev := &events.Event{Type: events.PostCommented, PostID: rec.PostID, GroupID: rec.Post.GroupID, AccountID: rec.AccountID, Platform: rec.Platform,
		State: string(StatePublished), RemoteID: rec.RemoteID, URL: rec.URL, CommentID: id}
	return h.settle(ctx, rec, owner, ev, "cm_state", CommentPosted, "comment_id", id)
}

// failed ends the comment step without a comment: the post stays
// published, its warning says so, and post.comment_failed says why.
func (h *commentHandler) failed(ctx context.Context, rec stepRecord, owner string, cause error) error {
	warning := "the first comment was not posted: " + cause.Error()
	if errors.Is(cause, publishers.ErrOutcomeUnknown) {
		warning = "the first comment may or may not be on the post (its answer was lost and Herald could not look): " + cause.Error()
	}
	if rec.Warning != "" {
		warning = rec.Warning + "; " + warning
	}
	ev := &events.Event{Type: events.PostCommentFailed, PostID: rec.PostID, GroupID: rec.Post.GroupID, AccountID: rec.AccountID, Platform: rec.Platform,
		State: string(StatePublished), RemoteID: rec.RemoteID, URL: rec.URL, Class: publishers.ClassOf(cause).String(),
		Reason: cause.Error(), Warning: warning}
	if err := h.settle(ctx, rec, owner, ev, "cm_state", CommentFailed, "warning", warning); err != nil {
		return err
	}
	h.pub.log.Warn("comment: the first comment was not posted; the post stays published", "post_id", rec.PostID, "platform", rec.Platform, "err", cause)
	return fmt.Errorf("first comment of post %s failed: %w: %w", rec.PostID, cause, asynq.SkipRetry)
}

// release lets the post go without an outcome: the task's retry runs
// the step again.
func (h *commentHandler) release(ctx context.Context, rec stepRecord, owner string) error {
	return h.settle(ctx, rec, owner, nil)
}

// settle writes the step's outcome while it holds the post, and
// releases it.
func (h *commentHandler) settle(ctx context.Context, rec stepRecord, owner string, ev *events.Event, fields ...any) error {
	return h.pub.settleStep(ctx, h.spec(), rec, owner, ev, fields...)
}
