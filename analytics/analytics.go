package analytics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/publishers"
)

// Task types and queue. The names are part of Herald's contract with
// operators (asynqmon shows them) and must not change.
const (
	TypeRefresh = "analytics:refresh"
	TypeSweep   = "analytics:sweep"
	Queue       = "analytics"
)

// ErrNotFound: no snapshot of the account yet.
var ErrNotFound = errors.New("no analytics yet")

func latestKey(account string) string    { return "herald:{acct:" + account + "}:analytics" }
func historyKey(account string) string   { return "herald:{acct:" + account + "}:analytics:history" }
func reconnectKey(account string) string { return "herald:{acct:" + account + "}:reconnect-due" }

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

// HistoryPoint is one day of an account's analytics history: the day and
// the account-level metrics (the per post numbers of every day would not
// fit a cap worth keeping).
type HistoryPoint struct {
	Day     string             `json:"day"`
	At      time.Time          `json:"at"`
	Account publishers.Metrics `json:"account"`
}

// Latest returns the latest snapshot of account, or an error wrapping
// ErrNotFound.
func Latest(ctx context.Context, rdb redis.UniversalClient, account string) (Snapshot, error) {
	b, err := rdb.Get(ctx, latestKey(account)).Bytes()
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

// History returns account's daily history, newest first.
func History(ctx context.Context, rdb redis.UniversalClient, account string) ([]HistoryPoint, error) {
	raw, err := rdb.LRange(ctx, historyKey(account), 0, -1).Result()
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

// Forget deletes what analytics keeps about account (its erasure) and
// returns how many keys it deleted.
func Forget(ctx context.Context, rdb redis.UniversalClient, account string) (int, error) {
	n, err := rdb.Del(ctx, latestKey(account), historyKey(account), reconnectKey(account)).Result()
	return int(n), err
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

// save stores s as the latest snapshot and its day's history point,
// keeping historyDays points.
func save(ctx context.Context, rdb redis.UniversalClient, s Snapshot, historyDays int) error {
	full, err := json.Marshal(s)
	if err != nil {
		return err
	}
	day := s.At.Format(time.DateOnly)
	// The point starts with {"day":"YYYY-MM-DD": the script compares
	// those ten characters with the day.
	point, _ := json.Marshal(HistoryPoint{Day: day, At: s.At, Account: s.Account})
	return saveScript.Run(ctx, rdb, []string{latestKey(s.AccountID), historyKey(s.AccountID)},
		full, day, point, historyDays).Err()
}
