package api

import (
	"context"
	"math"
	"net/http"
	"strconv"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

// RateLimit caps the requests each API key makes per minute, across every
// API process sharing the Redis. It is redis_rate's GCRA: a key may burst
// up to PerMinute requests, and then gets one every 60s/PerMinute, so
// there is no window edge at which a key can make twice its limit.
type RateLimit struct {
	Redis redis.UniversalClient
	// PerMinute is how many requests a key may make a minute; 0 turns the
	// limit off.
	PerMinute int
}

// rateLimiter applies a RateLimit.
type rateLimiter struct {
	perMinute int
	limiter   *redis_rate.Limiter
}

func newRateLimiter(l RateLimit) *rateLimiter {
	if l.PerMinute <= 0 || l.Redis == nil {
		return nil
	}
	return &rateLimiter{perMinute: l.PerMinute, limiter: redis_rate.NewLimiter(l.Redis)}
}

// allow counts a request of key and says whether it is within the limit;
// when not, it says in how many whole seconds one is allowed again. The
// Redis clock decides, so every API process agrees. A Redis error lets
// the request through (the call it makes will most likely fail on the
// same Redis and say so).
func (l *rateLimiter) allow(ctx context.Context, key string) (ok bool, retryAfter int, err error) {
	if l == nil {
		return true, 0, nil
	}
	// The key's hash tag keeps redis_rate's one-key script on one slot.
	res, err := l.limiter.Allow(ctx, "herald:api:{"+key+"}", redis_rate.PerMinute(l.perMinute))
	if err != nil {
		return true, 0, err
	}
	if res.Allowed > 0 {
		return true, 0, nil
	}
	return false, max(1, int(math.Ceil(res.RetryAfter.Seconds()))), nil
}

func rateLimited(retryAfter int) *problem {
	p := newProblem(http.StatusTooManyRequests, codeRateLimited,
		"too many requests with this API key; try again in "+strconv.Itoa(retryAfter)+"s")
	p.retryAfter = retryAfter
	return p
}
