package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/publishers"
)

// Taking a post down. UnpublishPost turns a published post removing
// (post.removing) and queues a post:remove task, a step of its own
// (step.go) that deletes the post at the platform through its Remover and
// ends it removed (post.removed), once: the step saves rm_sent (fenced)
// before the delete, and a run that finds it looks the post up first
// (Remover.Exists) and deletes only what is still there. A delete is
// safe to repeat (a post already gone is no error), so a platform that
// does not let the account look (a LinkedIn member's post without
// r_member_social) deletes again. A take-down the platform refuses (a
// permission, a post not the account's) or whose retries run out puts
// the post back to published with post.remove_failed and the reason in
// last_error; asking again settles one whose delete may have gone
// through, by looking first.
//
// A platform whose API cannot delete posts (Instagram, TikTok) is
// refused before anything changes: ErrCannotRemove, naming it.

// TypeRemove is the task that takes a published post down.
const TypeRemove = "post:remove"

// Errors of UnpublishPost. Test with errors.Is.
var (
	// ErrCannotRemove: the post's platform offers no way to delete a
	// post through its API.
	ErrCannotRemove = errors.New("the platform's API cannot take posts down")
	// ErrNotPublished: only a published post (with its id) can be taken
	// down; one not yet published is canceled instead.
	ErrNotPublished = errors.New("post is not published")
)

// removeMaxRetry is how often a remove task is retried.
const removeMaxRetry = 10

func removeTaskID(postID string) string { return "remove:" + postID }

// unpublishScript asks for a published post's take-down. ARGV
// updated_at_ms. Replies {'removing'} (asked now), {'again', state} (it
// is removing or removed already), {'pending'} (published, its id not
// known yet), {'not', state} or {'missing'}.
var unpublishScript = redis.NewScript(`
local f = redis.call('HMGET', KEYS[1], 'state', 'remote_id', 'rid_pending')
if not f[1] then return {'missing'} end
if f[1] == 'removing' or f[1] == 'removed' then return {'again', f[1]} end
if f[1] ~= 'published' then return {'not', f[1]} end
if f[3] == '1' or not f[2] or f[2] == '' then return {'pending'} end
redis.call('HSET', KEYS[1], 'state', 'removing', 'updated_at', ARGV[1], 'last_error', '')
redis.call('HDEL', KEYS[1], 'rm_requeued') -- a take-down of its own (reconcile.go)
return {'removing'}
`)

// UnpublishPost takes post id down at its platform: the post becomes
// removing at once, and removed (post.removed) once the platform no
// longer has it, or published again (post.remove_failed) if the platform
// refuses. Asking again while it is removing, or once removed, changes
// nothing. A post of a platform that cannot delete posts returns
// ErrCannotRemove; one not published ErrNotPublished (cancel it
// instead).
func (c *Client) UnpublishPost(ctx context.Context, id string) (PostStatus, error) {
	q, err := c.own("post_id", id)
	if err != nil {
		return PostStatus{}, err
	}
	st, err := c.unpublish(ctx, q)
	return st.forApp(), err
}

// unpublish is UnpublishPost of a stored id.
func (c *Client) unpublish(ctx context.Context, id string) (PostStatus, error) {
	st, err := c.status(ctx, id)
	if err != nil {
		return st, err
	}
	if caps, known := c.capabilitiesOf(st.Platform); known && !caps.Remove {
		return st, fmt.Errorf("post %s: %s: %w", appID(id), st.Platform, ErrCannotRemove)
	}
	res, err := unpublishScript.Run(ctx, c.store.rdb, []string{recordKey(id)}, unixMilli(c.opts.now())).StringSlice()
	if err != nil {
		return st, fmt.Errorf("unpublish post %s: %w", appID(id), err)
	}
	switch res[0] {
	case "missing":
		return PostStatus{}, fmt.Errorf("post %s: %w", appID(id), ErrNotFound)
	case "pending":
		return c.postError(ctx, id, fmt.Errorf("%w yet under an id: %s gives it later", ErrNotPublished, st.Platform))
	case "not":
		return c.postError(ctx, id, fmt.Errorf("%w (it is %s): cancel it instead", ErrNotPublished, res[1]))
	case "removing":
		_ = c.store.appendEvent(ctx, events.Event{PostID: id, GroupID: st.GroupID, AccountID: st.AccountID, Platform: st.Platform,
			State: string(StateRemoving), RemoteID: st.RemoteID, URL: st.URL})
	}
	if res[0] != "again" || len(res) > 1 && res[1] == string(StateRemoving) {
		// Again while removing: the task may have been lost; a
		// queued one is as good.
		if err := c.enqueueRemove(ctx, id); err != nil {
			return st, fmt.Errorf("unpublish post %s: %w", appID(id), err)
		}
	}
	return c.status(ctx, id)
}

func (c *Client) enqueueRemove(ctx context.Context, id string) error {
	body, err := json.Marshal(commentPayload{PostID: id})
	if err != nil {
		return err
	}
	_, err = c.q.EnqueueContext(ctx, asynq.NewTask(TypeRemove, body), asynq.TaskID(removeTaskID(id)),
		asynq.Queue(QueuePublish), asynq.MaxRetry(removeMaxRetry))
	if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) && !errors.Is(err, asynq.ErrDuplicateTask) {
		return fmt.Errorf("enqueue take-down: %w", err)
	}
	return nil
}

// removeHandler runs post:remove tasks.
type removeHandler struct {
	pub *publishHandler
}

func (h *removeHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	// Erased, removed already, or its take-down failed ("done"): never
	// a second delete.
	return h.pub.processStep(ctx, t, h.spec())
}

// spec is the take-down step for processStep.
func (h *removeHandler) spec() stepSpec {
	return stepSpec{name: "take-down", state: StateRemoving,
		unsettled: func(string) error { return nil }, // not published: nothing to take down
		run:       h.run, failed: h.failed}
}

// run deletes the post unless a run before did, and settles it removed.
func (h *removeHandler) run(ctx context.Context, rec stepRecord, owner string) error {
	pub, ok := h.pub.publishers.Lookup(rec.Platform)
	if !ok {
		return publishers.Transient(fmt.Errorf("platform %q is not enabled on this worker", rec.Platform))
	}
	rm, ok := pub.(publishers.Remover)
	if !ok {
		return publishers.Permanent(fmt.Errorf("%s: %w", rec.Platform, ErrCannotRemove))
	}
	tok, user, refresh, err := h.pub.stepCredentials(ctx, rec.record)
	if err != nil {
		return err
	}
	req := publishers.RemoveRequest{PostID: rec.PostID, AccountID: rec.AccountID, PlatformUserID: user,
		RemoteID: rec.RemoteID, Token: tok, ForceRefresh: refresh}
	call := h.pub.store.lockTTL / 3
	if rec.fields["rm_sent"] != "" {
		// The take-down checkpoint: a delete was sent before and its
		// answer may be lost. Look before deleting again.
		cctx, cancel := context.WithTimeout(ctx, call)
		exists, err := rm.Exists(cctx, req)
		cancel()
		switch {
		case err == nil && !exists:
			return h.removed(ctx, rec, owner)
		case err != nil && !errors.Is(err, publishers.ErrOutcomeUnknown):
			return err
		}
		// Still there, or the account may not look: deleting again is
		// safe.
	} else if err := h.pub.store.stepSave(ctx, rec.PostID, owner, "rm_sent", unixMilli(h.pub.store.now())); err != nil {
		return err
	}
	cctx, cancel := context.WithTimeout(ctx, call)
	err = rm.Remove(cctx, req)
	cancel()
	if err != nil {
		return err
	}
	return h.removed(ctx, rec, owner)
}

// removed ends the post removed and appends post.removed.
func (h *removeHandler) removed(ctx context.Context, rec stepRecord, owner string) error {
	ev := &events.Event{PostID: rec.PostID, GroupID: rec.Post.GroupID, AccountID: rec.AccountID, Platform: rec.Platform,
		State: string(StateRemoved), RemoteID: rec.RemoteID, URL: rec.URL}
	fields := []any{"state", string(StateRemoved), "removed_at", unixMilli(h.pub.store.now()), "last_error", ""}
	if rec.fields["cm_state"] == CommentPending {
		fields = append(fields, "cm_state", "") // no comment on a post taken down
	}
	return h.settle(ctx, rec, owner, ev, fields...)
}

// failed puts the post back to published: the platform refused the
// take-down, or its retries ran out (when the delete may have gone
// through, rm_sent stays, and asking again looks first).
func (h *removeHandler) failed(ctx context.Context, rec stepRecord, owner string, cause error) error {
	reason := "take-down failed: " + cause.Error()
	ev := &events.Event{Type: events.PostRemoveFailed, PostID: rec.PostID, GroupID: rec.Post.GroupID, AccountID: rec.AccountID,
		Platform: rec.Platform, State: string(StatePublished), RemoteID: rec.RemoteID, URL: rec.URL,
		Class: publishers.ClassOf(cause).String(), Reason: cause.Error()}
	if err := h.settle(ctx, rec, owner, ev, "state", string(StatePublished), "last_error", reason); err != nil {
		return err
	}
	h.pub.log.Warn("remove: the post was not taken down; it is published", "post_id", rec.PostID, "platform", rec.Platform, "err", cause)
	return fmt.Errorf("take-down of post %s failed: %w: %w", rec.PostID, cause, asynq.SkipRetry)
}

// settle writes the step's outcome while it holds the post (still
// removing), and releases it.
func (h *removeHandler) settle(ctx context.Context, rec stepRecord, owner string, ev *events.Event, fields ...any) error {
	return h.pub.settleStep(ctx, h.spec(), rec, owner, ev, fields...)
}
