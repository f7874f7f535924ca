package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/tokens"
)

func analyticsKey(account string) string { return "herald:{acct:" + account + "}:analytics" }

// Snapshot is one reading of an account's analytics.
type Snapshot struct {
	AccountID string                        `json:"account_id"`
	Platform  string                        `json:"platform"`
	At        time.Time                     `json:"at"`
	Account   publishers.Metrics            `json:"account"`
	Posts     map[string]publishers.Metrics `json:"posts,omitempty"` // by remote id
}

// analyticsHandler runs analytics:refresh tasks: it reads the account's
// statistics and those of the posts Herald published for it, and stores
// the latest snapshot.
type analyticsHandler struct {
	store      *store
	publishers *publishers.Registry
	tokens     tokens.Source
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
	tok, err := h.tokens.Token(ctx, p.AccountID, p.Platform)
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
	req := publishers.AnalyticsRequest{AccountID: p.AccountID, Token: tok, RemoteIDs: remote}
	if info, ok := h.tokens.(accountInfo); ok {
		if i, err := info.Info(ctx, p.AccountID); err == nil {
			req.PlatformUserID = i.PlatformUserID
		}
	}
	a, err := pub.Analytics(ctx, req)
	if err != nil {
		if c := publishers.ClassOf(err); c == publishers.ClassPermanent || c == publishers.ClassReauth {
			return fmt.Errorf("analytics of %s: %w: %w", p.AccountID, err, asynq.SkipRetry)
		}
		return fmt.Errorf("analytics of %s: %w", p.AccountID, err)
	}
	snap, err := json.Marshal(Snapshot{AccountID: p.AccountID, Platform: p.Platform, At: h.store.now().UTC(), Account: a.Account, Posts: a.Posts})
	if err != nil {
		return err
	}
	return h.store.rdb.Set(ctx, analyticsKey(p.AccountID), snap, 0).Err()
}

// publishedRemoteIDs lists the platform ids of the account's published
// posts.
func (h *analyticsHandler) publishedRemoteIDs(ctx context.Context, account string) ([]string, error) {
	ids, err := h.store.rdb.SMembers(ctx, accountPostsKey(account)).Result()
	if err != nil {
		return nil, err
	}
	var remote []string
	for _, id := range ids {
		v, err := h.store.rdb.HMGet(ctx, recordKey(id), "state", "remote_id").Result()
		if err != nil {
			return nil, err
		}
		if st, _ := v[0].(string); st == string(StatePublished) {
			if r, _ := v[1].(string); r != "" {
				remote = append(remote, r)
			}
		}
	}
	return remote, nil
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
