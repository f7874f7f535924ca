package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/publishers"
)

// Steps after publishing. A first comment (comment.go) and a take-down
// (remove.go) each change the platform once more, after the post is
// published, in a task of their own that asynq retries on its own. They
// keep the exactly-once machinery of a publish attempt, beside it:
//
//   - the step holds the post's lock (lock_owner, lock_until) while it
//     works, as a lookup does (lookup.go), so two runs of a step, or a
//     step and a lookup, never work on a post at once;
//   - before the call that changes the platform it saves a checkpoint
//     that says the call may have been sent (fenced: only while it holds
//     the lock), and a run that finds the checkpoint reads the platform
//     first (the post's comments, the post itself) instead of sending
//     again: a lost answer never makes a second comment;
//   - it ends with finish, which writes the outcome and its event only
//     while the step still holds the lock, and releases it.
//
// Each platform call is bounded well inside the lock's lifetime, which
// is not renewed: a step makes at most two calls.
//
// processStep is that skeleton, shared by the steps; each gives its
// stepSpec: the state it works on, what its run does (checkpoint, look,
// send) and how it fails for good.

// beginStepScript locks a settled post for a step. ARGV owner,
// lock_ttl_ms, the state the step works on, and a field and the value
// it must hold ("" for none). Replies {'missing'}, {'unsettled'} (an
// attempt has not ended, or the platform's id is pending), {'done'}
// (the post is not in the step's state: the step ran, or is moot),
// {'busy'} (another step or lookup holds the post) or {'begun', hash}.
var beginStepScript = redis.NewScript(`
local f = redis.call('HMGET', KEYS[1], 'state', 'lock_owner', 'lock_until', 'rid_pending')
local st = f[1]
if not st then return {'missing'} end
if st == 'scheduled' or st == 'publishing' or st == 'unknown' or st == 'cancel_requested' or f[4] == '1' then
  return {'unsettled'}
end
if st ~= ARGV[3] then return {'done'} end
if ARGV[4] ~= '' and redis.call('HGET', KEYS[1], ARGV[4]) ~= ARGV[5] then return {'done'} end
` + redisNow + `
if f[2] and f[2] ~= '' and (tonumber(f[3] or '0') or 0) > now then return {'busy'} end
redis.call('HSET', KEYS[1], 'lock_owner', ARGV[1], 'lock_until', tostring(now + tonumber(ARGV[2])))
return {'begun', redis.call('HGETALL', KEYS[1])}
`)

// stepRecord is a post a step holds: the record, and its fields as
// stored (the step's own checkpoints among them).
type stepRecord struct {
	record
	fields map[string]string
}

// beginStep locks postID for owner's step when its state is state and
// (unless field is "") field holds value.
func (s *store) beginStep(ctx context.Context, postID, owner string, state State, field, value string) (string, stepRecord, error) {
	res, err := beginStepScript.Run(ctx, s.rdb, []string{recordKey(postID)}, owner, s.lockTTL.Milliseconds(), string(state), field, value).Slice()
	if err != nil {
		return "", stepRecord{}, fmt.Errorf("begin step: %w", err)
	}
	verdict, h := begunRecord(res)
	if h == nil {
		return verdict, stepRecord{}, nil
	}
	rec, err := decodeRecord(postID, h)
	return verdict, stepRecord{record: rec, fields: h}, err
}

// begunRecord reads the reply of a script that locks a record for a
// step: {verdict} or {'begun', HGETALL of the record}. h is nil unless
// the step began.
func begunRecord(res []any) (verdict string, h map[string]string) {
	verdict, _ = res[0].(string)
	if verdict != "begun" || len(res) < 2 {
		return verdict, nil
	}
	flat, _ := res[1].([]any)
	h = make(map[string]string, len(flat)/2)
	for i := 0; i+1 < len(flat); i += 2 {
		k, _ := flat[i].(string)
		v, _ := flat[i+1].(string)
		h[k] = v
	}
	return verdict, h
}

// stepSaveScript writes field/value pairs while owner holds the post.
// ARGV owner, pairs. Replies 1, or 0 when the lock is another's or the
// record is gone.
var stepSaveScript = redis.NewScript(`
if redis.call('HGET', KEYS[1], 'lock_owner') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
return 1
`)

// stepSave saves a step's checkpoint (field/value pairs) while owner
// holds postID; errLockLost when it does not any more.
func (s *store) stepSave(ctx context.Context, postID, owner string, pairs ...any) error {
	n, err := stepSaveScript.Run(ctx, s.rdb, []string{recordKey(postID)}, append([]any{owner}, pairs...)...).Int()
	if err != nil {
		return fmt.Errorf("save step checkpoint: %w", err)
	}
	if n != 1 {
		return errLockLost
	}
	return nil
}

// stepCredentials reads the token of rec's account, and the ForceRefresh
// a platform call gets with it.
func (h *publishHandler) stepCredentials(ctx context.Context, rec record) (*oauth2.Token, string, func(context.Context) (*oauth2.Token, error), error) {
	tok, info, err := h.tokens.Credentials(ctx, rec.AccountID, rec.Platform)
	if err != nil {
		return nil, "", nil, tokenError(err)
	}
	return tok, info.PlatformUserID, func(ctx context.Context) (*oauth2.Token, error) {
		t, err := h.tokens.ForceRefresh(ctx, rec.AccountID, rec.Platform, tok)
		if err != nil {
			return nil, tokenError(err)
		}
		return t, nil
	}, nil
}

// finalStepError says whether err ends a step for good: the platform
// refused (permanent), the account cannot act (reauth), or asynq has no
// retry left.
func finalStepError(ctx context.Context, err error) bool {
	switch publishers.ClassOf(err) {
	case publishers.ClassPermanent, publishers.ClassReauth:
		return true
	}
	return ctx.Err() == nil && !errors.Is(err, errLockLost) && IsFailure(err) && lastTry(ctx)
}

// forgetSteps deletes postID's step tasks (first comment, take-down), whose
// payloads name the post, and takes it out of its group, for an
// erasure. Run it before the record is deleted.
func (c *Client) forgetSteps(ctx context.Context, postID string, n map[string]int) {
	c.deleteTask(QueuePublish, commentTaskID(postID), n)
	c.deleteTask(QueuePublish, removeTaskID(postID), n)
	c.forgetGroup(ctx, postID)
}

// stepSpec is what a step gives processStep.
type stepSpec struct {
	name string // "first comment", "take-down": for errors
	// state is the state the step works on, and field (unless "") the
	// field that must hold value (beginStep).
	state        State
	field, value string
	// unsettled answers a task whose post has not settled yet.
	unsettled func(postID string) error
	// run does the step while it holds the post, and settles it unless
	// it returns an error.
	run func(ctx context.Context, rec stepRecord, owner string) error
	// failed ends the step for good after cause (finalStepError).
	failed func(ctx context.Context, rec stepRecord, owner string, cause error) error
}

// processStep runs a step's task (its payload names the post): it
// takes the post's lock (beginStep), runs the step, and after an error
// either fails the step for good or releases the post for the task's
// retry.
func (h *publishHandler) processStep(ctx context.Context, t *asynq.Task, sp stepSpec) error {
	var p commentPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil {
		return fmt.Errorf("%s payload: %w: %w", sp.name, err, asynq.SkipRetry)
	}
	if err := checkStored("post_id", p.PostID); err != nil {
		return fmt.Errorf("%s payload: %w: %w", sp.name, err, asynq.SkipRetry)
	}
	owner := randomID()
	verdict, rec, err := h.store.beginStep(ctx, p.PostID, owner, sp.state, sp.field, sp.value)
	if err != nil {
		return err
	}
	switch verdict {
	case "missing", "done":
		// Erased, or the step ran already or is moot: never twice.
		return nil
	case "unsettled":
		return sp.unsettled(p.PostID)
	case "busy":
		return snooze(lockTTL/2, fmt.Sprintf("post %s is held by another step", p.PostID))
	case "begun":
	default:
		return fmt.Errorf("begin %s: unexpected verdict %q", sp.name, verdict)
	}
	err = sp.run(ctx, rec, owner)
	if err == nil || errors.Is(err, errLockLost) {
		return err
	}
	if _, waits := Snoozed(err); waits {
		return err
	}
	if finalStepError(ctx, err) {
		return sp.failed(ctx, rec, owner, err)
	}
	// Retried on its own; the post stays as it is.
	if rerr := h.settleStep(ctx, sp, rec, owner, nil); rerr != nil && !errors.Is(rerr, errLockLost) {
		return rerr
	}
	return fmt.Errorf("%s of post %s: %w", sp.name, rec.PostID, err)
}

// settleStep writes a step's outcome (fields, and ev if not nil) while
// it holds the post, still in the step's state, and releases it.
func (h *publishHandler) settleStep(ctx context.Context, sp stepSpec, rec stepRecord, owner string, ev *events.Event, fields ...any) error {
	wctx, cancel := detached(ctx)
	defer cancel()
	tr, err := h.store.finish(wctx, rec.PostID, owner, []State{sp.state}, ev, fields...)
	if err != nil {
		return err
	}
	if tr.Fenced {
		return fmt.Errorf("%s of post %s: %w", sp.name, rec.PostID, errLockLost)
	}
	return nil
}

// snoozeUntilSettled is the unsettled answer of a step that waits for
// its post to settle.
func snoozeUntilSettled(postID string) error {
	return snooze(time.Minute, fmt.Sprintf("post %s is not settled yet", postID))
}
