package analytics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/tokens"
)

// sweepPayload is an analytics:sweep task's payload.
type sweepPayload struct {
	V      int   `json:"v"`
	Window int64 `json:"window"` // unix seconds of the sweep's window start
}

// EnqueueSweep enqueues the sweep of the window of length interval that
// contains now. Its TaskID names the window and the task is retained for
// the window, so any number of schedulers calling it enqueue one sweep.
func EnqueueSweep(ctx context.Context, q *asynq.Client, now time.Time, interval time.Duration) (enqueued bool, err error) {
	start := now.UTC().Truncate(interval)
	payload, _ := json.Marshal(sweepPayload{V: payloadVersion, Window: start.Unix()})
	_, err = q.EnqueueContext(ctx, asynq.NewTask(TypeSweep, payload),
		asynq.TaskID(fmt.Sprintf("analytics-sweep:%d", start.Unix())),
		asynq.Queue(Queue), asynq.MaxRetry(3), asynq.Retention(interval))
	if errors.Is(err, asynq.ErrTaskIDConflict) {
		return false, nil
	}
	return err == nil, err
}

// SweepHandler runs analytics:sweep: one analytics:refresh per active
// account, spread over the interval so 100k accounts do not call the
// platforms in the same second. Refresh TaskIDs name the account and the
// window, and are retained for the window, so a second sweep of the same
// window (a retry, a second scheduler) enqueues nothing.
type SweepHandler struct {
	rdb redis.UniversalClient
	q   *asynq.Client
	o   Options
}

// NewSweepHandler returns the handler of analytics:sweep tasks.
func NewSweepHandler(rdb redis.UniversalClient, o Options) *SweepHandler {
	o.defaults()
	return &SweepHandler{rdb: rdb, q: asynq.NewClientFromRedisClient(rdb), o: o}
}

// ProcessTask sweeps one window.
func (h *SweepHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	var p sweepPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.Window <= 0 {
		return fmt.Errorf("payload: not a sweep payload: %w", asynq.SkipRetry)
	}
	start := time.Unix(p.Window, 0)
	var cursor uint64
	for {
		ids, next, err := h.o.Tokens.Accounts(ctx, cursor, 500)
		if err != nil {
			return err
		}
		for _, id := range ids {
			info, err := h.o.Tokens.Info(ctx, id)
			if err != nil || info.Status != tokens.StatusActive {
				continue // disconnected, or waiting for the user to reconnect
			}
			if err := h.enqueue(ctx, id, info.Platform, start); err != nil {
				return err
			}
			if err := h.checkReconnect(ctx, info); err != nil {
				return err
			}
		}
		if cursor = next; cursor == 0 {
			return nil
		}
	}
}

// checkReconnect appends account.reconnect_due once per token when the
// account's token expires within the lead and cannot be refreshed. When
// it expires, the Vault marks the account reauth_required (at the first
// use within its refresh skew, at the latest at the next sweep's refresh).
// info is what the sweep read already: most tokens are far from expiry,
// and only the rest are read again (to see whether they can be refreshed).
func (h *SweepHandler) checkReconnect(ctx context.Context, info tokens.Info) error {
	account, platform := info.ID, info.Platform
	if info.Expiry.IsZero() || info.Expiry.Sub(h.o.Now()) >= h.o.Config.ReconnectLead {
		return nil
	}
	due, expiry, err := h.o.Tokens.ReconnectDue(ctx, account, h.o.Config.ReconnectLead)
	if err != nil || !due {
		return nil // gone meanwhile, or unreadable: the refresh will say
	}
	mark := strconv.FormatInt(expiry.UnixMilli(), 10)
	prev, err := h.rdb.SetArgs(ctx, reconnectKey(account), mark,
		redis.SetArgs{Get: true, ExpireAt: expiry.Add(24 * time.Hour)}).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return err
	}
	if prev == mark {
		return nil // said already for this token
	}
	return h.o.Events.Append(ctx, events.Event{Type: events.AccountReconnectDue, AccountID: account, Platform: platform,
		Reason: "the token expires at " + expiry.UTC().Format(time.RFC3339) + " and cannot be refreshed: ask the user to connect the account again"})
}

func (h *SweepHandler) enqueue(ctx context.Context, account, platform string, start time.Time) error {
	payload, _ := json.Marshal(refreshPayload{V: payloadVersion, AccountID: account, Platform: platform})
	at := start.Add(spread(account, h.o.Config.Interval))
	if now := h.o.Now(); at.Before(now) {
		at = now
	}
	_, err := h.q.EnqueueContext(ctx, asynq.NewTask(TypeRefresh, payload),
		asynq.TaskID(fmt.Sprintf("analytics-sweep:%s:%d", account, start.Unix())),
		asynq.Queue(Queue), asynq.ProcessAt(at), asynq.MaxRetry(5),
		asynq.Retention(h.o.Config.Interval))
	if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
		return fmt.Errorf("enqueue refresh of %s: %w", account, err)
	}
	return nil
}

// spread places an account at a stable point of the interval, so its
// refreshes are an interval apart and the accounts' are evenly spread.
func spread(account string, interval time.Duration) time.Duration {
	h := fnv.New64a()
	_, _ = h.Write([]byte(account))
	return time.Duration(h.Sum64() % uint64(interval))
}
