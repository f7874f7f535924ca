package instagram

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/heraldhq/herald/publishers"
)

// limitProbes bounds the calls that estimate when the publishing window
// frees up: each halves the uncertainty (6 probes: 24 h / 64 ≈ 23 min).
const limitProbes = 6

// minLimitWait is the shortest deferral at the publishing limit.
const minLimitWait = time.Minute

type publishingLimit struct {
	Data []struct {
		QuotaUsage int `json:"quota_usage"`
		Config     struct {
			QuotaTotal    int   `json:"quota_total"`
			QuotaDuration int64 `json:"quota_duration"`
		} `json:"config"`
	} `json:"data"`
}

// usage reads how many posts the account published since (zero: in the
// whole window), its limit and the window's length. total is 0 when the
// answer does not say.
func (pub *publication) usage(ctx context.Context, since time.Time) (used, total int, window time.Duration, err error) {
	params := url.Values{"fields": {"quota_usage,config"}}
	if !since.IsZero() {
		params.Set("since", strconv.FormatInt(since.Unix(), 10))
	}
	var out publishingLimit
	if err := pub.graph(ctx, pub.s, "read publishing limit", http.MethodGet, "/"+pub.user+"/content_publishing_limit", params, &out); err != nil {
		return 0, 0, 0, err
	}
	if len(out.Data) == 0 {
		return 0, 0, 0, nil
	}
	d := out.Data[0]
	window = time.Duration(d.Config.QuotaDuration) * time.Second
	if window <= 0 || window > 7*24*time.Hour {
		window = 24 * time.Hour
	}
	return d.QuotaUsage, d.Config.QuotaTotal, window, nil
}

// checkLimit defers the job (RateLimited) while the account is at its
// publishing limit. The limit is read, never assumed: docs name 25, 50 and
// 100 posts a day.
func (pub *publication) checkLimit(ctx context.Context) error {
	used, total, window, err := pub.usage(ctx, time.Time{})
	if err != nil || total <= 0 || used < total {
		return err
	}
	wait := pub.windowFrees(ctx, total, window)
	return publishers.RateLimited(wait, fmt.Errorf("instagram: publishing limit reached: %d of %d posts in %s", used, total, window))
}

// limitReached turns Instagram's "limit reached" answer (code 9, subcode
// 2207042) into a deferral until the window frees up.
func (pub *publication) limitReached(ctx context.Context, cause error) error {
	wait := defaultLimitWait
	if used, total, window, err := pub.usage(ctx, time.Time{}); err == nil && total > 0 && used >= total {
		wait = pub.windowFrees(ctx, total, window)
	}
	return publishers.RateLimited(wait, cause)
}

// windowFrees estimates how long until the account may publish again:
// the earliest time t such that fewer than total posts were published
// since t, plus window, found by bisection over content_publishing_limit's
// since parameter. The estimate errs late, never early, by at most
// window/2^limitProbes; a failed probe ends the search with what is known.
func (pub *publication) windowFrees(ctx context.Context, total int, window time.Duration) time.Duration {
	now := pub.now()
	start := now.Add(-window)
	lo, hi := start, now // at lo the account is at the limit; at hi it is not
	for range limitProbes {
		mid := lo.Add(hi.Sub(lo) / 2).Truncate(time.Second).Add(time.Second)
		if !mid.Before(hi) {
			break
		}
		used, _, _, err := pub.usage(ctx, mid)
		if err != nil {
			break
		}
		if used >= total {
			lo = mid
		} else {
			hi = mid
		}
	}
	return min(max(hi.Sub(start), minLimitWait), window)
}
