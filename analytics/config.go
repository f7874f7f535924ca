package analytics

import (
	"context"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/tokens"
)

// Config tunes analytics refreshes.
type Config struct {
	// Window: posts published longer ago than this are no longer read
	// (default 30 days).
	Window time.Duration
	// HistoryDays caps the daily history kept per account (default 90).
	HistoryDays int
	// Interval is the sweep's period (default 1h): each sweep spreads the
	// refreshes of all accounts across it.
	Interval time.Duration
	// ReconnectLead: the sweep appends account.reconnect_due this long
	// before a token that cannot be refreshed expires (default 7 days).
	ReconnectLead time.Duration
}

func (c *Config) defaults() {
	if c.Window <= 0 {
		c.Window = 30 * 24 * time.Hour
	}
	if c.HistoryDays <= 0 {
		c.HistoryDays = 90
	}
	if c.Interval <= 0 {
		c.Interval = time.Hour
	}
	if c.ReconnectLead <= 0 {
		c.ReconnectLead = 7 * 24 * time.Hour
	}
}

// Tokens is what refreshes and sweeps ask of the token store;
// *tokens.Vault is it.
type Tokens interface {
	// Credentials returns a token valid now and the account's details
	// (its id at the platform) from one read.
	Credentials(ctx context.Context, accountID, platform string) (*oauth2.Token, tokens.Info, error)
	// Accounts walks the connected accounts and Info reads one.
	Accounts(ctx context.Context, cursor uint64, count int64) (ids []string, next uint64, err error)
	Info(ctx context.Context, accountID string) (tokens.Info, error)
	// ReconnectDue says whether an account's token expires within lead
	// with no way to refresh it.
	ReconnectDue(ctx context.Context, accountID string, lead time.Duration) (due bool, expiry time.Time, err error)
}

// Posts says which of an account's posts went out: the platform ids of
// those published since a time (package jobs keeps the posts).
type Posts interface {
	PublishedSince(ctx context.Context, accountID string, since time.Time) (remoteIDs []string, err error)
}

var _ Tokens = (*tokens.Vault)(nil)
