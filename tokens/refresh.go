package tokens

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/internal/clock"
	"github.com/heraldhq/herald/internal/randomid"
)

// ErrInvalidGrant is what a Platform.Refresh returns (wrapped) when the
// platform refused the refresh token for good; the standard grant's
// *oauth2.RetrieveError with code invalid_grant means the same.
var ErrInvalidGrant = errors.New("invalid_grant: the platform refused the refresh token")

// refreshLockTTL bounds how long a crashed refresher blocks others.
const refreshLockTTL = 30 * time.Second

// refreshTimeout bounds one refresh, shared by every waiter.
const refreshTimeout = 25 * time.Second

// refresh gets account a new token. Callers in this process share one
// attempt (singleflight); processes share through a Redis lock: the one
// holding it calls the token endpoint, the others wait for the record to
// change. Each caller waits no longer than its own ctx.
func (v *Vault) refresh(ctx context.Context, account, platform string) (*oauth2.Token, error) {
	return v.refreshCoalesced(ctx, account, platform, "")
}

// ForceRefresh refreshes account's token although it has not expired,
// because the platform refused stale (a 401). If the stored token is
// already another one, that one is returned without a refresh: many jobs
// that saw the same 401 make one refresh call.
func (v *Vault) ForceRefresh(ctx context.Context, account, platform string, stale *oauth2.Token) (*oauth2.Token, error) {
	if stale == nil || stale.AccessToken == "" {
		return v.Token(ctx, account, platform)
	}
	return v.refreshCoalesced(ctx, account, platform, stale.AccessToken)
}

func (v *Vault) refreshCoalesced(ctx context.Context, account, platform, staleAT string) (*oauth2.Token, error) {
	key := account
	if staleAT != "" {
		key = "force\x00" + account + "\x00" + staleAT
	}
	leader := false
	ch := v.flight.DoChan(key, func() (any, error) {
		leader = true
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), refreshTimeout)
		defer cancel()
		return v.refreshShared(sctx, account, staleAT)
	})
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case res := <-ch:
		if res.Err != nil {
			return nil, res.Err
		}
		tok := res.Val.(*oauth2.Token)
		if res.Shared && !leader && v.o.OnCoalesced != nil {
			v.o.OnCoalesced(platform)
		}
		// Each caller gets its own copy; the check of platform is per
		// caller.
		if platform != "" {
			if r, err := v.load(ctx, account); err == nil {
				if err := usable(r, platform); err != nil {
					return nil, err
				}
			}
		}
		cp := *tok
		return &cp, nil
	}
}

// needsRefresh reports whether r must be refreshed: it expires within the
// skew, or it still holds the access token the platform refused.
func (v *Vault) needsRefresh(r *record, staleAT string) (bool, *oauth2.Token, error) {
	tok, err := r.open(v.keys)
	if err != nil {
		return false, nil, err
	}
	if !v.fresh(r) || (staleAT != "" && tok.AccessToken == staleAT) {
		return true, tok, nil
	}
	return false, tok, nil
}

func (v *Vault) refreshShared(ctx context.Context, account, staleAT string) (*oauth2.Token, error) {
	wait := 5 * time.Millisecond
	for {
		r, err := v.load(ctx, account)
		if errors.Is(err, errNoRecord) {
			return nil, fmt.Errorf("account %s: %w", account, ErrNotConnected)
		}
		if err != nil {
			return nil, err
		}
		if err := usable(r, ""); err != nil {
			return nil, err
		}
		need, tok, err := v.needsRefresh(r, staleAT)
		if err != nil || !need {
			return tok, err
		}
		owner := randomid.New()
		ok, err := v.rdb.SetNX(ctx, lockKey(account), owner, refreshLockTTL).Result()
		if err != nil {
			return nil, fmt.Errorf("account %s: refresh lock: %w", account, err)
		}
		if ok {
			tok, again, err := v.refreshLocked(ctx, account, staleAT)
			_ = unlockScript.Run(context.WithoutCancel(ctx), v.rdb, []string{lockKey(account)}, owner).Err()
			if !again {
				return tok, err
			}
			continue
		}
		// Another process refreshes: wait, then look again.
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("account %s: waiting for a refresh: %w", account, ctx.Err())
		case <-t.C:
		}
		wait = min(wait*2, 200*time.Millisecond)
	}
}

var unlockScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`)

// storeRefreshedScript writes a refreshed token only if the record is the
// one the refresh started from and still active: a disconnect or a new
// connect in between wins.
var storeRefreshedScript = redis.NewScript(`
if redis.call('HGET', KEYS[1], 'rev') ~= ARGV[1] or redis.call('HGET', KEYS[1], 'status') ~= 'active' then
  return 0
end
redis.call('HSET', KEYS[1], 'rev', ARGV[2], 'kid', ARGV[3], 'sealed', ARGV[4], 'expiry', ARGV[5], 'updated_at', ARGV[6])
redis.call('HINCRBY', KEYS[1], 'version', 1)
return 1
`)

// markReauthScript flags the account, again only for the record the
// refresh started from.
var markReauthScript = redis.NewScript(`
if redis.call('HGET', KEYS[1], 'rev') ~= ARGV[1] or redis.call('HGET', KEYS[1], 'status') ~= 'active' then
  return 0
end
redis.call('HSET', KEYS[1], 'status', 'reauth_required', 'rev', ARGV[2], 'updated_at', ARGV[3])
redis.call('HINCRBY', KEYS[1], 'version', 1)
return 1
`)

// refreshLocked refreshes under the lock. again says the record changed
// under it and the caller should look again.
func (v *Vault) refreshLocked(ctx context.Context, account, staleAT string) (tok *oauth2.Token, again bool, err error) {
	r, err := v.load(ctx, account)
	if err != nil || usable(r, "") != nil {
		return nil, true, nil // changed under us: look again
	}
	need, old, err := v.needsRefresh(r, staleAT)
	if err != nil {
		return nil, false, err
	}
	if !need {
		return nil, true, nil // someone else refreshed first
	}
	plat, ok := v.o.Platforms[r.Platform]
	if !ok || (plat.Refresh == nil && plat.OAuth == nil) {
		return nil, false, fmt.Errorf("account %s: platform %s has no token refresh configured", account, r.Platform)
	}
	if !plat.canRefresh(old) {
		return nil, false, v.markReauth(ctx, r, "token expired and there is no refresh token")
	}
	nt, err := v.callRefresh(ctx, plat, old)
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.Is(err, ErrInvalidGrant) || (errors.As(err, &re) && re.ErrorCode == "invalid_grant") {
			v.heard(r.Platform, "reauth")
			return nil, false, v.markReauth(ctx, r, "the platform refused the refresh token (invalid_grant)")
		}
		v.heard(r.Platform, "error")
		return nil, false, fmt.Errorf("account %s: refresh: %s", account, describeRefreshError(err))
	}
	v.heard(r.Platform, "ok")
	if nt.RefreshToken == "" {
		nt.RefreshToken = old.RefreshToken
	}
	if nt.TokenType == "" {
		nt.TokenType = old.TokenType
	}
	next := *r
	next.seal(v.keys, nt)
	args := []any{r.Rev, randomid.New(), next.KeyID, next.Sealed, msOrEmpty(next.Expiry), msOrEmpty(v.o.Now())}
	// The platform may already have invalidated the old refresh token
	// (rotation): losing this write would strand the account, so it is
	// retried on its own clock, past the caller's.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	var stored int64
	for attempt := 0; ; attempt++ {
		stored, err = storeRefreshedScript.Run(wctx, v.rdb, []string{tokenKey(account)}, args...).Int64()
		if err == nil || attempt == 4 || wctx.Err() != nil {
			break
		}
		if clock.Sleep(wctx, time.Duration(50<<attempt)*time.Millisecond) != nil { // Redis hiccup backoff
			break
		}
	}
	if err != nil {
		v.o.Logger.Error("tokens: refreshed token could not be stored", "account_id", account, "platform", r.Platform, "err", err)
		return nil, false, fmt.Errorf("account %s: store refreshed token: %w", account, err)
	}
	if stored == 0 {
		return nil, true, nil // disconnected or replaced meanwhile
	}
	return nt, false, nil
}

func (v *Vault) heard(platform, outcome string) {
	if v.o.OnRefresh != nil {
		v.o.OnRefresh(platform, outcome)
	}
}

func (v *Vault) callRefresh(ctx context.Context, plat Platform, old *oauth2.Token) (*oauth2.Token, error) {
	if plat.Refresh != nil {
		return plat.Refresh(ctx, v.o.HTTPClient, old)
	}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, v.o.HTTPClient)
	return plat.OAuth.TokenSource(ctx, &oauth2.Token{RefreshToken: old.RefreshToken}).Token()
}

func (v *Vault) markReauth(ctx context.Context, r *record, why string) error {
	if _, err := markReauthScript.Run(ctx, v.rdb, []string{tokenKey(r.Account)}, r.Rev, randomid.New(), msOrEmpty(v.o.Now())).Result(); err != nil {
		return fmt.Errorf("account %s: mark reauth: %w", r.Account, err)
	}
	v.o.Logger.Warn("tokens: account needs reauthorization", "account_id", r.Account, "platform", r.Platform, "why", why)
	if v.o.OnReauth != nil {
		v.o.OnReauth(ctx, r.Account, r.Platform, why)
	}
	return fmt.Errorf("account %s: %s: %w", r.Account, why, ErrReauthRequired)
}

// describeRefreshError says what went wrong without the response body,
// which is the platform's to word and might echo what it was sent.
func describeRefreshError(err error) string {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		code := re.ErrorCode
		if code == "" {
			code = "no error code"
		}
		status := 0
		if re.Response != nil {
			status = re.Response.StatusCode
		}
		return fmt.Sprintf("token endpoint answered HTTP %d (%s)", status, code)
	}
	return err.Error()
}
