package tokens

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/internal/randomid"
)

// Reconnecting an account replaces its token. The token it replaces is
// revoked at its platform (kept aside with the disconnected ones, for
// Revoke; pending.go) when all of these hold:
//
//   - the record held a live token (active): a disconnected account's
//     tokens already wait for their own revocation, and one marked for
//     reauthorization was refused by its platform already;
//   - the platform has a revoke endpoint (Platform.Revoke);
//   - the token differs from the new one, access and refresh token alike:
//     revoking one the new token shares would revoke the new one;
//   - the revocation cannot reach the new token: on a platform whose
//     revoke ends the user's whole authorization of the app
//     (Platform.RevokesAll: Google, TikTok), only when another user
//     granted the new token. A reconnect of the same user there only
//     deletes the old token: revoking it would disconnect the app from
//     the user, new token included. Users are compared by login user id
//     when both tokens have one, else by platform user id; when that
//     cannot be told, nothing is revoked.
//
// Otherwise the old token is deleted with the record, as before.

// replaceAttempts bounds how often replace reads the record again after
// a refresh or a disconnect changed it under its feet.
const replaceAttempts = 5

// replace writes r in place of a's record, keeping the token it replaces
// for revocation when the rules above say so. It returns the platform of
// the kept token, or "" when none was kept.
func (v *Vault) replace(ctx context.Context, a Account, r *record) (kept string, err error) {
	for range replaceAttempts {
		old, err := v.load(ctx, a.ID)
		if err != nil && !errors.Is(err, errNoRecord) {
			return "", err
		}
		expect, keep := "", false
		if old != nil {
			expect, keep = old.Rev, v.mustRevokeReplaced(old, a)
		}
		if v.afterRead != nil {
			v.afterRead()
		}
		args := []any{expect, flag(keep), randomid.New(), msOrEmpty(v.o.Now()), pendingSep}
		args = append(args, r.fields()...)
		res, err := replaceScript.Run(ctx, v.rdb, []string{tokenKey(a.ID), revokeKey(a.ID)}, args...).Int64()
		if err != nil {
			return "", err
		}
		if res < 0 {
			continue // the record changed since it was read: judge again
		}
		if keep {
			return old.Platform, nil
		}
		return "", nil
	}
	return "", fmt.Errorf("the record kept changing (%d attempts)", replaceAttempts)
}

// replaceScript replaces the record whole and bumps its version, only if
// its rev is still ARGV[1] ("" for no record): a refresh that wrote a
// newer token, or a disconnect, since it was read must be judged again.
// With ARGV[2] = "1" the replaced sealed token joins the tokens awaiting
// revocation under id ARGV[3], as disconnectScript keeps one. Returns the
// new version, or -1 when the rev changed.
var replaceScript = redis.NewScript(`
local rev = redis.call('HGET', KEYS[1], 'rev') or ''
if rev ~= ARGV[1] then return -1 end
local version = tonumber(redis.call('HGET', KEYS[1], 'version') or '0') + 1
if ARGV[2] == '1' then
  local h = redis.call('HGETALL', KEYS[1])
  local r = {}
  for i = 1, #h, 2 do r[h[i]] = h[i+1] end
  if r['sealed'] and r['sealed'] ~= '' then
    local p = ARGV[3] .. ARGV[5]
    redis.call('HSET', KEYS[2], p .. 'v', r['v'], p .. 'platform', r['platform'], p .. 'kid', r['kid'],
      p .. 'sealed', r['sealed'], p .. 'expiry', r['expiry'] or '', p .. 'at', ARGV[4],
      p .. 'user', r['platform_user_id'] or '', p .. 'login', r['login_user_id'] or '')
  end
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], unpack(ARGV, 6))
redis.call('HSET', KEYS[1], 'version', version)
return version
`)

// mustRevokeReplaced applies the rules above to the stored record old
// and the account a about to replace it.
func (v *Vault) mustRevokeReplaced(old *record, a Account) bool {
	if old.Status != StatusActive || len(old.Sealed) == 0 {
		return false
	}
	plat, ok := v.o.Platforms[old.Platform]
	if !ok || plat.Revoke == nil {
		return false
	}
	tok, err := old.open(v.keys)
	if err != nil {
		return false // Revoke could not open it either
	}
	if tok.AccessToken == a.Token.AccessToken || (tok.RefreshToken != "" && tok.RefreshToken == a.Token.RefreshToken) {
		return false
	}
	if plat.RevokesAll && old.Platform == a.Platform && !otherUser(old, a) {
		return false
	}
	return true
}

// otherUser reports whether a is known to be another user of the
// platform than old's.
func otherUser(old *record, a Account) bool {
	switch {
	case old.LoginUserID != "" && a.LoginUserID != "":
		return old.LoginUserID != a.LoginUserID
	case old.LoginUserID == "" && a.LoginUserID == "" && old.PlatformUserID != "" && a.PlatformUserID != "":
		return old.PlatformUserID != a.PlatformUserID
	}
	return false
}
