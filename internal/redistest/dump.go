package redistest

import (
	"context"
	"fmt"
	"testing"

	"github.com/redis/go-redis/v9"
)

// Dump returns every key of the database with its value as text, for
// tests that prove something is gone (an erased account, a token in
// clear) or untouched. The events stream's account.erased entries are
// left out.
func (d *DB) Dump(t testing.TB) map[string]string {
	t.Helper()
	ctx := context.Background()
	c := d.Client
	out := map[string]string{}
	iter := c.Scan(ctx, 0, "*", 100).Iterator()
	for iter.Next(ctx) {
		k := iter.Val()
		var v any
		switch c.Type(ctx, k).Val() {
		case "string":
			v = c.Get(ctx, k).Val()
		case "hash":
			v = c.HGetAll(ctx, k).Val()
		case "set":
			v = c.SMembers(ctx, k).Val()
		case "zset":
			v = c.ZRangeWithScores(ctx, k, 0, -1).Val()
		case "list":
			v = c.LRange(ctx, k, 0, -1).Val()
		case "stream":
			var kept []redis.XMessage
			for _, m := range c.XRange(ctx, k, "-", "+").Val() {
				// The account.erased event names the erased account by
				// design: it is how the product app learns of the erase.
				if m.Values["type"] != "account.erased" {
					kept = append(kept, m)
				}
			}
			if len(kept) == 0 {
				continue // nothing but the erase's own trace
			}
			v = kept
		}
		out[k] = fmt.Sprint(v)
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
