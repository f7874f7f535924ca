package jobs

import (
	"context"

	"github.com/redis/go-redis/v9"
	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/analytics"
	"github.com/heraldhq/herald/tokens"
)

// Tokens is everything the worker asks of the token store; *tokens.Vault
// is it. Each method is used: a store that lacked one would silently
// lose what it does (force-refresh after a 401, the platform's user id
// Instagram publishes under), so the worker asks for all of them here
// instead of discovering them at run time.
type Tokens interface {
	// What the analytics handlers need: Credentials (a token valid now
	// and the account's id at the platform, from one read), Accounts and
	// Info (the sweep's walk) and ReconnectDue. The publish handler uses
	// Credentials too.
	analytics.Tokens
	// QueueCredentials queues Credentials' read in the caller's
	// pipeline: the publish handler reads the token in the round trip
	// that begins the attempt.
	QueueCredentials(ctx context.Context, pipe redis.Pipeliner, accountID string) *tokens.PendingCredentials
	// ForceRefresh replaces a token the platform refused although it had
	// not expired.
	ForceRefresh(ctx context.Context, accountID, platform string, stale *oauth2.Token) (*oauth2.Token, error)
	// Revoke revokes a disconnected account's token at its platform
	// (account:revoke tasks); force deletes it even when the platform
	// keeps failing.
	Revoke(ctx context.Context, accountID string, force bool) (revoked bool, err error)
	// LookToken gives a disconnected account's token, kept for its
	// revocation, to a look-only attempt (publishers.Request.ResolveOnly)
	// at one of its canceled posts whose outcome is unknown, and to
	// nothing else (tokens/look.go).
	LookToken(ctx context.Context, accountID, platform string) (*oauth2.Token, tokens.Info, error)
}

var _ Tokens = (*tokens.Vault)(nil)
