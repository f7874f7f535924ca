package tokens

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/redis/go-redis/v9"
)

// Census is what the Vault holds, counted without showing a secret: the
// accounts by platform and status and, when a keyring is given, whether
// it opens every sealed token.
type Census struct {
	// Accounts counts accounts by platform and status.
	Accounts []AccountCount
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

// AccountCount is how many accounts of a platform are in a status.
type AccountCount struct {
	Platform string
	Status   Status
	N        int64
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

// censusFields are what the census reads of a record; the sealed token
// only when it is to be opened (a tombstone has no kid either).
var censusFields = []string{"platform", "status", "kid", "sealed"}

// TakeCensus walks every account in rdb's Vault. With keys it also opens
// every sealed token, in memory, and forgets it at once. It needs no Vault
// and no platform configuration: `herald doctor` and the monitor's
// accounts gauge run it with what they have.
func TakeCensus(ctx context.Context, rdb redis.UniversalClient, keys *Keyring) (Census, error) {
	c := Census{Sealed: map[string]int{}}
	counts := map[AccountCount]int64{}
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
		k.N = n
		c.Accounts = append(c.Accounts, k)
	}
	sort.Slice(c.Accounts, func(i, j int) bool {
		a, b := c.Accounts[i], c.Accounts[j]
		return a.Platform < b.Platform || (a.Platform == b.Platform && a.Status < b.Status)
	})
	return c, nil
}

func (c *Census) page(ctx context.Context, rdb redis.UniversalClient, keys *Keyring, ids []string, counts map[AccountCount]int64) error {
	if len(ids) == 0 {
		return nil
	}
	fields := censusFields
	if keys == nil {
		fields = censusFields[:3]
	}
	pipe := rdb.Pipeline()
	recs := make([]*redis.SliceCmd, len(ids))
	revs := make([]*redis.MapStringStringCmd, len(ids))
	for i, id := range ids {
		recs[i] = pipe.HMGet(ctx, tokenKey(id), fields...)
		revs[i] = pipe.HGetAll(ctx, revokeKey(id))
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return fmt.Errorf("census: %w", err)
	}
	for i, id := range ids {
		rec := strings4(recs[i].Val())
		if rec[0] == "" && rec[1] == "" {
			c.Missing++
			continue
		}
		counts[AccountCount{Platform: rec[0], Status: Status(rec[1])}]++
		c.check(keys, id, rec, false)
		for _, p := range pendingRevocations(revs[i].Val()) {
			if p.fields["kid"] != "" {
				c.check(keys, id, [4]string{p.fields["platform"], "", p.fields["kid"], p.fields["sealed"]}, true)
			}
		}
	}
	return nil
}

// check counts one sealed token and tries to open it.
func (c *Census) check(keys *Keyring, account string, f [4]string, revoking bool) {
	platform, kid, sealed := f[0], f[2], f[3]
	if kid == "" {
		return // a tombstone: nothing sealed
	}
	c.Sealed[kid]++
	if keys == nil {
		return
	}
	r := &record{Account: account, Platform: platform, KeyID: kid, Sealed: []byte(sealed)}
	if _, err := r.open(keys); err != nil {
		c.Unopened = append(c.Unopened, Unopened{AccountID: account, Platform: platform, KeyID: kid, Revoking: revoking, Err: err})
		return
	}
	c.Opened++
}

func strings4(vals []any) [4]string {
	var out [4]string
	for i := 0; i < len(vals) && i < 4; i++ {
		out[i], _ = vals[i].(string)
	}
	return out
}
