package tokens_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/heraldtest"
	"github.com/heraldhq/herald/tokens"
)

// A product app hands Herald the token its user granted; Herald keeps it
// sealed, hands it out to the worker, and forgets it on disconnect.
func ExampleVault() {
	ctx := context.Background()
	h, err := heraldtest.New(ctx, heraldtest.NoWorker()) // a private Redis for the example
	if err != nil {
		fmt.Println(err)
		return
	}
	defer h.Close()
	rdb := h.Redis // in production: config.Load() then cfg.Redis.NewClient()

	key, _ := tokens.GenerateKey("2026-12") // in production: HERALD_TOKEN_KEYS
	keys, err := tokens.ParseKeyring(key)
	if err != nil {
		fmt.Println(err)
		return
	}
	vault := tokens.New(rdb, keys, tokens.Options{
		Platforms: map[string]tokens.Platform{"sandbox": {}}, // cmd/herald fills this from the platforms' descriptors
	})

	err = vault.Connect(ctx, tokens.Account{
		ID: "acct-7", Platform: "sandbox", PlatformUserID: "sb-42",
		Token: &oauth2.Token{AccessToken: "granted-by-the-user", TokenType: "Bearer"},
	})
	fmt.Println("connect:", err)

	info, _ := vault.Info(ctx, "acct-7") // what may be shown: never the token
	fmt.Println(info.Platform, info.PlatformUserID, info.Status)

	tok, err := vault.Token(ctx, "acct-7", "sandbox")
	fmt.Println(tok.AccessToken == "granted-by-the-user", err)

	fmt.Println("disconnect:", vault.Disconnect(ctx, "acct-7"))
	_, err = vault.Token(ctx, "acct-7", "sandbox")
	fmt.Println(errors.Is(err, tokens.ErrNotConnected))
	// Output:
	// connect: <nil>
	// sandbox sb-42 active
	// true <nil>
	// disconnect: <nil>
	// true
}

// A token that expires within the skew is refreshed before it is handed
// out, through the platform's Refresh, once however many callers ask.
// A refresh the platform refuses for good marks the account for
// reauthorization.
func ExampleVault_Token() {
	ctx := context.Background()
	h, err := heraldtest.New(ctx, heraldtest.NoWorker())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer h.Close()

	refreshes := 0
	vault := tokens.New(h.Redis, h.Keys, tokens.Options{
		Platforms: map[string]tokens.Platform{"example": {
			// Real platforms call their token endpoint with hc.
			Refresh: func(ctx context.Context, hc *http.Client, old *oauth2.Token) (*oauth2.Token, error) {
				refreshes++
				if refreshes > 1 {
					return nil, &oauth2.RetrieveError{ErrorCode: "invalid_grant"}
				}
				return &oauth2.Token{AccessToken: "renewed", TokenType: "Bearer", Expiry: time.Now().Add(time.Second)}, nil
			},
		}},
	})
	_ = vault.Connect(ctx, tokens.Account{
		ID: "acct-8", Platform: "example", PlatformUserID: "ex-8",
		Token: &oauth2.Token{AccessToken: "about-to-expire", TokenType: "Bearer", Expiry: time.Now().Add(time.Second)},
	})

	tok, err := vault.Token(ctx, "acct-8", "example")
	fmt.Println(tok.AccessToken, err)

	_, err = vault.Token(ctx, "acct-8", "example") // "renewed" expires within the skew too
	fmt.Println(errors.Is(err, tokens.ErrReauthRequired))
	info, _ := vault.Info(ctx, "acct-8")
	fmt.Println(info.Status, refreshes)
	// Output:
	// renewed <nil>
	// true
	// reauth_required 2
}

// Erase is the answer to "delete my data": the tokens are revoked and
// deleted, with every record that names the account.
func ExampleVault_Erase() {
	ctx := context.Background()
	h, err := heraldtest.New(ctx, heraldtest.NoWorker())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer h.Close()
	h.Vault.Connect(ctx, tokens.Account{ // h.Vault is wired to jobs, as in production
		ID: "acct-9", Platform: "sandbox", PlatformUserID: "sb-9",
		Token: &oauth2.Token{AccessToken: "t", TokenType: "Bearer"},
	})

	receipt, err := h.Vault.Erase(ctx, "acct-9")
	fmt.Println(receipt.AccountID, err)
	_, err = h.Vault.Info(ctx, "acct-9")
	fmt.Println(errors.Is(err, tokens.ErrNotConnected))
	// Output:
	// acct-9 <nil>
	// true
}

// After a disconnect the token is unreadable, but the sealed copy kept
// for its revocation still serves the worker's look-only attempts (did
// the platform take a post whose answer was lost?) until the revoke job
// has revoked and deleted it.
func ExampleVault_LookToken() {
	ctx := context.Background()
	h, err := heraldtest.New(ctx, heraldtest.NoWorker())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer h.Close()
	vault := tokens.New(h.Redis, h.Keys, tokens.Options{Platforms: map[string]tokens.Platform{"sandbox": {}}})
	_ = vault.Connect(ctx, tokens.Account{
		ID: "acct-10", Platform: "sandbox", PlatformUserID: "sb-10",
		Token: &oauth2.Token{AccessToken: "granted", TokenType: "Bearer"},
	})
	_ = vault.Disconnect(ctx, "acct-10")

	_, err = vault.Token(ctx, "acct-10", "sandbox")
	fmt.Println("publish:", errors.Is(err, tokens.ErrNotConnected))
	tok, info, err := vault.LookToken(ctx, "acct-10", "sandbox")
	fmt.Println("look:", tok.AccessToken == "granted", info.Status, err)

	_, _ = vault.Revoke(ctx, "acct-10", false) // the account:revoke job
	_, _, err = vault.LookToken(ctx, "acct-10", "sandbox")
	fmt.Println("after the revocation:", errors.Is(err, tokens.ErrNotConnected))
	// Output:
	// publish: true
	// look: true revoking <nil>
	// after the revocation: true
}
