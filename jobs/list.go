package jobs

import (
	"context"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// MaxListLimit is the most posts one ListPosts page holds.
const MaxListLimit = 500

// DefaultListLimit is a page's size when ListQuery.Limit is 0.
const DefaultListLimit = 50

// listScanBudget bounds how many index entries one ListPosts call reads
// when a state filter skips most of them: a page may then come back short
// (even empty) with a NextCursor to go on from, so no call is unbounded.
const listScanBudget = 5000

// ListQuery selects an account's posts for ListPosts.
type ListQuery struct {
	AccountID string
	// State, if set, keeps only posts in that state.
	State State
	// From (inclusive) and To (exclusive), if set, bound the posts'
	// publish times.
	From, To time.Time
	// Limit is the page size, 1 to MaxListLimit (0: DefaultListLimit).
	Limit int
	// Cursor is the NextCursor of the previous page ("" for the first).
	Cursor string
}

// ListPage is one page of ListPosts.
type ListPage struct {
	Posts []PostStatus `json:"posts"`
	// NextCursor continues the listing; "" after the last page. A page
	// shorter than the limit may still have one (a state filter stopped
	// the scan early): follow it until it is empty.
	NextCursor string `json:"next_cursor,omitempty"`
}

// ListPosts lists an account's posts by publish time, then post id. The
// cursor names the last post seen (its publish time and id), not an
// offset, so posts scheduled, rescheduled or expired between two pages
// neither repeat nor shift the rest: a post is skipped or shown once,
// by where it sits when its page is read.
func (c *Client) ListPosts(ctx context.Context, q ListQuery) (ListPage, error) {
	entries, next, err := c.listEntries(ctx, q)
	if err != nil {
		return ListPage{}, err
	}
	recs, err := c.store.loadStatuses(ctx, entries)
	if err != nil {
		return ListPage{}, err
	}
	page := ListPage{Posts: []PostStatus{}, NextCursor: next}
	for _, st := range recs {
		if st.PostID == "" || (q.State != "" && st.State != q.State) {
			continue
		}
		page.Posts = append(page.Posts, st)
	}
	return page, nil
}

// checkListQuery validates q and fills its defaults.
func checkListQuery(q *ListQuery) error {
	if err := checkID("account_id", q.AccountID); err != nil {
		return err
	}
	switch q.State {
	case "", StateScheduled, StatePublishing, StatePublished, StateFailed, StateCanceled:
	default:
		return &FieldError{Field: "state", Problem: fmt.Sprintf("%.40q: want scheduled, publishing, published, failed or canceled", q.State)}
	}
	if q.Limit == 0 {
		q.Limit = DefaultListLimit
	}
	if q.Limit < 1 || q.Limit > MaxListLimit {
		return &FieldError{Field: "limit", Problem: fmt.Sprintf("must be between 1 and %d", MaxListLimit)}
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.To.After(q.From) {
		return &FieldError{Field: "to", Problem: "must be after from"}
	}
	return nil
}

// listEntries finds the index entries of q's page: without a state filter
// exactly the page, with one as many as fill it from the scan budget.
func (c *Client) listEntries(ctx context.Context, q ListQuery) ([]indexEntry, string, error) {
	if err := checkListQuery(&q); err != nil {
		return nil, "", err
	}
	var pos *indexEntry
	if q.Cursor != "" {
		e, err := decodeCursor(q.Cursor)
		if err != nil {
			return nil, "", err
		}
		pos = &e
	}
	var out []indexEntry
	scanned := 0
	for {
		chunk, more, err := c.store.scanIndex(ctx, q.AccountID, pos, q.From, q.To, q.Limit)
		if err != nil {
			return nil, "", err
		}
		scanned += len(chunk)
		if q.State == "" {
			out = chunk
		} else {
			kept, err := c.store.filterState(ctx, chunk, q.State)
			if err != nil {
				return nil, "", err
			}
			out = append(out, kept...)
		}
		if len(chunk) > 0 {
			pos = &chunk[len(chunk)-1]
		}
		switch {
		case len(out) > q.Limit:
			// The page ends at its last post, and so does the cursor:
			// the rest of this chunk comes on the next page.
			out = out[:q.Limit]
			return out, encodeCursor(out[len(out)-1]), nil
		case !more:
			return out, "", nil
		case q.State == "" || len(out) == q.Limit || scanned >= listScanBudget:
			return out, encodeCursor(*pos), nil
		}
	}
}

// indexEntry is one member of an account's index: a post id and its
// publish time (Unix milliseconds).
type indexEntry struct {
	Score int64
	ID    string
}

// The cursor is base64url("1:<score>:<post id>"). Clients treat it as
// opaque; the version leaves room to change it.
func encodeCursor(e indexEntry) string {
	return base64.RawURLEncoding.EncodeToString([]byte("1:" + strconv.FormatInt(e.Score, 10) + ":" + e.ID))
}

func decodeCursor(s string) (indexEntry, error) {
	bad := &FieldError{Field: "cursor", Problem: "not a cursor this listing gave out"}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return indexEntry{}, bad
	}
	parts := strings.SplitN(string(raw), ":", 3)
	if len(parts) != 3 || parts[0] != "1" {
		return indexEntry{}, bad
	}
	score, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || checkID("post_id", parts[2]) != nil {
		return indexEntry{}, bad
	}
	return indexEntry{Score: score, ID: parts[2]}, nil
}

// scanIndexScript returns up to ARGV[4] entries of the index KEYS[1],
// with their scores, in order, starting after the entry (ARGV[1] score,
// ARGV[2] id) or, when ARGV[1] is empty, at the first with a score of at
// least ARGV[3]. Within one score Redis orders members bytewise; the
// binary search over those ranks compares bytes itself, because Lua's
// string comparison follows the server's locale. It reads one key, so it
// runs on Redis Cluster, and costs O(log² n).
var scanIndexScript = redis.NewScript(`
local key = KEYS[1]
local n = tonumber(ARGV[4])
local function greater(a, b)
  local la, lb = #a, #b
  for i = 1, math.min(la, lb) do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x > y end
  end
  return la > lb
end
local start
if ARGV[1] == '' then
  start = redis.call('ZCOUNT', key, '-inf', '(' .. ARGV[3])
else
  local s = ARGV[1]
  local lo = redis.call('ZCOUNT', key, '-inf', '(' .. s)
  local hi = lo + redis.call('ZCOUNT', key, s, s)
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    local m = redis.call('ZRANGE', key, mid, mid)[1]
    if greater(m, ARGV[2]) then hi = mid else lo = mid + 1 end
  end
  start = lo
end
return redis.call('ZRANGE', key, start, start + n - 1, 'WITHSCORES')
`)

// scanIndex reads up to limit entries of account's index after pos (or
// from from), stopping before to; more says whether entries may follow.
func (s *store) scanIndex(ctx context.Context, account string, pos *indexEntry, from, to time.Time, limit int) (_ []indexEntry, more bool, _ error) {
	after, afterID := "", ""
	if pos != nil {
		after, afterID = strconv.FormatInt(pos.Score, 10), pos.ID
	}
	fromScore := "-inf"
	if !from.IsZero() {
		fromScore = strconv.FormatInt(from.UnixMilli(), 10)
	}
	// One more than asked says whether another page follows.
	res, err := scanIndexScript.Run(ctx, s.rdb, []string{accountPostsKey(account)}, after, afterID, fromScore, limit+1).StringSlice()
	if err != nil {
		return nil, false, fmt.Errorf("list posts: %w", err)
	}
	out := make([]indexEntry, 0, len(res)/2)
	for i := 0; i+1 < len(res); i += 2 {
		score, err := strconv.ParseFloat(res[i+1], 64)
		if err != nil {
			return nil, false, fmt.Errorf("list posts: bad score %q", res[i+1])
		}
		e := indexEntry{Score: int64(score), ID: res[i]}
		if !to.IsZero() && e.Score >= to.UnixMilli() {
			return out, false, nil
		}
		out = append(out, e)
	}
	if len(out) > limit {
		return out[:limit], true, nil
	}
	return out, false, nil
}

// filterState keeps the entries whose record is in state st.
func (s *store) filterState(ctx context.Context, entries []indexEntry, st State) ([]indexEntry, error) {
	cmds := make([]*redis.StringCmd, len(entries))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, e := range entries {
			cmds[i] = p.HGet(ctx, recordKey(e.ID), "state")
		}
		return nil
	})
	if err != nil && err != redis.Nil {
		return nil, fmt.Errorf("list posts: %w", err)
	}
	var out []indexEntry
	for i, cmd := range cmds {
		if cmd.Val() == string(st) {
			out = append(out, entries[i])
		}
	}
	return out, nil
}

// statusFields are the record fields a PostStatus is made of.
var statusFields = []string{"account", "platform", "state", "publish_at", "attempts", "remote_id", "url", "published_at", "class", "reason", "last_error", "updated_at"}

// loadStatuses reads the statuses of entries in one round trip, without
// the posts' content. An entry whose record is gone (expired) gives a
// zero PostStatus.
func (s *store) loadStatuses(ctx context.Context, entries []indexEntry) ([]PostStatus, error) {
	cmds := make([]*redis.SliceCmd, len(entries))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, e := range entries {
			cmds[i] = p.HMGet(ctx, recordKey(e.ID), statusFields...)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list posts: %w", err)
	}
	out := make([]PostStatus, len(entries))
	for i, cmd := range cmds {
		vals := cmd.Val()
		h := make(map[string]string, len(vals))
		for j, v := range vals {
			if str, ok := v.(string); ok {
				h[statusFields[j]] = str
			}
		}
		if h["state"] == "" {
			continue
		}
		out[i] = statusOf(entries[i].ID, h)
	}
	return out, nil
}

// statusOf reads a PostStatus from a record's fields, as decodeRecord
// does (a test holds the two together).
func statusOf(postID string, h map[string]string) PostStatus {
	attempts, _ := strconv.Atoi(h["attempts"])
	return PostStatus{
		PostID:       postID,
		AccountID:    h["account"],
		Platform:     h["platform"],
		State:        State(h["state"]),
		PublishAt:    parseMilli(h["publish_at"]),
		Attempts:     attempts,
		RemoteID:     h["remote_id"],
		URL:          h["url"],
		PublishedAt:  parseMilli(h["published_at"]),
		FailureClass: h["class"],
		Reason:       h["reason"],
		LastError:    h["last_error"],
		UpdatedAt:    parseMilli(h["updated_at"]),
	}
}
