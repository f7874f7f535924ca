package jobs

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/internal/wait"
)

// everyLeased runs pass every period until ctx ends, in one process at a
// time however many workers run it: a pass runs only in the process that
// took the lease key, which expires with the period. A pass's error is
// handed to failed, unless ctx ended.
func everyLeased(ctx context.Context, rdb redis.UniversalClient, key string, period time.Duration, pass func(context.Context) error, failed func(error)) {
	id := randomID()
	for {
		ok, err := rdb.SetNX(ctx, key, id, period).Result()
		if err == nil && ok {
			if err := pass(ctx); err != nil && ctx.Err() == nil {
				failed(err)
			}
		}
		if wait.Sleep(ctx, period) != nil {
			return
		}
	}
}
