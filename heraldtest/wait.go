package heraldtest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/heraldhq/herald/jobs"
)

// pollEvery is how often the Wait methods read a post's status: the
// record is the truth about a post, and a read of it on a private Redis
// costs well under a millisecond.
const pollEvery = 5 * time.Millisecond

// Wait waits until post id has reached its end (published, failed or
// canceled) and returns its status. It gives up when ctx ends, after
// the Within option's time (default 10s) when ctx has no deadline, or
// when the Worker stopped.
func (h *Herald) Wait(ctx context.Context, id string) (jobs.PostStatus, error) {
	return h.waitFor(ctx, id, func(st jobs.PostStatus) bool { return st.State.Final() })
}

// WaitPublished waits until post id is published and returns its
// status; it fails t if the post ends otherwise or not in time.
func (h *Herald) WaitPublished(t testing.TB, id string) jobs.PostStatus {
	t.Helper()
	return h.WaitState(t, id, jobs.StatePublished)
}

// WaitFailed waits until post id has failed and returns its status
// (FailureClass and Reason say why); it fails t if the post ends
// otherwise or not in time.
func (h *Herald) WaitFailed(t testing.TB, id string) jobs.PostStatus {
	t.Helper()
	return h.WaitState(t, id, jobs.StateFailed)
}

// WaitState waits until post id is in state want and returns its
// status. It fails t at once when the post reaches another final state
// (it can no longer change), or when want is not reached in time.
func (h *Herald) WaitState(t testing.TB, id string, want jobs.State) jobs.PostStatus {
	t.Helper()
	st, err := h.waitFor(context.Background(), id, func(st jobs.PostStatus) bool {
		return st.State == want || st.State.Final()
	})
	if err != nil {
		t.Fatalf("heraldtest: waiting for post %s to be %s: %v", id, want, err)
	}
	if st.State != want {
		t.Fatalf("heraldtest: post %s is %s, want %s (%s)", id, st.State, want, describe(st))
	}
	return st
}

// waitFor reads post id's status until done holds for it.
func (h *Herald) waitFor(ctx context.Context, id string, done func(jobs.PostStatus) bool) (jobs.PostStatus, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, h.opts.within)
		defer cancel()
	}
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	var (
		last    jobs.PostStatus // the last status read, for the failure message
		lastErr error           // the last read's error, when there was none
	)
	for {
		select {
		case <-h.done:
			return last, h.stopped()
		default:
		}
		st, err := h.Client.PostStatus(ctx, id)
		switch {
		case err == nil:
			if done(st) {
				return st, nil
			}
			last, lastErr = st, nil
		case ctx.Err() != nil: // the deadline cut the read short
		case errors.Is(err, jobs.ErrNotFound):
			lastErr = err
		default:
			return last, err
		}
		select {
		case <-ctx.Done():
			if last.State == "" {
				if lastErr == nil {
					lastErr = errors.New("no read finished in time")
				}
				return last, fmt.Errorf("%w (last read: %v)", ctx.Err(), lastErr)
			}
			return last, fmt.Errorf("%w (last: %s, %s)", ctx.Err(), last.State, describe(last))
		case <-h.done:
			return last, h.stopped()
		case <-tick.C:
		}
	}
}

// stopped says why the Worker is no longer running, for a wait that
// can then never end.
func (h *Herald) stopped() error {
	if h.runErr != nil {
		return fmt.Errorf("the worker stopped: %w", h.runErr)
	}
	return errors.New("the worker stopped: Herald was closed")
}

// describe says what a failure message needs of a post's status.
func describe(st jobs.PostStatus) string {
	s := fmt.Sprintf("attempts %d", st.Attempts)
	if st.FailureClass != "" {
		s += fmt.Sprintf(", failure %s: %s", st.FailureClass, st.Reason)
	}
	if st.LastError != "" {
		s += ", last error: " + st.LastError
	}
	return s
}
