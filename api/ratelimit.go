package api

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// RateLimit caps the requests each API key makes per minute, across every
// API process sharing the Redis.
type RateLimit struct {
	Redis redis.UniversalClient
	// PerMinute is how many requests a key may make in a calendar minute;
	// 0 turns the limit off.
	PerMinute int
}

// rateScript counts a request in its window's counter, which expires
// with the window. One key per script: it runs on Redis Cluster.
var rateScript = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
`)

// allow counts a request of key and says whether it is within the limit;
// when not, it says how many seconds until the next window. The window
// is a calendar minute: simple and shared by every process, at the price
// of letting a key make up to twice the limit across a minute boundary.
// A Redis error lets the request through (and the call it makes will
// most likely fail on the same Redis and say so).
func (l RateLimit) allow(ctx context.Context, key string, now time.Time) (ok bool, retryAfter int, err error) {
	if l.PerMinute <= 0 || l.Redis == nil {
		return true, 0, nil
	}
	window := now.Unix() / 60
	n, err := rateScript.Run(ctx, l.Redis, []string{fmt.Sprintf("herald:api:rate:{%s}:%d", key, window)},
		(2 * time.Minute).Milliseconds()).Int()
	if err != nil {
		return true, 0, err
	}
	if n <= l.PerMinute {
		return true, 0, nil
	}
	return false, int(60 - now.Unix()%60), nil
}

func rateLimited(retryAfter int) *problem {
	p := newProblem(http.StatusTooManyRequests, codeRateLimited,
		"too many requests with this API key; try again in "+strconv.Itoa(retryAfter)+"s")
	p.retryAfter = retryAfter
	return p
}
