package api

import (
	"context"
	"math"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

// RateLimit caps the requests each API key makes per minute, across every
// API process sharing the Redis. It is redis_rate's GCRA: a key may burst
// up to PerMinute requests, and then gets one every 60s/PerMinute, so
// there is no window edge at which a key can make twice its limit.
//
// It also caps the requests that fail authentication, per client address
// (the connection's, so behind a reverse proxy the proxy's: let the proxy
// limit then). An address over its budget gets 429 for every request that
// needs a key, a right key included: otherwise the answer would tell a
// good guess from a bad one, and keys could be guessed at line speed.
type RateLimit struct {
	Redis redis.UniversalClient
	// PerMinute is how many requests a key may make a minute; 0 turns the
	// limit off.
	PerMinute int
	// FailuresPerMinute is how many requests failing authentication an
	// address may make a minute: 0 means DefaultFailuresPerMinute, a
	// negative number turns the limit off.
	FailuresPerMinute int
}

// DefaultFailuresPerMinute is RateLimit.FailuresPerMinute's default:
// plenty for a client with a mistyped key, hopeless for guessing a key of
// MinTokenLen characters.
const DefaultFailuresPerMinute = 20

// rateLimiter applies a RateLimit.
type rateLimiter struct {
	perMinute, failures int
	limiter             *redis_rate.Limiter
}

func newRateLimiter(l RateLimit) *rateLimiter {
	if l.FailuresPerMinute == 0 {
		l.FailuresPerMinute = DefaultFailuresPerMinute
	}
	if l.Redis == nil || (l.PerMinute <= 0 && l.FailuresPerMinute < 0) {
		return nil
	}
	return &rateLimiter{perMinute: l.PerMinute, failures: l.FailuresPerMinute, limiter: redis_rate.NewLimiter(l.Redis)}
}

// allow counts a request of key and says whether it is within the limit;
// when not, it says in how many whole seconds one is allowed again. The
// Redis clock decides, so every API process agrees. A Redis error lets
// the request through (the call it makes will most likely fail on the
// same Redis and say so).
func (l *rateLimiter) allow(ctx context.Context, key string) (ok bool, retryAfter int, err error) {
	if l == nil || l.perMinute <= 0 {
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

// failuresKey is the limiter key of an address's failed authentications.
func failuresKey(addr string) string { return "herald:api:auth-failures:{" + addr + "}" }

// mayTry says whether addr may present a key now: whether its budget of
// failed authentications has one left. It only looks (a cost of 0); a
// request that then fails is counted by failed.
func (l *rateLimiter) mayTry(ctx context.Context, addr string) (ok bool, retryAfter int, err error) {
	if l == nil || l.failures < 0 {
		return true, 0, nil
	}
	limit := redis_rate.PerMinute(l.failures)
	res, err := l.limiter.AllowN(ctx, failuresKey(addr), limit, 0)
	if err != nil {
		return true, 0, err
	}
	if res.Remaining >= 1 {
		return true, 0, nil
	}
	// ResetAfter is when the budget is whole again; one failure's worth
	// comes back a period/rate before that.
	interval := limit.Period / time.Duration(limit.Rate)
	wait := res.ResetAfter - time.Duration(limit.Burst-1)*interval
	return false, max(1, int(math.Ceil(wait.Seconds()))), nil
}

// failed counts a failed authentication of addr.
func (l *rateLimiter) failed(ctx context.Context, addr string) error {
	if l == nil || l.failures < 0 {
		return nil
	}
	_, err := l.limiter.Allow(ctx, failuresKey(addr), redis_rate.PerMinute(l.failures))
	return err
}

// clientAddr is the address a request came from, without its port.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func rateLimited(retryAfter int) *problem {
	p := newProblem(http.StatusTooManyRequests, codeRateLimited,
		"too many requests with this API key; try again in "+strconv.Itoa(retryAfter)+"s")
	p.retryAfter = retryAfter
	return p
}

func tooManyFailures(retryAfter int) *problem {
	p := newProblem(http.StatusTooManyRequests, codeRateLimited,
		"too many requests without a valid API key from this address; try again in "+strconv.Itoa(retryAfter)+"s")
	p.retryAfter = retryAfter
	return p
}
