package monitor

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"sort"

	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/internal/metrics"
	"github.com/heraldhq/herald/tokens"
)

// Census is what the Vault holds, counted without reading a secret: the
// accounts by platform and status and, when a keyring is given, whether it
// opens every sealed token.
type Census struct {
	// Accounts counts accounts by platform and status.
	Accounts []metrics.AccountCount
	// Missing counts index entries without a token record (an erase or a
	// connect cut short; harmless).
	Missing int
	// Sealed counts sealed tokens (live records and tokens kept for
	// revocation) by the id of the key that sealed them.
	Sealed map[string]int
	// Opened counts sealed tokens the keyring opened; Unopened lists the
	// others. Both stay zero without a keyring.
	Opened   int
	Unopened []Unopened
}

// Unopened is a sealed token the keyring could not open.
type Unopened struct {
	AccountID, Platform, KeyID string
	// Revoking says it is a token kept for its revoke job.
	Revoking bool
	Err      error
}

// censusPage is how many accounts one round trip reads.
const censusPage = 500

// Redis keys of the Vault (package tokens), read here without its help so
// that the census needs no Vault and no platform configuration.
const accountsKey = "herald:accounts"

func tokenKey(account string) string  { return "herald:{acct:" + account + "}:token" }
func revokeKey(account string) string { return "herald:{acct:" + account + "}:revoke" }

// tokenAD is the additional data a token record is sealed with; it must
// match package tokens (a test there and one here keep them in step).
func tokenAD(format, account, platform string) string {
	return "herald-token|" + format + "|" + account + "|" + platform
}

// TakeCensus walks every account of the Vault. With keys it also opens
// every sealed token, in memory, and forgets it at once.
func TakeCensus(ctx context.Context, rdb redis.UniversalClient, keys *tokens.Keyring) (Census, error) {
	c := Census{Sealed: map[string]int{}}
	counts := map[[2]string]int64{}
	var cursor uint64
	for {
		ids, next, err := rdb.SScan(ctx, accountsKey, cursor, "", censusPage).Result()
		if err != nil {
			return c, fmt.Errorf("census: %w", err)
		}
		if err := c.page(ctx, rdb, keys, ids, counts); err != nil {
			return c, err
		}
		if cursor = next; cursor == 0 {
			break
		}
	}
	for k, n := range counts {
		c.Accounts = append(c.Accounts, metrics.AccountCount{Platform: k[0], Status: k[1], N: n})
	}
	sort.Slice(c.Accounts, func(i, j int) bool {
		a, b := c.Accounts[i], c.Accounts[j]
		return a.Platform < b.Platform || (a.Platform == b.Platform && a.Status < b.Status)
	})
	return c, nil
}

// recordFields are what the census reads of a record; the sealed token
// only when it is to be opened (a tombstone has no kid either).
var recordFields = []string{"v", "platform", "status", "kid", "sealed"}

func (c *Census) page(ctx context.Context, rdb redis.UniversalClient, keys *tokens.Keyring, ids []string, counts map[[2]string]int64) error {
	if len(ids) == 0 {
		return nil
	}
	fields := recordFields
	if keys == nil {
		fields = recordFields[:4]
	}
	pipe := rdb.Pipeline()
	recs := make([]*redis.SliceCmd, len(ids))
	revs := make([]*redis.SliceCmd, len(ids))
	for i, id := range ids {
		recs[i] = pipe.HMGet(ctx, tokenKey(id), fields...)
		revs[i] = pipe.HMGet(ctx, revokeKey(id), fields...)
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("census: %w", err)
	}
	for i, id := range ids {
		rec := strings5(recs[i].Val())
		if rec[1] == "" && rec[2] == "" {
			c.Missing++
			continue
		}
		counts[[2]string{rec[1], rec[2]}]++
		c.check(keys, id, rec, false)
		if rev := strings5(revs[i].Val()); rev[3] != "" {
			c.check(keys, id, rev, true)
		}
	}
	return nil
}

// check counts one sealed token and tries to open it.
func (c *Census) check(keys *tokens.Keyring, account string, f [5]string, revoking bool) {
	format, platform, kid, sealed := f[0], f[1], f[3], f[4]
	if kid == "" {
		return // a tombstone: nothing sealed
	}
	c.Sealed[kid]++
	if keys == nil {
		return
	}
	_, err := keys.Open(tokenAD(format, account, platform), kid+"."+base64.RawStdEncoding.EncodeToString([]byte(sealed)))
	if err != nil {
		c.Unopened = append(c.Unopened, Unopened{AccountID: account, Platform: platform, KeyID: kid, Revoking: revoking, Err: err})
		return
	}
	c.Opened++
}

func strings5(vals []any) [5]string {
	var out [5]string
	for i := 0; i < len(vals) && i < 5; i++ {
		out[i], _ = vals[i].(string)
	}
	return out
}
