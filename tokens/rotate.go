package tokens

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// RotateReport says what Rotate did.
type RotateReport struct {
	Scanned, Resealed int
	// Failed lists accounts whose record could not be re-sealed (sealed
	// by a key no longer in the keyring, corrupt), with why.
	Failed map[string]string
}

// resealScript replaces the sealed part only if the record has not
// changed since it was read. rev stays the same, so a refresh that raced
// the rotation still lands (sealed with the primary key too).
var resealScript = redis.NewScript(`
if redis.call('HGET', KEYS[1], 'rev') ~= ARGV[1] or redis.call('HGET', KEYS[1], 'kid') ~= ARGV[2] then
  return 0
end
redis.call('HSET', KEYS[1], 'kid', ARGV[3], 'sealed', ARGV[4])
return 1
`)

// Rotate re-seals every token not sealed with the primary key. It is
// resumable (it only touches records of other keys, so a second run
// continues where one stopped) and safe beside live workers: each write
// is a compare-and-set, retried when a refresh got there first.
func (v *Vault) Rotate(ctx context.Context, progress func(RotateReport)) (RotateReport, error) {
	rep := RotateReport{Failed: map[string]string{}}
	var cursor uint64
	for {
		ids, next, err := v.Accounts(ctx, cursor, 200)
		if err != nil {
			return rep, err
		}
		for _, id := range ids {
			rep.Scanned++
			done, err := v.reseal(ctx, id)
			if err != nil {
				if ctx.Err() != nil {
					return rep, ctx.Err()
				}
				rep.Failed[id] = err.Error()
			} else if done {
				rep.Resealed++
			}
		}
		if progress != nil {
			progress(rep)
		}
		if cursor = next; cursor == 0 {
			return rep, nil
		}
	}
}

func (v *Vault) reseal(ctx context.Context, account string) (bool, error) {
	for range 10 {
		changed, err := v.resealOnce(ctx, tokenKey(account), account)
		if err == nil || !errors.Is(err, errRaced) {
			return changed, err
		}
	}
	return false, fmt.Errorf("account %s: record kept changing", account)
}

var errRaced = errors.New("raced")

func (v *Vault) resealOnce(ctx context.Context, key, account string) (bool, error) {
	h, err := v.rdb.HGetAll(ctx, key).Result()
	if err != nil {
		return false, err
	}
	if len(h) == 0 || h["sealed"] == "" || h["kid"] == v.keys.Primary() {
		return false, nil
	}
	r, err := decodeRecord(account, h)
	if err != nil {
		return false, err
	}
	tok, err := r.open(v.keys)
	if err != nil {
		return false, err
	}
	oldKid := r.KeyID
	r.seal(v.keys, tok)
	ok, err := resealScript.Run(ctx, v.rdb, []string{key}, r.Rev, oldKid, r.KeyID, r.Sealed).Int64()
	if err != nil {
		return false, err
	}
	if ok == 0 {
		return false, errRaced
	}
	return true, nil
}
