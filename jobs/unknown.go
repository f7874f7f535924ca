package jobs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/publishers"
)

// Unknown outcomes. An attempt whose answer from the platform was lost
// (publishers.ErrOutcomeUnknown) leaves its post "unknown", not
// scheduled: the next attempt resumes from the checkpoints and finds the
// post rather than posting again. A cancel (or a disconnect) must not
// call such a post canceled while the platform may show it, so:
//
//   - a scheduled or publishing post with no checkpoint is canceled at
//     once, as before: nothing that can be a post was sent, since every
//     publisher saves a checkpoint before any call that can make the post
//     (publishers.Request.ResolveOnly), and a running attempt's next save
//     is refused;
//   - a post that is unknown, or scheduled or publishing with checkpoints,
//     becomes cancel_requested; a running attempt is stopped (its renewal
//     is refused) and snoozes its task, and the post's next attempt only
//     looks (publishers.Request.ResolveOnly): published if the platform
//     has the post (post.published, then post.cancel_failed), canceled
//     otherwise (post.canceled);
//   - an attempt that ends without a post on a cancel_requested record is
//     canceled when it left no checkpoint, and kept cancel_requested for
//     the next attempt's look when it did;
//   - a look that cannot happen (the publisher cannot look without
//     posting, the account's token is refused or gone) or whose retries
//     ran out ends the post failed, class outcome_unknown, with the
//     reason and post.failed: never left cancel_requested, and never
//     called canceled;
//   - a post past its deadline (not_after, or publish time plus the
//     lateness) that the platform may have (unknown, or with checkpoints)
//     is not failed as too late blindly either: its attempt only looks,
//     and ends it published if the platform has it, too_late if not,
//     outcome_unknown if it cannot learn which;
//   - nor is a post whose retries run out while the platform may have it
//     (the last try's answer was lost, or it left a checkpoint): the
//     last try looks once more (ResolveOnly, as the looks above) and
//     ends the post published if the platform has it, failed with its
//     own class ("retries exhausted: ...") if not, and outcome_unknown
//     when the look cannot happen or fails;
//   - the reconciler gives a post the platform may have whose task asynq
//     archived without an outcome (a try killed, a wait on the last try)
//     one last look rather than failing it: it marks the record
//     (last_look: the class and reason the post fails with if the
//     platform has none) and enqueues the task again; every attempt at a
//     marked post only looks, and a marked post whose task is archived
//     again ends outcome_unknown.
//
// A disconnect cancels too, and its looks need the account's token,
// which the disconnect made unreadable: they use the sealed token kept
// for its revocation (tokens.Vault.LookToken), and the revocation waits
// for them, bounded (disconnectlook.go).

// ClassOutcomeUnknown is the failure class of a post whose outcome at the
// platform could not be learned: canceled (or past its deadline, or out
// of retries) while the platform may have it, and no look could tell.
// The post may be online: the reason says why Herald could not look;
// check the platform.
const ClassOutcomeUnknown = "outcome_unknown"

// unresolvedReason starts the reason of a canceled post whose look
// failed for good.
const unresolvedReason = "canceled, but whether the platform has the post could not be learned: "

// cancelScript cancels a post, or asks for the cancel when the platform
// may already have it. ARGV updated_at_ms. Replies {previous state ("" if
// none), "canceled" | "requested" | "none"}.
var cancelScript = redis.NewScript(`
local st = redis.call('HGET', KEYS[1], 'state')
if not st then return {'', 'none'} end
local maybe = false
if st == 'unknown' then
  maybe = true
elseif st == 'scheduled' or st == 'publishing' then
  for _, k in ipairs(redis.call('HKEYS', KEYS[1])) do
    if string.sub(k, 1, 3) == 'cp:' then maybe = true break end
  end
else
  return {st, 'none'}
end
if maybe then
  redis.call('HSET', KEYS[1], 'state', 'cancel_requested', 'updated_at', ARGV[1])
  return {st, 'requested'}
end
redis.call('HSET', KEYS[1], 'state', 'canceled', 'updated_at', ARGV[1])
return {st, 'canceled'}
`)

// cancelRecord runs cancelScript on postID.
func (s *store) cancelRecord(ctx context.Context, postID string) (prev State, verdict string, err error) {
	res, err := cancelScript.Run(ctx, s.rdb, []string{recordKey(postID)}, unixMilli(s.now())).StringSlice()
	if err != nil {
		return "", "", fmt.Errorf("cancel: %w", err)
	}
	if len(res) != 2 {
		return "", "", fmt.Errorf("cancel: unexpected reply %v", res)
	}
	return State(res[0]), res[1], nil
}

// settleScript ends an attempt on a cancel_requested post that did not
// publish it. ARGV owner, mode, updated_at_ms. Mode "nothing": the
// publisher found no post, cancel; "keep": the outcome is unknown, keep
// the request; "auto": cancel unless a checkpoint says something was
// sent. Replies {state, "not" (not cancel_requested) | "fenced" (another
// attempt holds it) | "canceled" | "kept"}; all but "not" and "fenced"
// release owner's lock.
var settleScript = redis.NewScript(`
local f = redis.call('HMGET', KEYS[1], 'state', 'lock_owner')
if f[1] ~= 'cancel_requested' then return {f[1] or '', 'not'} end
if f[2] ~= ARGV[1] then return {f[1], 'fenced'} end
redis.call('HDEL', KEYS[1], 'lock_owner', 'lock_until', 'resolver')
local cancel = ARGV[2] == 'nothing'
if ARGV[2] == 'auto' then
  cancel = true
  for _, k in ipairs(redis.call('HKEYS', KEYS[1])) do
    if string.sub(k, 1, 3) == 'cp:' then cancel = false break end
  end
end
if not cancel then return {f[1], 'kept'} end
redis.call('HSET', KEYS[1], 'state', 'canceled', 'updated_at', ARGV[3])
return {f[1], 'canceled'}
`)

// settleMode says what an attempt's error tells of a canceled post.
func settleMode(err error) string {
	switch {
	case errors.Is(err, publishers.ErrNotPublished):
		return "nothing"
	case errors.Is(err, publishers.ErrOutcomeUnknown):
		return "keep"
	}
	return "auto"
}

// settle runs settleScript for owner's attempt at postID.
func (s *store) settle(ctx context.Context, postID, owner, mode string) (string, error) {
	keys := []string{recordKey(postID)}
	args := []any{owner, mode, unixMilli(s.now())}
	var res []string
	var err error
	if !s.trackAttempts {
		res, err = settleScript.Run(ctx, s.rdb, keys, args...).StringSlice()
	} else {
		pipe := s.rdb.Pipeline()
		cmd := settleScript.EvalSha(ctx, pipe, keys, args...)
		pipe.ZRem(ctx, attemptsKey, attemptMember(postID, owner))
		_, _ = pipe.Exec(ctx)
		res, err = cmd.StringSlice()
		if redis.HasErrorPrefix(err, "NOSCRIPT") {
			res, err = settleScript.Eval(ctx, s.rdb, keys, args...).StringSlice()
		}
	}
	if err != nil {
		return "", fmt.Errorf("settle canceled post: %w", err)
	}
	if len(res) != 2 {
		return "", fmt.Errorf("settle canceled post: unexpected reply %v", res)
	}
	return res[1], nil
}

// settleCancel ends a failed attempt whose post was canceled before or
// during it; done is false when the post was not cancel_requested (the
// ordinary failure path goes on).
func (h *publishHandler) settleCancel(ctx context.Context, rec record, owner string, attempt int, err error, start time.Time) (done bool, _ error) {
	resolving := rec.State == StateCancelRequested
	if !resolving && ctx.Err() == nil && !errors.Is(err, errLockLost) {
		// A cancel stops an attempt through its context; one that ended
		// on its own meets a cancel in finish (attemptFailed).
		return false, nil
	}
	if resolving && !errors.Is(err, publishers.ErrNotPublished) {
		if prefix, final := lookGivesUp(ctx, err); final {
			return true, h.unresolved(ctx, rec, owner, attempt, prefix+unresolvedReason+err.Error(), start)
		}
	}
	wctx, cancel := detached(ctx)
	defer cancel()
	verdict, serr := h.store.settle(wctx, rec.PostID, owner, settleMode(err))
	if serr != nil {
		return true, fmt.Errorf("post %s attempt %d: %w (and %w)", rec.PostID, attempt, err, serr)
	}
	switch verdict {
	case "not":
		return false, nil
	case "fenced":
		return true, fmt.Errorf("post %s attempt %d stopped: %w", rec.PostID, attempt, err)
	case "canceled":
		_ = h.store.appendEvent(wctx, events.Event{PostID: rec.PostID, GroupID: rec.Post.GroupID, AccountID: rec.AccountID, Platform: rec.Platform, State: string(StateCanceled), Attempt: attempt})
		h.emit(Outcome{PostID: rec.PostID, Platform: rec.Platform, State: StateCanceled, Attempt: attempt, Duration: h.store.now().Sub(start), Lag: start.Sub(rec.PublishAt)})
		return true, fmt.Errorf("post %s canceled: %w", rec.PostID, asynq.RevokeTask)
	}
	// Kept: the platform may have the post.
	if !resolving {
		// The next attempt looks, soon.
		return true, snooze(time.Second, fmt.Sprintf("post %s canceled while the platform may have it: the next attempt looks", rec.PostID))
	}
	return true, fmt.Errorf("post %s attempt %d (resolving a cancel): %w", rec.PostID, attempt, err)
}

// lookGivesUp reports whether a look-only attempt that failed with err
// is the last: no attempt can look (a permanent or reauth error: a
// publisher that cannot look without posting, a token refused or gone),
// or this was the task's last try. prefix starts the reason.
func lookGivesUp(ctx context.Context, err error) (prefix string, final bool) {
	if ctx.Err() != nil || errors.Is(err, errLockLost) {
		return "", false // cut short: shutdown requeues, another attempt holds the post
	}
	switch publishers.ClassOf(err) {
	case publishers.ClassPermanent, publishers.ClassReauth:
		return "", true
	}
	if IsFailure(err) && lastTry(ctx) {
		return exhaustedPrefix, true
	}
	return "", false
}

// unresolved ends a canceled post whose look failed for good: failed,
// class outcome_unknown, with post.failed, so that the app hears of it
// rather than a post left cancel_requested for ever; releases the post
// and archives its task.
func (h *publishHandler) unresolved(ctx context.Context, rec record, owner string, attempt int, reason string, start time.Time) error {
	wctx, cancel := detached(ctx)
	defer cancel()
	ev := &events.Event{PostID: rec.PostID, AccountID: rec.AccountID, Platform: rec.Platform, State: string(StateFailed), Attempt: attempt, Class: ClassOutcomeUnknown, Reason: reason}
	tr, err := h.store.finish(wctx, rec.PostID, owner, []State{StateCancelRequested}, ev,
		"state", string(StateFailed), "class", ClassOutcomeUnknown, "reason", reason)
	if err != nil {
		return fmt.Errorf("post %s attempt %d: %s (and %w)", rec.PostID, attempt, reason, err)
	}
	if tr.Fenced {
		return fmt.Errorf("post %s attempt %d stopped: %s: %w", rec.PostID, attempt, reason, errLockLost)
	}
	if !tr.Changed {
		return nil // erased meanwhile
	}
	h.log.Warn("publish: canceled post's outcome could not be learned; failed, class outcome_unknown: check the platform", "post_id", rec.PostID, "platform", rec.Platform, "reason", reason)
	h.emit(Outcome{PostID: rec.PostID, Platform: rec.Platform, State: StateFailed, Class: ClassOutcomeUnknown, Attempt: attempt, Duration: h.store.now().Sub(start), Lag: start.Sub(rec.PublishAt), Err: errors.New(reason)})
	return fmt.Errorf("post %s failed (%s): %s: %w", rec.PostID, ClassOutcomeUnknown, reason, asynq.SkipRetry)
}

// lateLookFailed ends a look at a post past its deadline that did not
// find the post: too_late when the platform has none, outcome_unknown
// when the look failed for good; done is false when the look is retried.
func (h *publishHandler) lateLookFailed(ctx context.Context, rec record, owner string, attempt int, err error, start time.Time, late string) (done bool, _ error) {
	if ctx.Err() != nil || errors.Is(err, errLockLost) {
		return false, nil
	}
	if errors.Is(err, publishers.ErrNotPublished) {
		return true, h.fail(ctx, rec, owner, ClassTooLate, late, attempt, start)
	}
	if prefix, final := lookGivesUp(ctx, err); final {
		return true, h.fail(ctx, rec, owner, ClassOutcomeUnknown, prefix+late+", and whether the platform has the post could not be learned: "+err.Error(), attempt, start)
	}
	return false, nil
}

// resolveOnly prepares the request of a look-only attempt (a
// cancel_requested post, or one past its deadline): the publisher may
// only look. Without a checkpoint nothing was
// sent, and the answer is known without asking (nor needing a token).
func resolveOnly(rec record, pub publishers.Publisher) error {
	if len(rec.Checkpoints) == 0 {
		return publishers.Permanent(fmt.Errorf("post %s: nothing was sent (no checkpoint): %w", rec.PostID, publishers.ErrNotPublished))
	}
	if r, ok := pub.(publishers.Resolver); !ok || !r.ResolvesOnly() {
		return publishers.Permanent(fmt.Errorf("%w: the %s publisher cannot look a post up without publishing it", publishers.ErrOutcomeUnknown, rec.Platform))
	}
	return nil
}

// retryState is the state an attempt that failed and will be retried
// leaves its post in: unknown when the platform may have it.
func retryState(err error) (State, string) {
	if errors.Is(err, publishers.ErrOutcomeUnknown) {
		return StateUnknown, events.PostUnknown
	}
	return StateScheduled, events.PostRetry
}

// cancelLost tells the app that a cancel came too late: the platform had
// the post (post.published was appended just before).
func (h *publishHandler) cancelLost(ctx context.Context, rec record, attempt int, res publishers.Result) {
	wctx, cancel := detached(ctx)
	defer cancel()
	_ = h.store.appendEvent(wctx, events.Event{Type: events.PostCancelFailed, PostID: rec.PostID, GroupID: rec.Post.GroupID, AccountID: rec.AccountID, Platform: rec.Platform,
		State: string(StatePublished), Attempt: attempt, RemoteID: res.RemoteID, URL: res.URL,
		Reason: "canceled too late: the platform had already taken the post"})
}

// mayHavePosted reports whether an ordinary attempt that failed with err
// is the task's last try at a post the platform may have: its answer
// was lost, or it (or an attempt before) saved a checkpoint. Such a
// post is looked for before it is failed (lastLook). A look-only
// attempt (look, or a cancel_requested post) decides on its own, and an
// attempt cut short, refused for good or waiting is no last try.
func (h *publishHandler) mayHavePosted(ctx context.Context, rec record, err error, look bool) bool {
	if look || rec.State == StateCancelRequested || ctx.Err() != nil || errors.Is(err, errLockLost) || !IsFailure(err) || !lastTry(ctx) {
		return false
	}
	switch publishers.ClassOf(err) {
	case publishers.ClassPermanent, publishers.ClassReauth:
		return false
	}
	if errors.Is(err, publishers.ErrOutcomeUnknown) {
		return true
	}
	sent, serr := h.store.sentSomething(ctx, rec.PostID)
	return sent || serr != nil // unread: look rather than fail blindly
}

// lastLook looks, with the checkpoints saved so far (this attempt's
// too), whether the platform has rec's post: its result when it does,
// an error wrapping ErrNotPublished when it has none (or nothing was
// sent), any other error when the look cannot tell.
func (h *publishHandler) lastLook(ctx context.Context, rec record, owner string, lose func(error), attempt int) (publishers.Result, error) {
	cur, ok, err := h.store.load(ctx, rec.PostID)
	if err != nil {
		return publishers.Result{}, err
	}
	if !ok {
		return publishers.Result{}, fmt.Errorf("post %s erased: %w", rec.PostID, publishers.ErrNotPublished)
	}
	rec.Checkpoints = cur.Checkpoints
	return h.callPlatform(ctx, &rec, owner, lose, attempt, nil, true)
}

// lastLookFailed ends a look at a post the reconciler marked for a last
// look (rec.LastLook): failed as the mark says when the platform has no
// post, outcome_unknown when the look failed for good; done is false
// when the look is retried.
func (h *publishHandler) lastLookFailed(ctx context.Context, rec record, owner string, attempt int, err error, start time.Time) (done bool, _ error) {
	if ctx.Err() != nil || errors.Is(err, errLockLost) {
		return false, nil
	}
	class, reason, _ := strings.Cut(rec.LastLook, ":")
	if errors.Is(err, publishers.ErrNotPublished) {
		return true, h.fail(ctx, rec, owner, class, reason+"; a last look found no post at the platform", attempt, start)
	}
	if _, final := lookGivesUp(ctx, err); final {
		return true, h.fail(ctx, rec, owner, ClassOutcomeUnknown, reason+"; whether the platform has the post could not be learned: "+err.Error(), attempt, start)
	}
	return false, nil
}

// sentSomething reports whether postID's record holds a checkpoint: an
// attempt may have made the post.
func (s *store) sentSomething(ctx context.Context, postID string) (bool, error) {
	keys, err := s.rdb.HKeys(ctx, recordKey(postID)).Result()
	if err != nil {
		return false, fmt.Errorf("read checkpoints: %w", err)
	}
	for _, k := range keys {
		if strings.HasPrefix(k, checkpointPrefix) {
			return true, nil
		}
	}
	return false, nil
}
