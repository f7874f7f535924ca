package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"github.com/heraldhq/herald/events"
)

// disconnectedReason is a canceled post's last_error when its account
// was disconnected as its attempt began.
const disconnectedReason = "account disconnected"

// disconnectedBeforeSending ends an attempt that found its account
// disconnected before it sent anything: the post is canceled, as
// Disconnect cancels every post of the account. Disconnect makes the
// token unreadable first and cancels the posts after, so an attempt that
// begins in between meets the disconnect before its cancel; failing the
// post as reauth there would tell the app to reconnect an account its
// user just disconnected.
func (h *publishHandler) disconnectedBeforeSending(ctx context.Context, rec record, owner string, attempt int, start time.Time) error {
	wctx, cancel := detached(ctx)
	defer cancel()
	ev := &events.Event{PostID: rec.PostID, GroupID: rec.Post.GroupID, AccountID: rec.AccountID, Platform: rec.Platform,
		State: string(StateCanceled), Attempt: attempt, Reason: disconnectedReason}
	tr, err := h.store.finish(wctx, rec.PostID, owner, []State{StateScheduled, StatePublishing}, ev,
		"state", string(StateCanceled), "last_error", disconnectedReason)
	if err != nil {
		return err
	}
	if tr.Fenced {
		return fmt.Errorf("post %s: %s (not recorded: %w)", rec.PostID, disconnectedReason, errLockLost)
	}
	if !tr.Changed && tr.Prev == StateCancelRequested {
		// The disconnect's cancel came first: the next attempt settles it.
		return snooze(time.Second, fmt.Sprintf("post %s canceled during attempt %d: the next attempt settles it", rec.PostID, attempt))
	}
	h.emit(Outcome{PostID: rec.PostID, Platform: rec.Platform, State: StateCanceled, Attempt: attempt, Duration: h.store.now().Sub(start), Lag: start.Sub(rec.PublishAt)})
	return fmt.Errorf("post %s canceled (%s): %w", rec.PostID, disconnectedReason, asynq.RevokeTask)
}
