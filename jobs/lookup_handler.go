package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/hibiken/asynq"
	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/publishers"
)

// lookupHandler runs post:lookup tasks (lookup.go).
type lookupHandler struct {
	pub     *publishHandler // its store, publishers, tokens and sealer
	lookups *lookups
}

func (h *lookupHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	var p lookupPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil {
		return fmt.Errorf("lookup payload: %w: %w", err, asynq.SkipRetry)
	}
	if err := checkStored("post_id", p.PostID); err != nil || p.Round < 0 {
		return fmt.Errorf("lookup payload: bad post_id or round: %w", asynq.SkipRetry)
	}
	s := h.pub.store
	owner := randomID()
	verdict, rec, err := s.beginLookup(ctx, p.PostID, owner)
	if err != nil {
		return err
	}
	switch verdict {
	case "missing", "done":
		return nil
	case "unsettled":
		// An attempt is still at work (a webhook came before its end):
		// its outcome decides; if it ends pending, it starts the rounds.
		return snooze(h.lookups.cfg.First, fmt.Sprintf("post %s is still being published", p.PostID))
	case "busy":
		return snooze(lockTTL/2, fmt.Sprintf("another lookup of post %s is running", p.PostID))
	case "begun":
	default:
		return fmt.Errorf("begin lookup: unexpected verdict %q", verdict)
	}
	if s.now().Sub(rec.PublishedAt) > h.lookups.cfg.GiveUpAfter {
		return h.stop(ctx, rec, owner, nil, fmt.Sprintf("%s gave no post id within %s of publishing; Herald stopped asking", rec.Platform, h.lookups.cfg.GiveUpAfter))
	}
	wait, err := s.pace(ctx, rec.AccountID, h.lookups.cfg.PerMinute)
	if err == nil && wait > 0 {
		err = snooze(wait, fmt.Sprintf("account %s made its %d lookups of this minute", rec.AccountID, h.lookups.cfg.PerMinute))
	}
	if err != nil {
		if serr := h.settle(ctx, rec, owner, nil, nil); serr != nil && !errors.Is(serr, errLockLost) {
			return serr
		}
		return err
	}
	// One status fetch: the lock outlives it, unrenewed.
	cctx, cancel := context.WithTimeout(ctx, s.lockTTL/2)
	res, saved, err := h.call(cctx, rec)
	cancel()
	switch class := publishers.ClassOf(err); {
	case err == nil && !res.RemoteIDPending:
		return h.found(ctx, rec, owner, saved, res)
	case err == nil:
		return h.again(ctx, rec, owner, saved, p.Round, 0)
	case class == publishers.ClassPermanent:
		return h.failed(ctx, rec, owner, saved, err)
	case class == publishers.ClassReauth:
		return h.stop(ctx, rec, owner, saved, "the account is no longer connected, so Herald stopped asking for the post id: "+err.Error())
	default:
		after, _ := publishers.RetryAfter(err)
		h.pub.log.Warn("lookup: asking again later", "post_id", rec.PostID, "platform", rec.Platform, "err", err)
		return h.again(ctx, rec, owner, saved, p.Round, after)
	}
}

// call asks the post's publisher again, with its checkpoints: the
// lookup. saved is what the publisher saved meanwhile, sealed, as record
// fields: the lookup's outcome writes them in the same step.
func (h *lookupHandler) call(ctx context.Context, rec record) (publishers.Result, []any, error) {
	pub, ok := h.pub.publishers.Lookup(rec.Platform)
	if !ok {
		return publishers.Result{}, nil, publishers.Transient(fmt.Errorf("platform %q is not enabled on this worker", rec.Platform))
	}
	tok, info, err := h.pub.tokens.Credentials(ctx, rec.AccountID, rec.Platform)
	if err != nil {
		return publishers.Result{}, nil, tokenError(err)
	}
	opened, err := openCheckpoints(h.pub.store, h.pub.sealer, &rec, "", nil)
	if err != nil {
		return publishers.Result{}, nil, err
	}
	cps := &heldCheckpoints{values: opened.saved, sealer: h.pub.sealer, postID: rec.PostID}
	res, err := pub.Publish(ctx, publishers.Request{
		PostID: rec.PostID, AccountID: rec.AccountID, PlatformUserID: info.PlatformUserID,
		PublishAt: rec.PublishAt, Content: rec.Post.Content, Token: tok, Checkpoints: cps,
		Attempt: rec.Attempts,
		ForceRefresh: func(ctx context.Context) (*oauth2.Token, error) {
			t, err := h.pub.tokens.ForceRefresh(ctx, rec.AccountID, rec.Platform, tok)
			if err != nil {
				return nil, tokenError(err)
			}
			return t, nil
		},
	})
	return res, cps.fields, err
}

// found records the post's id and URL and appends post.updated.
func (h *lookupHandler) found(ctx context.Context, rec record, owner string, saved []any, res publishers.Result) error {
	ev := &events.Event{Type: events.PostUpdated, PostID: rec.PostID, GroupID: rec.Post.GroupID, AccountID: rec.AccountID, Platform: rec.Platform,
		State: string(StatePublished), RemoteID: res.RemoteID, URL: res.URL, Warning: res.Warning, ResultState: res.State}
	fields := append([]any{"remote_id", res.RemoteID, "url", res.URL, "rid_pending", ""}, saved...)
	if res.Warning != "" {
		fields = append(fields, "warning", res.Warning)
	}
	return h.settle(ctx, rec, owner, ev, fields)
}

// failed ends a post the platform took down after publishing it.
func (h *lookupHandler) failed(ctx context.Context, rec record, owner string, saved []any, err error) error {
	reason := err.Error()
	class := publishers.ClassPermanent.String()
	ev := &events.Event{PostID: rec.PostID, GroupID: rec.Post.GroupID, AccountID: rec.AccountID, Platform: rec.Platform, State: string(StateFailed),
		Class: class, Reason: reason}
	fields := append([]any{"state", string(StateFailed), "class", class, "reason", reason, "rid_pending", ""}, saved...)
	return h.settle(ctx, rec, owner, ev, fields)
}

// stop ends the lookups without an id, and says why in warning.
func (h *lookupHandler) stop(ctx context.Context, rec record, owner string, saved []any, warning string) error {
	ev := &events.Event{Type: events.PostUpdated, PostID: rec.PostID, GroupID: rec.Post.GroupID, AccountID: rec.AccountID, Platform: rec.Platform,
		State: string(StatePublished), Warning: warning}
	fields := append([]any{"rid_pending", "", "warning", warning}, saved...)
	return h.settle(ctx, rec, owner, ev, fields)
}

// settle writes a lookup's outcome while the lookup holds the post, and
// releases it.
func (h *lookupHandler) settle(ctx context.Context, rec record, owner string, ev *events.Event, fields []any) error {
	wctx, cancel := detached(ctx)
	defer cancel()
	tr, err := h.pub.store.finish(wctx, rec.PostID, owner, []State{StatePublished}, ev, fields...)
	if err != nil {
		return err
	}
	if tr.Fenced {
		// This lookup stalled past its lock and another took over: the
		// other one records the outcome.
		return fmt.Errorf("lookup of post %s: %w", rec.PostID, errLockLost)
	}
	return nil
}

// again releases the post and schedules the next round (none for a
// lookup out of turn, round 0: the rounds go on beside it), no sooner
// than after (a platform's rate limit).
func (h *lookupHandler) again(ctx context.Context, rec record, owner string, saved []any, round int, after time.Duration) error {
	if round == 0 {
		if err := h.settle(ctx, rec, owner, nil, saved); err != nil && !errors.Is(err, errLockLost) {
			return err
		}
		return nil
	}
	// The record names the round to come, for an erasure to find its
	// task (forgetLookups).
	fields := append([]any{"lookup_round", strconv.Itoa(round + 1)}, saved...)
	if err := h.settle(ctx, rec, owner, nil, fields); err != nil && !errors.Is(err, errLockLost) {
		return err
	}
	return h.lookups.enqueue(ctx, rec.PostID, round+1, max(h.lookups.cfg.delay(round+1), after))
}

// heldCheckpoints are a lookup's checkpoints: what the publisher saves
// is kept and written with the lookup's outcome, in one step, while the
// lookup holds the post (an attempt's checkpoints are written at once,
// but only while the post is publishing).
type heldCheckpoints struct {
	values map[string]string
	sealer Sealer
	postID string
	fields []any
}

func (c *heldCheckpoints) Get(name string) string { return c.values[name] }

func (c *heldCheckpoints) Save(_ context.Context, name, value string) error {
	stored := value
	if c.sealer != nil {
		stored = c.sealer.Seal(checkpointContext(c.postID, name), value)
	}
	c.values[name] = value
	c.fields = append(c.fields, checkpointPrefix+name, stored)
	return nil
}

var _ publishers.Checkpoints = (*heldCheckpoints)(nil)
