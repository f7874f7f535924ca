package jobs

import (
	"context"
	"maps"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/tokens"
)

// VaultHooks returns o with its account hooks wired to c, the one way
// jobs hears of the Vault's accounts:
//
//   - OnConnect appends account.connected (its reason is the
//     tokens.ConnectNote of the context, such as scopes not granted);
//   - OnReauth appends account.reauth_required with the Vault's reason;
//   - OnRevocation enqueues the revocation of the token a reconnect
//     replaced (tokens' replace rules);
//   - OnDisconnect enqueues the revocation of the token, cancels every
//     post of the account that has not gone out (waiting for an attempt
//     already talking to the platform) and appends account.disconnected;
//   - OnErase deletes everything jobs keeps that names the account
//     (records, indexes, analytics, tasks, events) and appends
//     account.erased.
//
// These run only from the Vault, after it made the tokens unreadable, so
// an app cannot cancel or delete an account's posts while its tokens
// stay. A hook already set in o runs first; when its OnDisconnect or
// OnErase fails, jobs' does not run and the Vault reports the error.
func VaultHooks(c *Client, o tokens.Options) tokens.Options {
	onConnect, onReauth, onDisconnect, onErase, onRevocation := o.OnConnect, o.OnReauth, o.OnDisconnect, o.OnErase, o.OnRevocation
	o.OnConnect = func(ctx context.Context, accountID, platform string) {
		if onConnect != nil {
			onConnect(ctx, accountID, platform)
		}
		_ = c.store.appendEvent(ctx, events.Event{Type: events.AccountConnected, AccountID: accountID, Platform: platform, Reason: tokens.ConnectNote(ctx)})
	}
	o.OnReauth = func(ctx context.Context, accountID, platform, reason string) {
		if onReauth != nil {
			onReauth(ctx, accountID, platform, reason)
		}
		_ = c.store.appendEvent(ctx, events.Event{Type: events.AccountReauthRequired, AccountID: accountID, Platform: platform, Reason: reason})
	}
	o.OnRevocation = func(ctx context.Context, accountID, platform string) error {
		if onRevocation != nil {
			if err := onRevocation(ctx, accountID, platform); err != nil {
				return err
			}
		}
		return c.enqueueRevoke(ctx, accountID, platform, 0)
	}
	o.OnDisconnect = func(ctx context.Context, accountID, platform string) error {
		if onDisconnect != nil {
			if err := onDisconnect(ctx, accountID, platform); err != nil {
				return err
			}
		}
		return c.accountDisconnected(ctx, accountID, platform)
	}
	o.OnErase = func(ctx context.Context, accountID string) (map[string]int, error) {
		n := map[string]int{}
		if onErase != nil {
			more, err := onErase(ctx, accountID)
			maps.Copy(n, more)
			if err != nil {
				return n, err
			}
		}
		ours, err := c.forgetAccount(ctx, accountID)
		for k, v := range ours {
			n[k] += v
		}
		if err != nil {
			return n, err
		}
		return n, nil
	}
	return o
}
