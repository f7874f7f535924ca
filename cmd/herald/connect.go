package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"

	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/config"
	"github.com/heraldhq/herald/connect"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/tokens"
)

// cliKey is the name consents started by `herald accounts connect-url`
// are bound to. API key names cannot contain ':', so no key shares it.
const cliKey = "cli:operator"

// newConnectFlow is the connect flow of `herald api` and of
// `herald accounts connect-url`, or nil when HERALD_PUBLIC_URL is not set
// (the platforms would have nowhere to send the browser back). keyNames
// are the API keys' names: a consent whose key is no longer among them
// (or the CLI's) is refused at the callback.
func newConnectFlow(cfg config.Config, rdb redis.UniversalClient, ps []publishers.Platform, vault *tokens.Vault, keys *tokens.Keyring, keyNames []string, log *slog.Logger) (*connect.Flow, error) {
	if cfg.PublicURL == "" {
		return nil, nil
	}
	return connect.New(connect.Options{
		Redis: rdb, Keys: keys, Vault: vault, Platforms: ps,
		PublicURL: cfg.PublicURL, ReturnURLs: cfg.ConnectReturnURLList(),
		KeyValid: func(name string) bool { return name == cliKey || slices.Contains(keyNames, name) },
		Logger:   log,
	})
}

// runConnectURL: herald accounts connect-url --platform P --account ID
// --return URL [--scopes a,b] [--login-hint H] [--tenant T] prints the
// platform's authorize URL, for an operator or a script to open; the
// consent connects tenant T's account.
func runConnectURL(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flags("accounts connect-url", stderr)
	platform := fs.String("platform", "", "the platform (required)")
	account := fs.String("account", "", "the account id to connect (required)")
	ret := fs.String("return", "", "where the browser goes afterwards; under HERALD_CONNECT_RETURN_URLS (required)")
	scopes := fs.String("scopes", "", "comma-separated scopes instead of the platform's defaults")
	hint := fs.String("login-hint", "", "passed to the platform as login_hint")
	tn := tenantFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("accounts connect-url: unexpected argument %q: %w", fs.Arg(0), errUsage)
	}
	e, done, err := openCLI(stderr, true)
	if err != nil {
		return err
	}
	defer done()
	if err := e.useTenant(*tn); err != nil {
		return err
	}
	keys, err := tokens.ParseKeyring(e.cfg.TokenKeys)
	if err != nil {
		return fmt.Errorf("HERALD_TOKEN_KEYS: %w", err)
	}
	ps, err := platforms(e.cfg, e.rdb, nil)
	if err != nil {
		return err
	}
	flow, err := newConnectFlow(e.cfg, e.rdb, ps, e.vault, keys, nil, newLogger(stderr, e.cfg.LogFormat, e.cfg.LogLevel))
	if err != nil {
		return err
	}
	if flow == nil {
		return errors.New("HERALD_PUBLIC_URL is not set: the platform needs it to send the browser back to Herald")
	}
	var sc []string
	if *scopes != "" {
		sc = strings.Split(*scopes, ",")
	}
	s, err := flow.Start(ctx, connect.Request{Platform: *platform, AccountID: *account, ReturnURL: *ret, Scopes: sc, LoginHint: *hint, Key: cliKey, Tenant: e.tenant})
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, s.AuthorizeURL)
	fmt.Fprintf(stderr, "valid until %s; the platform sends the browser back to %s\n", s.ExpiresAt.Format("15:04:05 MST"), flow.RedirectURI(*platform))
	return nil
}
