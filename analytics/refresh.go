package analytics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/tokens"
)

// payloadVersion is the version of the task payloads.
const payloadVersion = 1

// refreshWindow is the granularity at which refresh requests coalesce.
const refreshWindow = 5 * time.Minute

// refreshPayload is an analytics:refresh task's payload.
type refreshPayload struct {
	V         int    `json:"v"`
	AccountID string `json:"account_id"`
	Platform  string `json:"platform"`
}

// RequestRefresh enqueues a refresh of account's analytics now. Requests
// for the same account within a few minutes of now are coalesced into
// one task. The caller validates account and platform.
func RequestRefresh(ctx context.Context, q *asynq.Client, now time.Time, accountID, platform string) error {
	window := now.UTC().Truncate(refreshWindow).Unix()
	payload, _ := json.Marshal(refreshPayload{V: payloadVersion, AccountID: accountID, Platform: platform})
	_, err := q.EnqueueContext(ctx, asynq.NewTask(TypeRefresh, payload),
		asynq.TaskID(fmt.Sprintf("analytics-now:%s:%d", accountID, window)),
		asynq.Queue(Queue),
		asynq.MaxRetry(5),
		asynq.Retention(refreshWindow),
	)
	if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
		return fmt.Errorf("refresh analytics of %s: %w", accountID, err)
	}
	return nil
}

// Options is what the analytics handlers need.
type Options struct {
	Config     Config
	Publishers *publishers.Registry
	Tokens     Tokens
	Posts      Posts
	Events     *events.Writer
	// Now is the clock (default time.Now).
	Now func() time.Time
}

func (o *Options) defaults() {
	o.Config.defaults()
	if o.Now == nil {
		o.Now = time.Now
	}
}

// RefreshHandler runs analytics:refresh tasks: it reads the account's
// statistics and those of the posts Herald published for it within the
// window, stores the latest snapshot, adds a daily point to the history
// and appends an analytics.refreshed event.
type RefreshHandler struct {
	rdb redis.UniversalClient
	o   Options
}

// NewRefreshHandler returns the handler of analytics:refresh tasks.
func NewRefreshHandler(rdb redis.UniversalClient, o Options) *RefreshHandler {
	o.defaults()
	return &RefreshHandler{rdb: rdb, o: o}
}

// ProcessTask refreshes one account's analytics.
func (h *RefreshHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	var p refreshPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil {
		return fmt.Errorf("payload: not an analytics payload: %w: %w", err, asynq.SkipRetry)
	}
	if p.AccountID == "" {
		return fmt.Errorf("payload: account_id: required: %w", asynq.SkipRetry)
	}
	pub, ok := h.o.Publishers.Lookup(p.Platform)
	if !ok {
		return fmt.Errorf("platform %q is not enabled on this worker: %w", p.Platform, asynq.SkipRetry)
	}
	tok, info, err := h.o.Tokens.Credentials(ctx, p.AccountID, p.Platform)
	if errors.Is(err, tokens.ErrNotConnected) {
		return fmt.Errorf("account %s: %w: %w", p.AccountID, err, asynq.SkipRetry)
	}
	if err != nil {
		return err
	}
	since := h.o.Now().Add(-h.o.Config.Window)
	remote, err := h.o.Posts.PublishedSince(ctx, p.AccountID, since)
	if err != nil {
		return err
	}
	a, err := pub.Analytics(ctx, publishers.AnalyticsRequest{AccountID: p.AccountID, Token: tok, RemoteIDs: remote, Since: since,
		PlatformUserID: info.PlatformUserID})
	if err != nil {
		if c := publishers.ClassOf(err); c == publishers.ClassPermanent || c == publishers.ClassReauth {
			return fmt.Errorf("analytics of %s: %w: %w", p.AccountID, err, asynq.SkipRetry)
		}
		return fmt.Errorf("analytics of %s: %w", p.AccountID, err)
	}
	snap := Snapshot{AccountID: p.AccountID, Platform: p.Platform, At: h.o.Now().UTC(), Account: a.Account, Posts: a.Posts,
		RawAccount: a.RawAccount, RawPosts: a.RawPosts}
	if err := save(ctx, h.rdb, snap, h.o.Config.HistoryDays); err != nil {
		return err
	}
	return h.o.Events.Append(ctx, events.Event{Type: events.AnalyticsRefreshed, AccountID: p.AccountID, Platform: p.Platform})
}
