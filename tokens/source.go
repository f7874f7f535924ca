package tokens

import (
	"context"
	"errors"

	"golang.org/x/oauth2"
)

// Source hands out fresh tokens per account.
type Source interface {
	// Token returns a token for accountID on platform that is valid now.
	// An account that is not connected (or was disconnected) yields an
	// error wrapping ErrNotConnected.
	Token(ctx context.Context, accountID, platform string) (*oauth2.Token, error)
}

// ErrNotConnected says the account has no usable token: it was never
// connected, was disconnected, or must be connected again.
var ErrNotConnected = errors.New("tokens: account not connected")

// The Vault is Herald's Source (doc.go).
var _ Source = (*Vault)(nil)
