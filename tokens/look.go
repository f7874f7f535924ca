package tokens

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"
	"golang.org/x/oauth2"
)

// A look after a disconnect. A post whose outcome at the platform is
// unknown when its account is disconnected (an attempt's answer was
// lost) is canceled only once an attempt has looked whether the platform
// has it: the app must hear published if it does. That look needs the
// account's token, which Disconnect has just made unreadable. So the
// sealed token Disconnect keeps for its revocation (pending.go) serves,
// until the account:revoke job has revoked and deleted it, one more use:
// the look-only attempts (publishers.Request.ResolveOnly) of the
// account's canceled posts, which never send anything. It is never
// refreshed (a refresh would mint a token the revocation does not know
// of) and never written back; publishing, analytics and refreshes keep
// failing from the moment of the disconnect. The revoke job waits for
// those posts to settle, bounded (jobs.WorkerConfig.LookWindow), so the
// token is deleted as soon as the looks are done.

// LookToken returns the newest token that Disconnect kept for the
// revocation of account's platform token, with what may be shown of the
// account, for a look-only attempt at one of its canceled posts and for
// nothing else. It fails with ErrNotConnected when the account is not
// disconnected with a token awaiting revocation (active, reauth_required,
// or revoked already), when the kept token is of another platform, or
// when it has expired.
func (v *Vault) LookToken(ctx context.Context, account, platform string) (*oauth2.Token, Info, error) {
	var tomb, kept *redis.MapStringStringCmd
	if _, err := v.rdb.Pipelined(ctx, func(pipe redis.Pipeliner) error {
		tomb = pipe.HGetAll(ctx, tokenKey(account))
		kept = pipe.HGetAll(ctx, revokeKey(account))
		return nil
	}); err != nil {
		return nil, Info{}, fmt.Errorf("account %s: %w", account, err)
	}
	r, err := decodeRecord(account, tomb.Val())
	switch {
	case errors.Is(err, errNoRecord):
		return nil, Info{}, fmt.Errorf("account %s: %w", account, ErrNotConnected)
	case err != nil:
		return nil, Info{}, err
	case r.Status != StatusRevoking:
		return nil, Info{}, fmt.Errorf("account %s (%s): no disconnected token kept for a look: %w", account, r.Status, ErrNotConnected)
	}
	pending := pendingRevocations(kept.Val())
	for i := len(pending) - 1; i >= 0; i-- {
		p := pending[i]
		if p.fields["platform"] != platform {
			continue
		}
		fields := make(map[string]string, len(p.fields)+1)
		for k, val := range p.fields {
			fields[k] = val
		}
		fields["status"] = string(StatusRevoking)
		k, err := decodeRecord(account, fields)
		if err != nil {
			return nil, Info{}, err
		}
		if !k.Expiry.IsZero() && !k.Expiry.After(v.o.Now()) {
			return nil, Info{}, fmt.Errorf("account %s: the token kept since the disconnect has expired: %w", account, ErrNotConnected)
		}
		tok, err := k.open(v.keys)
		if err != nil {
			return nil, Info{}, err
		}
		return tok, r.info(), nil
	}
	return nil, Info{}, fmt.Errorf("account %s: no %s token kept since the disconnect: %w", account, platform, ErrNotConnected)
}
