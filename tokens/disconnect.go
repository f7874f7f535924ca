package tokens

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/internal/randomid"
	"github.com/heraldhq/herald/tenant"
)

// tombstoneTTL is how long a disconnected account's tombstone (status,
// platform, no secret) stays, so the app can still see that it was
// disconnected.
const tombstoneTTL = 30 * 24 * time.Hour

// disconnectScript makes the token unreadable in one step: the sealed
// token joins the tokens awaiting revocation (pending.go) under the new
// rev, readable only by Revoke, and the record becomes a tombstone with
// that rev, which defeats every refresh that started before. Tokens kept
// by earlier disconnects stay: each is revoked in its turn. Returns the
// platform, or false when there is no record.
var disconnectScript = redis.NewScript(`
local h = redis.call('HGETALL', KEYS[1])
if #h == 0 then return false end
local r = {}
for i = 1, #h, 2 do r[h[i]] = h[i+1] end
if r['sealed'] and r['sealed'] ~= '' then
  local p = ARGV[1] .. ARGV[3]
  redis.call('HSET', KEYS[2], p .. 'v', r['v'], p .. 'platform', r['platform'], p .. 'kid', r['kid'],
    p .. 'sealed', r['sealed'], p .. 'expiry', r['expiry'] or '', p .. 'at', ARGV[2],
    p .. 'user', r['platform_user_id'] or '', p .. 'login', r['login_user_id'] or '')
end
redis.call('DEL', KEYS[1])
local status = 'disconnected'
if redis.call('EXISTS', KEYS[2]) == 1 then status = 'revoking' end
redis.call('HSET', KEYS[1], 'v', r['v'], 'platform', r['platform'], 'platform_user_id', r['platform_user_id'] or '',
  'status', status, 'rev', ARGV[1], 'updated_at', ARGV[2], 'version', tonumber(r['version'] or '0') + 1)
return r['platform']
`)

// Disconnect makes account's token unreadable at once and for good: Token
// fails from the moment Disconnect returns, and a refresh in flight cannot
// write a token back. The sealed token is kept apart only until Revoke
// has revoked it at the platform. Options.OnDisconnect then runs (jobs:
// enqueue the revoke job, cancel the account's posts). Disconnecting an
// unknown account is not an error.
func (v *Vault) Disconnect(ctx context.Context, account string) error {
	if fe := tenant.CheckStored("account_id", account); fe != nil {
		return fe
	}
	platform, err := disconnectScript.Run(ctx, v.rdb, []string{tokenKey(account), revokeKey(account)}, randomid.New(), msOrEmpty(v.o.Now()), pendingSep).Text()
	if errors.Is(err, redis.Nil) {
		platform, err = "", nil
	}
	if err != nil {
		return fmt.Errorf("disconnect %s: %w", account, err)
	}
	if v.o.OnDisconnect != nil {
		if err := v.o.OnDisconnect(ctx, account, platform); err != nil {
			return fmt.Errorf("disconnect %s: %w", account, err)
		}
	}
	return nil
}

// finishRevokeScript ends one revocation: drops that kept token (the
// fields in ARGV[2:]) and, when none is left, turns a revoking tombstone
// into a disconnected one that expires.
var finishRevokeScript = redis.NewScript(`
if #ARGV > 1 then redis.call('HDEL', KEYS[2], unpack(ARGV, 2)) end
if redis.call('EXISTS', KEYS[2]) == 0 and redis.call('HGET', KEYS[1], 'status') == 'revoking' then
  redis.call('HSET', KEYS[1], 'status', 'disconnected')
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return 1
`)

// Revoke revokes every token Disconnect kept aside at its platform,
// oldest first, deleting each once its own revocation succeeded. It is
// what the account:revoke job runs. A failure leaves that token for the
// next attempt (the others go on) and is returned. With force (the job's
// last attempt) a token is deleted even when its platform call fails: the
// promise is that the token is gone, revoked or not; the failure is
// logged. revoked says whether any token was revoked at its platform.
//
// A disconnect while Revoke runs finds the job's task still there, so
// its own enqueue adds nothing: Revoke reads the kept tokens again after
// each round and takes the newcomers too (up to revokeRounds rounds).
func (v *Vault) Revoke(ctx context.Context, account string, force bool) (revoked bool, err error) {
	for range revokeRounds {
		h, err := v.rdb.HGetAll(ctx, revokeKey(account)).Result()
		if err != nil {
			return revoked, fmt.Errorf("revoke %s: %w", account, err)
		}
		if len(h) == 0 {
			return revoked, nil
		}
		ok, err := v.revokeRound(ctx, account, pendingRevocations(h), force)
		revoked = revoked || ok
		if err != nil {
			return revoked, err
		}
	}
	// Still more: let the job's retry go on with them.
	return revoked, fmt.Errorf("revoke %s: tokens still kept after %d rounds", account, revokeRounds)
}

// revokeRounds bounds how often one Revoke reads the kept tokens again.
const revokeRounds = 5

// revokeRound revokes and deletes each of pending, and returns the
// failures (none with force).
func (v *Vault) revokeRound(ctx context.Context, account string, pending []pendingRevocation, force bool) (revoked bool, err error) {
	var failed []error
	for _, p := range pending {
		var ok bool
		again, err := v.grantedAgain(ctx, p.fields)
		if err == nil && again != "" {
			// Revoking would end the new connection as well.
			v.o.Logger.Info("tokens: kept token deleted, not revoked: its user connected again and the platform's revoke would end that grant too",
				"account_id", account, "connected_again", again)
		} else if err == nil {
			ok, err = v.revokeAtPlatform(ctx, account, p.fields)
		}
		revoked = revoked || ok
		if err != nil && !force {
			failed = append(failed, err)
			continue
		}
		args := make([]any, 0, 1+len(p.names))
		args = append(args, tombstoneTTL.Milliseconds())
		for _, n := range p.names {
			args = append(args, n)
		}
		if err2 := finishRevokeScript.Run(context.WithoutCancel(ctx), v.rdb, []string{tokenKey(account), revokeKey(account)}, args...).Err(); err2 != nil {
			return revoked, fmt.Errorf("revoke %s: delete token: %w", account, err2)
		}
		if err != nil {
			v.o.Logger.Warn("tokens: revocation failed; token deleted anyway", "account_id", account, "err", err)
		}
	}
	return revoked, errors.Join(failed...)
}

func (v *Vault) revokeAtPlatform(ctx context.Context, account string, h map[string]string) (bool, error) {
	h["status"] = string(StatusRevoking)
	r, err := decodeRecord(account, h)
	if err != nil {
		return false, err
	}
	plat, ok := v.o.Platforms[r.Platform]
	if !ok || plat.Revoke == nil {
		return false, nil // the platform offers no revocation
	}
	tok, err := r.open(v.keys)
	if err != nil {
		return false, err
	}
	if err := plat.Revoke(ctx, v.o.HTTPClient, tok); err != nil {
		return false, fmt.Errorf("revoke %s at %s: %w", account, r.Platform, err)
	}
	return true, nil
}

// grantedAgain returns an account whose live token the user of the kept
// token h granted on a platform whose revoke ends the user's whole
// authorization of the app (Platform.RevokesAll: Google, TikTok), or ""
// when there is none. A disconnect keeps the token until the revoke job
// runs, which waits for the look-only attempts of the account's posts
// (up to minutes): a user who connects again meanwhile, to this account
// or another, in any tenant, holds a token of the same grant, and the
// revocation would disconnect it. The kept token is then only deleted,
// as a reconnect of the same user deletes the token it replaces
// (replace.go). Users are compared as otherUser does; a token kept
// without its user (by an older release) is revoked as before.
func (v *Vault) grantedAgain(ctx context.Context, h map[string]string) (string, error) {
	plat, ok := v.o.Platforms[h["platform"]]
	if !ok || !plat.RevokesAll || plat.Revoke == nil {
		return "", nil
	}
	kept := &record{Platform: h["platform"], PlatformUserID: h["user"], LoginUserID: h["login"]}
	id := cmp.Or(kept.LoginUserID, kept.PlatformUserID)
	if id == "" {
		return "", nil
	}
	accounts, err := v.AccountsOf(ctx, kept.Platform, id)
	if err != nil {
		return "", err
	}
	for _, acc := range accounts {
		r, err := v.load(ctx, acc)
		if errors.Is(err, errNoRecord) {
			continue
		}
		if err != nil {
			return "", err
		}
		if r.Status == StatusActive && r.Platform == kept.Platform && sameUser(kept, r) {
			return acc, nil
		}
	}
	return "", nil
}

// sameUser reports whether a and b are known to be the same user of
// their platform: by login user id when both have one, else by platform
// user id when neither has a login user id.
func sameUser(a, b *record) bool {
	switch {
	case a.LoginUserID != "" && b.LoginUserID != "":
		return a.LoginUserID == b.LoginUserID
	case a.LoginUserID == "" && b.LoginUserID == "" && a.PlatformUserID != "":
		return a.PlatformUserID == b.PlatformUserID
	}
	return false
}

// Receipt says what Erase deleted.
type Receipt struct {
	AccountID string         `json:"account_id"`
	Revoked   bool           `json:"revoked"`
	Deleted   map[string]int `json:"deleted"`
	At        time.Time      `json:"at"`
}

// Erase forgets account entirely: it disconnects it, revokes its token at
// the platform right away (a failed revocation does not stop the
// erasure), deletes every key of the Vault's and, through
// Options.OnErase, everything else Herald keeps that names the account.
func (v *Vault) Erase(ctx context.Context, account string) (Receipt, error) {
	rc := Receipt{AccountID: account, Deleted: map[string]int{}}
	if err := v.Disconnect(ctx, account); err != nil {
		return rc, err
	}
	rctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	revoked, err := v.Revoke(rctx, account, true)
	cancel()
	if err != nil {
		return rc, fmt.Errorf("erase %s: %w", account, err)
	}
	rc.Revoked = revoked
	n, err := v.rdb.Del(ctx, tokenKey(account), revokeKey(account), lockKey(account)).Result()
	if err != nil {
		return rc, fmt.Errorf("erase %s: %w", account, err)
	}
	rc.Deleted["token_keys"] = int(n)
	if err := v.rdb.SRem(ctx, accountsKey, account).Err(); err != nil {
		return rc, fmt.Errorf("erase %s: %w", account, err)
	}
	pu, err := v.forgetPlatformUsers(ctx, account)
	if err != nil {
		return rc, fmt.Errorf("erase %s: platform-user index: %w", account, err)
	}
	rc.Deleted["platform_user_index"] = pu
	if v.o.OnErase != nil {
		more, err := v.o.OnErase(ctx, account)
		for k, c := range more {
			rc.Deleted[k] += c
		}
		if err != nil {
			return rc, fmt.Errorf("erase %s: %w", account, err)
		}
	}
	rc.At = v.o.Now().UTC()
	return rc, nil
}

// Accounts lists the accounts the Vault holds, a page at a time: start
// with cursor 0 and stop when the returned cursor is 0.
func (v *Vault) Accounts(ctx context.Context, cursor uint64, count int64) (ids []string, next uint64, err error) {
	return v.rdb.SScan(ctx, accountsKey, cursor, "", count).Result()
}
