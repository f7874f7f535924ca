package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/publishers"
)

// Edit changes a scheduled post. Nil fields stay as they are.
type Edit struct {
	Content *publishers.Content
	// NotAfter replaces the latest acceptable publish time; a zero time
	// removes it.
	NotAfter *time.Time
}

// EditPost changes post id's content or not_after while it is scheduled
// (a post waiting for a retry is scheduled too). A published post returns
// ErrAlreadyPublished, one being published right now ErrPublishing, a
// failed or canceled one ErrFinal. The edited post is validated as a new
// one would be; the record changes only if it is still scheduled when
// written, so an attempt that began meanwhile publishes the old version
// whole, never a mix. Content cannot change once an attempt left a
// checkpoint (a draft, an upload, a container at the platform): the next
// attempt resumes from it and would publish the old content, or old
// media under new text; such an edit returns ErrStarted. Changing only
// not_after is always allowed.
func (c *Client) EditPost(ctx context.Context, id string, e Edit) (PostStatus, error) {
	q, err := c.own("post_id", id)
	if err != nil {
		return PostStatus{}, err
	}
	st, err := c.edit(ctx, q, e)
	return st.forApp(), err
}

// edit is EditPost of a stored id.
func (c *Client) edit(ctx context.Context, id string, e Edit) (PostStatus, error) {
	rec, err := c.loadScheduled(ctx, id)
	if err != nil {
		return rec.PostStatus, err
	}
	p := rec.Post
	if e.Content != nil {
		p.Content = *e.Content
	}
	if e.NotAfter != nil {
		p.NotAfter = *e.NotAfter
	}
	// Validated as the app gave it: its ids are checked by the app's rule.
	if err := c.ValidatePost(p.forApp()); err != nil {
		return rec.PostStatus, err
	}
	body, err := encodePost(p)
	if err != nil {
		return rec.PostStatus, err
	}
	r, err := c.store.edit(ctx, id, e.Content != nil,
		"post", body, "fp", fingerprintOf(p, body), "not_after", unixMilli(p.NotAfter), "updated_at", unixMilli(c.opts.now()))
	if err != nil {
		return rec.PostStatus, err
	}
	if r.started {
		return c.postError(ctx, id, ErrStarted)
	}
	if !r.Changed {
		return c.postError(ctx, id, fmt.Errorf("state changed to %s meanwhile: %w", r.Prev, ErrPublishing))
	}
	// The task's payload only shows the post in asynqmon (the handler
	// publishes the record's copy): keep it current where asynq allows.
	// Errors (the task is active, or gone) change nothing that matters.
	if payload, err := marshalPublishPayload(p); err == nil {
		_ = c.insp.UpdateTaskPayload(QueuePublish, publishTaskID(id), payload)
	}
	_ = c.store.appendEvent(ctx, events.Event{Type: events.PostEdited, PostID: id, GroupID: p.GroupID, AccountID: p.AccountID, Platform: p.Platform, State: string(StateScheduled)})
	return c.status(ctx, id)
}

// loadScheduled reads post id's record for a change that only a
// scheduled post allows; the error says why another may not change.
func (c *Client) loadScheduled(ctx context.Context, id string) (record, error) {
	rec, ok, err := c.store.load(ctx, id)
	if err != nil {
		return record{}, err
	}
	if !ok {
		return record{}, fmt.Errorf("post %s: %w", appID(id), ErrNotFound)
	}
	switch rec.State {
	case StatePublished:
		return rec, fmt.Errorf("post %s: %w", appID(id), ErrAlreadyPublished)
	case StateFailed, StateCanceled, StateCancelRequested:
		return rec, fmt.Errorf("post %s: %w", appID(id), ErrFinal)
	case StateUnknown:
		// The platform may have it: its task must stay, to find out.
		return rec, fmt.Errorf("post %s: %w", appID(id), ErrStarted)
	case StatePublishing:
		return rec, fmt.Errorf("post %s: %w", appID(id), ErrPublishing)
	}
	return rec, nil
}
