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

// An account's index, herald:{acct:ID}:posts, is a sorted set of its post
// ids scored by publish time (Unix ms). Listing, export and the retention
// sweep walk it from a position (score, id), never an offset.

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
