package jobs

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/tokens"
)

// Tokens is everything the worker asks of the token store; *tokens.Vault
// is it. Each method is used: a store that lacked one would silently
// lose what it does (force-refresh after a 401, the platform's user id
// Instagram publishes under), so the worker asks for all of them here
// instead of discovering them at run time.
type Tokens interface {
	// Credentials returns a token valid now and the account's details
	// (its id at the platform) from one read.
	Credentials(ctx context.Context, accountID, platform string) (*oauth2.Token, tokens.Info, error)
	// QueueCredentials queues that read in the caller's pipeline: the
	// publish handler reads the token in the round trip that begins the
	// attempt.
	QueueCredentials(ctx context.Context, pipe redis.Pipeliner, accountID string) *tokens.PendingCredentials
	// ForceRefresh replaces a token the platform refused although it had
	// not expired.
	ForceRefresh(ctx context.Context, accountID, platform string, stale *oauth2.Token) (*oauth2.Token, error)
	// Revoke revokes a disconnected account's token at its platform
	// (account:revoke tasks); force deletes it even when the platform
	// keeps failing.
	Revoke(ctx context.Context, accountID string, force bool) (revoked bool, err error)
	// Accounts walks the connected accounts and Info reads one (the
	// analytics sweep).
	Accounts(ctx context.Context, cursor uint64, count int64) (ids []string, next uint64, err error)
	Info(ctx context.Context, accountID string) (tokens.Info, error)
	// ReconnectDue says whether an account's token expires within lead
	// with no way to refresh it (the sweep warns the app).
	ReconnectDue(ctx context.Context, accountID string, lead time.Duration) (due bool, expiry time.Time, err error)
}

var _ Tokens = (*tokens.Vault)(nil)
