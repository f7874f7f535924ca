package jobs

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
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/tokens"
)

func analyticsKey(account string) string { return "herald:{acct:" + account + "}:analytics" }
func historyKey(account string) string   { return "herald:{acct:" + account + "}:analytics:history" }

// Snapshot is one reading of an account's analytics, in the common metric
// names (views, likes, comments, shares, followers, impressions, reach),
// with the platform's own names and values beside them.
type Snapshot struct {
	AccountID string                        `json:"account_id"`
	Platform  string                        `json:"platform"`
	At        time.Time                     `json:"at"`
	Account   publishers.Metrics            `json:"account"`
	Posts     map[string]publishers.Metrics `json:"posts,omitempty"` // by remote id
	// RawAccount and RawPosts are as the platform names them (YouTube's
	// viewCount, LinkedIn's numLikes...).
	RawAccount publishers.Metrics            `json:"raw_account,omitempty"`
	RawPosts   map[string]publishers.Metrics `json:"raw_posts,omitempty"`
}

// AnalyticsConfig tunes analytics refreshes.
type AnalyticsConfig struct {
	// Window: posts published longer ago than this are no longer read
	// (default 30 days).
	Window time.Duration
	// HistoryDays caps the daily history kept per account (default 90).
	HistoryDays int
	// Interval is the sweep's period (default 1h): each sweep spreads the
	// refreshes of all accounts across it.
	Interval time.Duration
	// ReconnectLead: the sweep appends account.reconnect_due this long
	// before a token that cannot be refreshed expires (default 7 days).
	ReconnectLead time.Duration
}

func (c *AnalyticsConfig) defaults() {
	if c.Window <= 0 {
		c.Window = 30 * 24 * time.Hour
	}
	if c.HistoryDays <= 0 {
		c.HistoryDays = 90
	}
	if c.Interval <= 0 {
		c.Interval = time.Hour
	}
	if c.ReconnectLead <= 0 {
		c.ReconnectLead = 7 * 24 * time.Hour
	}
}

// analyticsHandler runs analytics:refresh tasks: it reads the account's
// statistics and those of the posts Herald published for it within the
// window, stores the latest snapshot, adds a daily point to the history
// and appends an analytics.refreshed event.
type analyticsHandler struct {
	store      *store
	publishers *publishers.Registry
	tokens     Tokens
	cfg        AnalyticsConfig
}

func (h *analyticsHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	var p analyticsPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil {
		return fmt.Errorf("payload: not an analytics payload: %w: %w", err, asynq.SkipRetry)
	}
	if err := checkID("account_id", p.AccountID); err != nil {
		return fmt.Errorf("payload: %w: %w", err, asynq.SkipRetry)
	}
	pub, ok := h.publishers.Lookup(p.Platform)
	if !ok {
		return fmt.Errorf("platform %q is not enabled on this worker: %w", p.Platform, asynq.SkipRetry)
	}
	tok, info, err := h.tokens.Credentials(ctx, p.AccountID, p.Platform)
	if errors.Is(err, tokens.ErrNotConnected) {
		return fmt.Errorf("account %s: %w: %w", p.AccountID, err, asynq.SkipRetry)
	}
	if err != nil {
		return err
	}
	remote, err := h.publishedRemoteIDs(ctx, p.AccountID)
	if err != nil {
		return err
	}
	req := publishers.AnalyticsRequest{AccountID: p.AccountID, Token: tok, RemoteIDs: remote, Since: h.store.now().Add(-h.cfg.Window),
		PlatformUserID: info.PlatformUserID}
	a, err := pub.Analytics(ctx, req)
	if err != nil {
		if c := publishers.ClassOf(err); c == publishers.ClassPermanent || c == publishers.ClassReauth {
			return fmt.Errorf("analytics of %s: %w: %w", p.AccountID, err, asynq.SkipRetry)
		}
		return fmt.Errorf("analytics of %s: %w", p.AccountID, err)
	}
	snap := Snapshot{AccountID: p.AccountID, Platform: p.Platform, At: h.store.now().UTC(), Account: a.Account, Posts: a.Posts,
		RawAccount: a.RawAccount, RawPosts: a.RawPosts}
	if err := h.save(ctx, snap); err != nil {
		return err
	}
	return h.store.appendEvent(ctx, events.Event{Type: events.AnalyticsRefreshed, AccountID: p.AccountID, Platform: p.Platform})
}

// saveScript stores the latest snapshot and the day's history point: the
// newest point is replaced while it is of the same day, and the history
// is capped.
var saveScript = redis.NewScript(`
redis.call('SET', KEYS[1], ARGV[1])
local head = redis.call('LINDEX', KEYS[2], 0)
if head and string.sub(head, 9, 18) == ARGV[2] then
  redis.call('LSET', KEYS[2], 0, ARGV[3])
else
  redis.call('LPUSH', KEYS[2], ARGV[3])
end
redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[4]) - 1)
return 1
`)

func (h *analyticsHandler) save(ctx context.Context, s Snapshot) error {
	full, err := json.Marshal(s)
	if err != nil {
		return err
	}
	day := s.At.Format(time.DateOnly)
	// A history point is the day and the account-level metrics: the per
	// post numbers of every day would not fit a cap worth keeping.
	point, _ := json.Marshal(struct {
		Day     string             `json:"day"`
		At      time.Time          `json:"at"`
		Account publishers.Metrics `json:"account"`
	}{day, s.At, s.Account})
	// The point starts with {"day":"YYYY-MM-DD": the script compares
	// those ten characters with the day.
	return saveScript.Run(ctx, h.store.rdb, []string{analyticsKey(s.AccountID), historyKey(s.AccountID)},
		full, day, point, h.cfg.HistoryDays).Err()
}

// publishedRemoteIDs lists the platform ids of the account's posts
// published within the window.
func (h *analyticsHandler) publishedRemoteIDs(ctx context.Context, account string) ([]string, error) {
	ids, err := h.store.rdb.ZRange(ctx, accountPostsKey(account), 0, -1).Result()
	if err != nil {
		return nil, err
	}
	since := h.store.now().Add(-h.cfg.Window)
	cmds := make([]*redis.SliceCmd, len(ids))
	if _, err := h.store.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			cmds[i] = p.HMGet(ctx, recordKey(id), "state", "remote_id", "published_at")
		}
		return nil
	}); err != nil {
		return nil, err
	}
	var remote []string
	for _, cmd := range cmds {
		v := cmd.Val()
		st, _ := v[0].(string)
		r, _ := v[1].(string)
		at, _ := v[2].(string)
		if st == string(StatePublished) && r != "" && !parseMilli(at).Before(since) {
			remote = append(remote, r)
		}
	}
	return remote, nil
}

// HistoryPoint is one day of an account's analytics history.
type HistoryPoint struct {
	Day     string             `json:"day"`
	At      time.Time          `json:"at"`
	Account publishers.Metrics `json:"account"`
}

// LatestAnalytics returns the latest analytics snapshot of account, or
// ErrNotFound.
func (c *Client) LatestAnalytics(ctx context.Context, account string) (Snapshot, error) {
	b, err := c.store.rdb.Get(ctx, analyticsKey(account)).Bytes()
	if errors.Is(err, redis.Nil) {
		return Snapshot{}, fmt.Errorf("analytics of %s: %w", account, ErrNotFound)
	}
	if err != nil {
		return Snapshot{}, err
	}
	var s Snapshot
	if err := json.Unmarshal(b, &s); err != nil {
		return Snapshot{}, fmt.Errorf("analytics of %s: %w", account, err)
	}
	return s, nil
}

// AnalyticsHistory returns account's daily history, newest first.
func (c *Client) AnalyticsHistory(ctx context.Context, account string) ([]HistoryPoint, error) {
	raw, err := c.store.rdb.LRange(ctx, historyKey(account), 0, -1).Result()
	if err != nil {
		return nil, err
	}
	out := make([]HistoryPoint, 0, len(raw))
	for _, r := range raw {
		var p HistoryPoint
		if err := json.Unmarshal([]byte(r), &p); err != nil {
			return nil, fmt.Errorf("analytics history of %s: %w", account, err)
		}
		out = append(out, p)
	}
	return out, nil
}

func reconnectKey(account string) string { return "herald:{acct:" + account + "}:reconnect-due" }

// sweepPayload is an analytics:sweep task's payload.
type sweepPayload struct {
	V      int   `json:"v"`
	Window int64 `json:"window"` // unix seconds of the sweep's window start
}

// EnqueueSweep enqueues the analytics sweep of the window that contains
// now. Its TaskID names the window and the task is retained for the
// window, so any number of schedulers calling it enqueue one sweep.
func (c *Client) EnqueueSweep(ctx context.Context, interval time.Duration) (enqueued bool, err error) {
	start := c.opts.now().UTC().Truncate(interval)
	payload, _ := json.Marshal(sweepPayload{V: payloadVersion, Window: start.Unix()})
	_, err = c.q.EnqueueContext(ctx, asynq.NewTask(TypeAnalyticsSweep, payload),
		asynq.TaskID(fmt.Sprintf("analytics-sweep:%d", start.Unix())),
		asynq.Queue(QueueAnalytics), asynq.MaxRetry(3), asynq.Retention(interval))
	if errors.Is(err, asynq.ErrTaskIDConflict) {
		return false, nil
	}
	return err == nil, err
}

// sweepHandler runs analytics:sweep: one analytics:refresh per active
// account, spread over the interval so 100k accounts do not call the
// platforms in the same second. Refresh TaskIDs name the account and the
// window, and are retained for the window, so a second sweep of the same
// window (a retry, a second scheduler) enqueues nothing.
type sweepHandler struct {
	store    *store
	q        *asynq.Client
	accounts Tokens
	cfg      AnalyticsConfig
}

func (h *sweepHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	var p sweepPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil || p.Window <= 0 {
		return fmt.Errorf("payload: not a sweep payload: %w", asynq.SkipRetry)
	}
	start := time.Unix(p.Window, 0)
	var cursor uint64
	for {
		ids, next, err := h.accounts.Accounts(ctx, cursor, 500)
		if err != nil {
			return err
		}
		for _, id := range ids {
			info, err := h.accounts.Info(ctx, id)
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
func (h *sweepHandler) checkReconnect(ctx context.Context, info tokens.Info) error {
	account, platform := info.ID, info.Platform
	if info.Expiry.IsZero() || info.Expiry.Sub(h.store.now()) >= h.cfg.ReconnectLead {
		return nil
	}
	due, expiry, err := h.accounts.ReconnectDue(ctx, account, h.cfg.ReconnectLead)
	if err != nil || !due {
		return nil // gone meanwhile, or unreadable: the refresh will say
	}
	mark := strconv.FormatInt(expiry.UnixMilli(), 10)
	prev, err := h.store.rdb.SetArgs(ctx, reconnectKey(account), mark,
		redis.SetArgs{Get: true, ExpireAt: expiry.Add(24 * time.Hour)}).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return err
	}
	if prev == mark {
		return nil // said already for this token
	}
	return h.store.appendEvent(ctx, events.Event{Type: events.AccountReconnectDue, AccountID: account, Platform: platform,
		Reason: "the token expires at " + expiry.UTC().Format(time.RFC3339) + " and cannot be refreshed: ask the user to connect the account again"})
}

func (h *sweepHandler) enqueue(ctx context.Context, account, platform string, start time.Time) error {
	payload, _ := json.Marshal(analyticsPayload{V: payloadVersion, AccountID: account, Platform: platform})
	at := start.Add(spread(account, h.cfg.Interval))
	if now := h.store.now(); at.Before(now) {
		at = now
	}
	_, err := h.q.EnqueueContext(ctx, asynq.NewTask(TypeAnalyticsRefresh, payload),
		asynq.TaskID(fmt.Sprintf("analytics-sweep:%s:%d", account, start.Unix())),
		asynq.Queue(QueueAnalytics), asynq.ProcessAt(at), asynq.MaxRetry(5),
		asynq.Retention(h.cfg.Interval))
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
