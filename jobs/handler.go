package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"
	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/tokens"
)

// EventRetry is the type of the event appended when an attempt failed and
// the post will be tried again. Other events are "post." + the new state.
const EventRetry = "post.retry"

// ClassTooLate is the failure class of a post that could not go out
// before its deadline. It is permanent.
const ClassTooLate = "too_late"

// errBusy says another attempt holds the post's lock. It waits like a rate
// limit: it is nobody's failure.
var errBusy = publishers.RateLimited(lockTTL/2, errors.New("another attempt at this post is running"))

// publishHandler runs post:publish tasks.
type publishHandler struct {
	store       *store
	publishers  *publishers.Registry
	tokens      tokens.Source
	sealer      Sealer
	maxLateness time.Duration
	log         *slog.Logger
	observe     func(Outcome)
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
	p, err := decodePublishPayload(t.Payload())
	if err != nil {
		// Junk never becomes valid: archive it with the reason.
		return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
	}
	return h.publish(ctx, p.ID)
}

func (h *publishHandler) publish(ctx context.Context, postID string) error {
	start := h.store.now()
	rec, ok, err := h.store.load(ctx, postID)
	if err != nil {
		return err
	}
	if !ok {
		// Erased, or never stored: nothing to publish, nothing to retry.
		h.log.Info("publish: no record, dropping task", "post_id", postID)
		return nil
	}
	if rec.State.Final() {
		// Already done: asynq redelivered (crash after success, or a
		// TaskID reused after the task was forgotten). Never post twice.
		return nil
	}

	if wait := rec.PublishAt.Sub(start); wait > 0 {
		// A task older than a reschedule to a later time: wait, without
		// counting it as a failure.
		return publishers.RateLimited(wait, fmt.Errorf("post %s not due until %s", postID, rec.PublishAt.UTC().Format(time.RFC3339)))
	}
	deadline := rec.Post.NotAfter
	if deadline.IsZero() {
		deadline = rec.PublishAt.Add(h.maxLateness)
	}
	if start.After(deadline) {
		reason := fmt.Sprintf("not published by %s (publish_at %s)", deadline.UTC().Format(time.RFC3339), rec.PublishAt.UTC().Format(time.RFC3339))
		return h.fail(ctx, rec, ClassTooLate, reason, rec.Attempts, start)
	}

	owner := randomID()
	release, locked, err := h.store.lock(ctx, postID, owner)
	if err != nil {
		return err
	}
	if !locked {
		return errBusy
	}
	defer release()

	// Count the attempt and say it is underway before touching the
	// platform. A canceled post stops here.
	tr, err := h.store.transition(ctx, postID, []State{StateScheduled, StatePublishing}, true, "state", string(StatePublishing))
	if err != nil {
		return err
	}
	if !tr.Changed {
		if tr.Prev == StateCanceled {
			return fmt.Errorf("post %s canceled: %w", postID, asynq.RevokeTask)
		}
		return nil
	}
	attempt := tr.Attempts
	_ = h.store.appendEvent(ctx, event{PostID: postID, AccountID: rec.AccountID, Platform: rec.Platform, State: StatePublishing, Attempt: attempt})

	res, err := h.callPlatform(ctx, rec, attempt)
	if err != nil {
		return h.attemptFailed(ctx, rec, attempt, err, start)
	}
	tr, err = h.store.transition(ctx, postID, nil, false,
		"state", string(StatePublished), "remote_id", res.RemoteID, "url", res.URL,
		"published_at", unixMilli(h.store.now()), "last_error", "")
	if err != nil {
		// The platform has the post; the checkpoints let the retry find it.
		return err
	}
	if tr.Prev == "" {
		h.log.Warn("publish: post erased while publishing; the platform has it", "post_id", postID, "platform", rec.Platform)
		return nil
	}
	_ = h.store.appendEvent(ctx, event{PostID: postID, AccountID: rec.AccountID, Platform: rec.Platform, State: StatePublished, Attempt: attempt, RemoteID: res.RemoteID, URL: res.URL})
	h.emit(Outcome{PostID: postID, Platform: rec.Platform, State: StatePublished, Attempt: attempt, Duration: h.store.now().Sub(start), Lag: start.Sub(rec.PublishAt)})
	return nil
}

// callPlatform gets a token and hands the post to its publisher.
func (h *publishHandler) callPlatform(ctx context.Context, rec record, attempt int) (publishers.Result, error) {
	pub, ok := h.publishers.Lookup(rec.Platform)
	if !ok {
		return publishers.Result{}, publishers.Permanent(fmt.Errorf("platform %q is not enabled on this worker", rec.Platform))
	}
	tok, err := h.tokens.Token(ctx, rec.AccountID, rec.Platform)
	if err != nil {
		return publishers.Result{}, tokenError(err)
	}
	cps, err := openCheckpoints(h.store, h.sealer, rec)
	if err != nil {
		return publishers.Result{}, err
	}
	req := publishers.Request{
		PostID:      rec.PostID,
		AccountID:   rec.AccountID,
		PublishAt:   rec.PublishAt,
		Content:     rec.Post.Content,
		Token:       tok,
		Checkpoints: cps,
		Attempt:     attempt,
	}
	if info, ok := h.tokens.(accountInfo); ok {
		i, err := info.Info(ctx, rec.AccountID)
		if err != nil {
			return publishers.Result{}, tokenError(err)
		}
		req.PlatformUserID = i.PlatformUserID
	}
	if fr, ok := h.tokens.(forceRefresher); ok {
		req.ForceRefresh = func(ctx context.Context) (*oauth2.Token, error) {
			t, err := fr.ForceRefresh(ctx, rec.AccountID, rec.Platform, tok)
			if err != nil {
				return nil, tokenError(err)
			}
			return t, nil
		}
	}
	return pub.Publish(ctx, req)
}

// accountInfo is a tokens.Source that also knows the account's id at the
// platform (tokens.Vault).
type accountInfo interface {
	Info(ctx context.Context, accountID string) (tokens.Info, error)
}

// forceRefresher is a tokens.Source that can replace a token the platform
// refused (tokens.Vault).
type forceRefresher interface {
	ForceRefresh(ctx context.Context, accountID, platform string, stale *oauth2.Token) (*oauth2.Token, error)
}

// tokenError classes an error of the token source: an account that is not
// connected (disconnected, needs reauthorization) is Reauth; anything else
// (Redis, a token endpoint's 5xx) is worth retrying.
func tokenError(err error) error {
	if errors.Is(err, tokens.ErrNotConnected) {
		return publishers.Reauth(err)
	}
	return publishers.Transient(fmt.Errorf("token: %w", err))
}

// attemptFailed records a failed attempt and tells asynq what to do next.
func (h *publishHandler) attemptFailed(ctx context.Context, rec record, attempt int, err error, start time.Time) error {
	class := publishers.ClassOf(err)
	if ctx.Err() != nil {
		// Shutdown or timeout: asynq requeues or retries the task.
		class = publishers.ClassTransient
	}
	switch class {
	case publishers.ClassPermanent, publishers.ClassReauth:
		return h.fail(ctx, rec, class.String(), err.Error(), attempt, start)
	}
	// Back to scheduled: the retry resumes from the checkpoints. A write
	// that fails here only loses the error text.
	wctx, cancel := detached(ctx)
	defer cancel()
	_, _ = h.store.transition(wctx, rec.PostID, []State{StatePublishing}, false,
		"state", string(StateScheduled), "last_error", err.Error())
	_ = h.store.appendEvent(wctx, event{Type: EventRetry, PostID: rec.PostID, AccountID: rec.AccountID, Platform: rec.Platform, State: StateScheduled, Attempt: attempt, Class: class.String(), Reason: err.Error()})
	h.emit(Outcome{PostID: rec.PostID, Platform: rec.Platform, State: StateScheduled, Class: class.String(), Attempt: attempt, Duration: h.store.now().Sub(start), Lag: start.Sub(rec.PublishAt), Err: err})
	return fmt.Errorf("post %s attempt %d: %w", rec.PostID, attempt, err)
}

// fail marks the post failed for good and archives its task.
func (h *publishHandler) fail(ctx context.Context, rec record, class, reason string, attempt int, start time.Time) error {
	wctx, cancel := detached(ctx)
	defer cancel()
	tr, err := h.store.transition(wctx, rec.PostID, []State{StateScheduled, StatePublishing}, false,
		"state", string(StateFailed), "class", class, "reason", reason)
	if err != nil {
		return err
	}
	if tr.Changed {
		_ = h.store.appendEvent(wctx, event{PostID: rec.PostID, AccountID: rec.AccountID, Platform: rec.Platform, State: StateFailed, Attempt: attempt, Class: class, Reason: reason})
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

func randomID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
