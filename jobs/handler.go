package jobs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/internal/randomid"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/tokens"
)

// ClassTooLate is the failure class of a post that could not go out
// before its deadline. It is permanent.
const ClassTooLate = "too_late"

// errBusy says another attempt holds the post's lock: the task waits,
// it is nobody's failure.
var errBusy = snooze(lockTTL/2, "another attempt at this post is running")

// publishHandler runs post:publish tasks.
type publishHandler struct {
	store       *store
	publishers  *publishers.Registry
	tokens      Tokens
	sealer      Sealer
	maxLateness time.Duration
	log         *slog.Logger
	observe     func(Outcome)
	// lookups follows up a post published with its id pending.
	lookups *lookups
	// comments posts a published post's first comment (comment.go).
	comments *comments
}

// Outcome is the end of one publish attempt, for metrics and the demo.
type Outcome struct {
	PostID, Platform string
	State            State  // the post's state after the attempt
	Class            string // failure class, "" when published
	Attempt          int
	Duration         time.Duration
	// Lag is how late the attempt started after the post's time.
	Lag time.Duration
	Err error
}

func (h *publishHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	// The task id names the post (publishTaskID): no need to parse the
	// payload, which costs more than the rest of the handler's own work.
	if tid, ok := asynq.GetTaskID(ctx); ok {
		if id, ok := strings.CutPrefix(tid, publishTaskID("")); ok && checkStored("post_id", id) == nil {
			return h.publish(ctx, id, payloadAccountID(t.Payload()))
		}
	}
	id, err := publishPayloadPostID(t.Payload())
	if err != nil {
		// Junk never becomes valid: archive it with the reason.
		return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	}
	return h.publish(ctx, id, payloadAccountID(t.Payload()))
}

// payloadAccountID finds the account id in a publish payload without
// parsing it (ids hold no character JSON escapes), or "". It is only a
// hint: the record says whose post it is.
func payloadAccountID(b []byte) string {
	const key = `"account_id":"`
	i := bytes.Index(b, []byte(key))
	if i < 0 {
		return ""
	}
	rest := b[i+len(key):]
	j := bytes.IndexByte(rest, '"')
	if j <= 0 {
		return ""
	}
	id := string(rest[:j])
	if checkStored("account_id", id) != nil {
		return ""
	}
	return id
}

func (h *publishHandler) publish(ctx context.Context, postID, accountHint string) error {
	start := h.store.now()
	owner := randomID()
	// The token is read in begin's round trip when the payload names the
	// account: one round trip fewer per attempt.
	var pending *tokens.PendingCredentials
	var also func(redis.Pipeliner)
	if accountHint != "" {
		also = func(pipe redis.Pipeliner) { pending = h.tokens.QueueCredentials(ctx, pipe, accountHint) }
	}
	b, err := h.store.begin(ctx, postID, owner, h.maxLateness, also)
	if err != nil {
		return err
	}
	switch b.Verdict {
	case "missing":
		// Erased, or never stored: nothing to publish, nothing to retry.
		h.log.Info("publish: no record, dropping task", "post_id", postID)
		return nil
	case "final":
		if b.State == StateCanceled {
			return fmt.Errorf("post %s canceled: %w", postID, asynq.RevokeTask)
		}
		// Already done: asynq redelivered (crash after success, or a
		// TaskID reused after the task was forgotten). Never post twice.
		if b.State == StatePublished {
			// A crash between the outcome and queueing the first
			// comment leaves it pending: queue it now.
			h.comments.ensure(ctx, h.store, postID)
		}
		return nil
	case "early":
		// A task older than a reschedule to a later time: wait, without
		// counting it as a failure.
		return snooze(b.Wait, fmt.Sprintf("post %s not due until %s", postID, b.At.UTC().Format(time.RFC3339)))
	case "busy":
		return errBusy
	case "late":
		rec := b.Record
		return h.fail(ctx, *rec, "", ClassTooLate, lateReason(b.At, rec.PublishAt), rec.Attempts, start)
	case "begun":
	default:
		return fmt.Errorf("begin attempt: unexpected verdict %q", b.Verdict)
	}
	rec, attempt := b.Record, b.Attempts
	// Past its deadline but perhaps on the platform: this attempt only
	// looks (unknown.go), and the post is too late only if it is not there.
	late := ""
	if b.Look {
		late = lateReason(b.At, rec.PublishAt)
	}
	actx, lose, stopRenewing := h.store.keepLocked(ctx, postID, owner)
	defer stopRenewing()

	// A post the reconciler gave a last look (its task archived while
	// the platform may have it) is only looked for, as a late one is.
	look := b.Look || rec.LastLook != ""
	res, err := h.callPlatform(actx, rec, owner, lose, attempt, pending, look)
	if cause := context.Cause(actx); err != nil && errors.Is(cause, errLockLost) && !errors.Is(err, errLockLost) {
		err = fmt.Errorf("%w (%w)", cause, err)
	}
	if err != nil && h.mayHavePosted(actx, *rec, err, look) {
		// The last try failed while the platform may have the post: look
		// before calling it failed (unknown.go).
		lres, lerr := h.lastLook(actx, *rec, owner, lose, attempt)
		switch {
		case lerr == nil:
			res, err = lres, nil
		case actx.Err() != nil || errors.Is(lerr, errLockLost):
			// Cut short: the attempt's own failure decides.
		case errors.Is(lerr, publishers.ErrNotPublished):
			return h.fail(ctx, *rec, owner, publishers.ClassOf(err).String(), exhaustedPrefix+err.Error()+"; a last look found no post at the platform", attempt, start)
		default:
			return h.fail(ctx, *rec, owner, ClassOutcomeUnknown, exhaustedPrefix+err.Error()+"; whether the platform has the post could not be learned: "+lerr.Error(), attempt, start)
		}
	}
	if err != nil {
		return h.attemptFailed(ctx, *rec, owner, attempt, err, start, late)
	}
	published := &events.Event{PostID: postID, GroupID: rec.Post.GroupID, AccountID: rec.AccountID, Platform: rec.Platform, State: string(StatePublished),
		Attempt: attempt, RemoteID: res.RemoteID, URL: res.URL,
		Warning: res.Warning, ResultState: res.State, RemoteIDPending: res.RemoteIDPending}
	// Detached: a cancel that stopped the attempt's context after the
	// platform took the post must not lose the record of it.
	wctx, cancelWrite := detached(ctx)
	defer cancelWrite()
	comment := commentFields(*rec)
	tr, err := h.store.finish(wctx, postID, owner, nil, published, append(publishedFields(res, h.store.now()), comment...)...)
	if err != nil {
		// The platform has the post; the checkpoints let the retry find it.
		return err
	}
	if tr.Fenced {
		// Another attempt took the post over while this one stalled, and
		// this one's publish went through anyway: its outcome must not
		// overwrite the other's. Say so loudly; the other attempt settles
		// the record.
		h.log.Error("publish: published after losing the post's lock; the platform may have it twice", "post_id", postID, "platform", rec.Platform, "remote_id", res.RemoteID)
		return nil
	}
	if tr.Prev == "" {
		h.log.Warn("publish: post erased while publishing; the platform has it", "post_id", postID, "platform", rec.Platform)
		return nil
	}
	if tr.Prev == StateCancelRequested {
		h.cancelLost(ctx, *rec, attempt, res)
	}
	h.emit(Outcome{PostID: postID, Platform: rec.Platform, State: StatePublished, Attempt: attempt, Duration: h.store.now().Sub(start), Lag: start.Sub(rec.PublishAt)})
	if res.RemoteIDPending {
		h.lookups.first(ctx, postID)
	}
	if comment != nil {
		h.comments.first(ctx, postID)
	}
	return nil
}

// lateReason says why a post whose deadline was deadline is too late.
func lateReason(deadline, publishAt time.Time) string {
	return fmt.Sprintf("not published by %s (publish_at %s)", deadline.UTC().Format(time.RFC3339), publishAt.UTC().Format(time.RFC3339))
}

// publishedFields are the record's fields of a post res published at at.
// A post is published once, so it has no warning, result_state or
// rid_pending before: those are written only when set (each costs
// memory, and Redis time in finish), last_error always (a retry left it).
// The handler appends the first comment's fields (commentFields).
func publishedFields(res publishers.Result, at time.Time) []any {
	f := make([]any, 0, 24) // and the comment's, and finish's updated_at
	f = append(f, "state", string(StatePublished), "remote_id", res.RemoteID, "url", res.URL,
		"published_at", unixMilli(at), "last_error", "")
	for _, kv := range [...][2]string{{"warning", res.Warning}, {"result_state", res.State}, {"rid_pending", flag(res.RemoteIDPending)}} {
		if kv[1] != "" {
			f = append(f, kv[0], kv[1])
		}
	}
	return f
}

// callPlatform gets a token and hands the post to its publisher.
// pending, if it read rec's account, gives the token without a round
// trip of its own. look, or a cancel_requested post, makes the attempt
// look-only (publishers.Request.ResolveOnly).
func (h *publishHandler) callPlatform(ctx context.Context, rec *record, owner string, lose func(error), attempt int, pending *tokens.PendingCredentials, look bool) (publishers.Result, error) {
	pub, ok := h.publishers.Lookup(rec.Platform)
	if !ok {
		return publishers.Result{}, publishers.Permanent(fmt.Errorf("platform %q is not enabled on this worker", rec.Platform))
	}
	resolve := look || rec.State == StateCancelRequested
	if resolve {
		if err := resolveOnly(*rec, pub); err != nil {
			return publishers.Result{}, err
		}
	}
	var (
		tok  *oauth2.Token
		info tokens.Info
		err  error
	)
	if pending != nil && pending.Account() == rec.AccountID {
		tok, info, err = pending.Result(ctx, rec.Platform)
	} else {
		tok, info, err = h.tokens.Credentials(ctx, rec.AccountID, rec.Platform)
	}
	if err != nil && resolve && errors.Is(err, tokens.ErrNotConnected) && !errors.Is(err, tokens.ErrReauthRequired) {
		// Disconnected since: a look may use the token kept for the
		// revocation, which waits for it (tokens/look.go, disconnectlook.go).
		tok, info, err = h.tokens.LookToken(ctx, rec.AccountID, rec.Platform)
	}
	if err != nil {
		return publishers.Result{}, tokenError(err)
	}
	if !resolve && len(rec.Checkpoints) == 0 {
		if err := h.checkScopes(*rec, info); err != nil {
			return publishers.Result{}, err
		}
	}
	cps, err := openCheckpoints(h.store, h.sealer, rec, owner, lose)
	if err != nil {
		return publishers.Result{}, err
	}
	req := publishers.Request{
		PostID:         rec.PostID,
		AccountID:      rec.AccountID,
		PublishAt:      rec.PublishAt,
		Content:        rec.Post.Content,
		Token:          tok,
		Checkpoints:    cps,
		Attempt:        attempt,
		PlatformUserID: info.PlatformUserID,
		Organizations:  info.Organizations,
		ResolveOnly:    resolve,
		ForceRefresh: func(ctx context.Context) (*oauth2.Token, error) {
			t, err := h.tokens.ForceRefresh(ctx, rec.AccountID, rec.Platform, tok)
			if err != nil {
				return nil, tokenError(err)
			}
			return t, nil
		},
	}
	return pub.Publish(ctx, req)
}

// checkScopes refuses, before the platform is called, a post that needs
// a scope the platform did not grant the account (publishers.Platform.
// Needs): reauth, since connecting again and granting it is the fix,
// naming what is missing. Only a grant Herald read itself is checked
// (tokens.Info.ScopesGranted): scopes an app hands over are its own
// words, in whatever spelling. Only the first call is guarded: once an
// attempt saved a checkpoint the platform may have the post, and a
// retry must go and look (a reconnect with a smaller grant in between
// must not fail a post that may be live); the platform's own refusal
// decides there. A resolve-only attempt creates nothing either.
func (h *publishHandler) checkScopes(rec record, info tokens.Info) error {
	if !info.ScopesGranted {
		return nil
	}
	missing := h.publishers.MissingScopes(rec.Platform, info.PlatformUserID, rec.Post.Content, info.Scopes)
	if len(missing) == 0 {
		return nil
	}
	names := make([]string, len(missing))
	for i, m := range missing {
		names[i] = m.String()
	}
	return publishers.Reauth(fmt.Errorf("%s: the account did not grant the scope this post needs (%s): connect it again and grant it", rec.Platform, strings.Join(names, "; ")))
}

// tokenError classes an error of the token source: an account that is not
// connected (disconnected, needs reauthorization) is Reauth, and so is a
// stored token that does not open (it will not on a retry either);
// anything else (Redis, a token endpoint's 5xx) is worth retrying.
func tokenError(err error) error {
	switch {
	case errors.Is(err, tokens.ErrNotConnected):
		return publishers.Reauth(err)
	case errors.Is(err, tokens.ErrUnknownKey):
		return publishers.Reauth(fmt.Errorf("stored token unreadable (restore its key or connect the account again): %w", err))
	case errors.Is(err, tokens.ErrCorrupt):
		return publishers.Reauth(fmt.Errorf("stored token corrupt (connect the account again): %w", err))
	}
	return publishers.Transient(fmt.Errorf("token: %w", err))
}

// attemptFailed records a failed attempt, releases the post, and tells
// asynq what to do next. late, if set, says the attempt was a look at a
// post past its deadline, and why it is too late.
func (h *publishHandler) attemptFailed(ctx context.Context, rec record, owner string, attempt int, err error, start time.Time, late string) error {
	if done, serr := h.settleCancel(ctx, rec, owner, attempt, err, start); done {
		return serr
	}
	if late != "" {
		if done, lerr := h.lateLookFailed(ctx, rec, owner, attempt, err, start, late); done {
			return lerr
		}
	} else if rec.LastLook != "" {
		if done, lerr := h.lastLookFailed(ctx, rec, owner, attempt, err, start); done {
			return lerr
		}
	}
	if errors.Is(err, tokens.ErrDisconnected) && len(rec.Checkpoints) == 0 {
		return h.disconnectedBeforeSending(ctx, rec, owner, attempt, start)
	}
	class := publishers.ClassOf(err)
	if ctx.Err() != nil || errors.Is(err, errLockLost) {
		// Shutdown or timeout: asynq requeues or retries the task. A lost
		// lock: the finish below is refused unless the lock is still
		// this attempt's (a renewal that failed on a Redis error).
		class = publishers.ClassTransient
	}
	switch class {
	case publishers.ClassPermanent, publishers.ClassReauth:
		return h.fail(ctx, rec, owner, class.String(), err.Error(), attempt, start)
	}
	// A failure on the last try makes asynq archive the task: say so
	// (exhausted.go). Not when the attempt was cut short (shutdown
	// requeues it) or lost its post, nor for a wait that is nobody's
	// failure (IsFailure).
	// An unknown outcome is not failed blindly (the platform may show
	// the post): the last look above decided it, or, if it could not
	// run, the record stays unknown for the reconciler's.
	if ctx.Err() == nil && !errors.Is(err, errLockLost) && IsFailure(err) && lastTry(ctx) && !errors.Is(err, publishers.ErrOutcomeUnknown) {
		return h.fail(ctx, rec, owner, class.String(), exhaustedPrefix+err.Error(), attempt, start)
	}
	// Back to scheduled: the retry resumes from the checkpoints. A write
	// that fails here only loses the error text.
	wctx, cancel := detached(ctx)
	defer cancel()
	// Unknown when the platform may have the post (unknown.go).
	next, evType := retryState(err)
	if late != "" || rec.LastLook != "" {
		// The look learned nothing: the platform may still have it.
		next, evType = StateUnknown, events.PostUnknown
	}
	retry := &events.Event{Type: evType, PostID: rec.PostID, GroupID: rec.Post.GroupID, AccountID: rec.AccountID, Platform: rec.Platform, State: string(next), Attempt: attempt, Class: class.String(), Reason: err.Error()}
	tr, ferr := h.store.finish(wctx, rec.PostID, owner, []State{StatePublishing}, retry,
		"state", string(next), "last_error", err.Error())
	if ferr == nil && tr.Fenced {
		return fmt.Errorf("post %s attempt %d stopped: %w", rec.PostID, attempt, err)
	}
	if ferr == nil && tr.Prev == StateCancelRequested {
		// Canceled meanwhile: the next attempt, soon, settles it.
		return snooze(time.Second, fmt.Sprintf("post %s canceled during attempt %d (%v): the next attempt looks", rec.PostID, attempt, err))
	}
	h.emit(Outcome{PostID: rec.PostID, Platform: rec.Platform, State: next, Class: class.String(), Attempt: attempt, Duration: h.store.now().Sub(start), Lag: start.Sub(rec.PublishAt), Err: err})
	return fmt.Errorf("post %s attempt %d: %w", rec.PostID, attempt, err)
}

// fail marks the post failed for good, releases it, and archives its task.
func (h *publishHandler) fail(ctx context.Context, rec record, owner, class, reason string, attempt int, start time.Time) error {
	wctx, cancel := detached(ctx)
	defer cancel()
	failed := &events.Event{PostID: rec.PostID, GroupID: rec.Post.GroupID, AccountID: rec.AccountID, Platform: rec.Platform, State: string(StateFailed), Attempt: attempt, Class: class, Reason: reason}
	tr, err := h.store.finish(wctx, rec.PostID, owner, []State{StateScheduled, StatePublishing}, failed,
		"state", string(StateFailed), "class", class, "reason", reason)
	if err != nil {
		return err
	}
	if tr.Fenced {
		// Another attempt holds the post: it decides how the post ends.
		return fmt.Errorf("post %s: %s (not recorded: %w)", rec.PostID, reason, errLockLost)
	}
	if !tr.Changed && tr.Prev == StateCancelRequested {
		// Canceled meanwhile: the next attempt, soon, settles it.
		return snooze(time.Second, fmt.Sprintf("post %s canceled during attempt %d (%s): the next attempt looks", rec.PostID, attempt, reason))
	}
	h.emit(Outcome{PostID: rec.PostID, Platform: rec.Platform, State: StateFailed, Class: class, Attempt: attempt, Duration: h.store.now().Sub(start), Lag: start.Sub(rec.PublishAt), Err: errors.New(reason)})
	return fmt.Errorf("post %s failed (%s): %s: %w", rec.PostID, class, reason, asynq.SkipRetry)
}

func (h *publishHandler) emit(o Outcome) {
	if h.observe != nil {
		h.observe(o)
	}
}

// detached gives a short context for recording an outcome even when the
// attempt's own context is done.
func detached(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
}

func randomID() string { return randomid.New() }
