package api

import (
	"errors"
	"fmt"
	"net/http"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/tokens"
)

// connectRequest is POST /v1/accounts' body. Token fields are
// tokens.Secret, so nothing that prints the request can show them.
type connectRequest struct {
	AccountID      string        `json:"account_id"`
	Platform       string        `json:"platform"`
	PlatformUserID string        `json:"platform_user_id"`
	LoginUserID    string        `json:"login_user_id"`
	Scopes         []string      `json:"scopes"`
	AccessToken    tokens.Secret `json:"access_token"`
	RefreshToken   tokens.Secret `json:"refresh_token"`
	TokenType      string        `json:"token_type"`
	Expiry         string        `json:"expiry"`
	// Organizations, for a LinkedIn member's account, are the
	// organizations (company pages) the member administers, which its
	// posts may be authored as (option author): what Herald's own consent
	// reads from LinkedIn and stores, for apps that hold their own tokens.
	// The Vault checks them (tokens.Platform.Organization).
	Organizations []string `json:"organizations"`
}

// Limits on scopes, which the Vault stores in clear.
const (
	maxScopes   = 100
	maxScopeLen = 256
)

// connectAccount stores an account's tokens, replacing earlier ones: 201
// when the account is new, 200 when it replaced one. The answer is the
// account's info, never a token.
func (a *API) connectAccount(w http.ResponseWriter, r *http.Request) error {
	var req connectRequest
	if p := decodeJSON(w, r, a.o.MaxBodyBytes, &req); p != nil {
		return p
	}
	var fields []fieldProblem
	expiry, fp := parseTime("expiry", req.Expiry)
	if fp != nil {
		fields = append(fields, *fp)
	}
	if len(req.Scopes) > maxScopes {
		fields = append(fields, fieldProblem{"scopes", fmt.Sprintf("%d scopes, at most %d allowed", len(req.Scopes), maxScopes)})
	}
	for i, s := range req.Scopes {
		if s == "" || len(s) > maxScopeLen {
			fields = append(fields, fieldProblem{fmt.Sprintf("scopes[%d]", i), fmt.Sprintf("must be 1 to %d characters", maxScopeLen)})
		}
	}
	stored, p := a.account(r, "account_id", req.AccountID)
	if p != nil {
		fields = append(fields, p.fields...)
	}
	acct := tokens.Account{
		ID: stored, Platform: req.Platform, PlatformUserID: req.PlatformUserID, LoginUserID: req.LoginUserID, Scopes: req.Scopes,
		Organizations: req.Organizations,
		Token: &oauth2.Token{
			AccessToken:  req.AccessToken.Reveal(),
			RefreshToken: req.RefreshToken.Reveal(),
			TokenType:    req.TokenType,
			Expiry:       expiry,
		},
	}
	if len(fields) > 0 {
		return invalid(fields...)
	}
	ctx, cancel := detach(r)
	defer cancel()
	// Whether the account existed decides only between 201 and 200; two
	// concurrent connects of a new account may both say 201.
	_, err := a.o.Vault.Info(ctx, stored)
	existed := err == nil
	if err := a.o.Vault.Connect(ctx, acct); err != nil {
		return err
	}
	info, err := a.o.Vault.Info(ctx, stored)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if !existed {
		status = http.StatusCreated
		w.Header().Set("Location", "/v1/accounts/"+req.AccountID)
	}
	writeJSON(w, status, appInfo(info))
	return nil
}

// accountInfo reads the account of r's {id} in r's tenant, or says it is
// unknown (another tenant's account of that id is as unknown as a
// missing one: its stored id is another). info carries the app's id;
// stored is the Vault's.
func (a *API) accountInfo(r *http.Request) (info tokens.Info, stored string, err error) {
	id := r.PathValue("id")
	stored, p := a.account(r, "account_id", id)
	if p != nil {
		return tokens.Info{}, "", p
	}
	info, err = a.o.Vault.Info(r.Context(), stored)
	if errors.Is(err, tokens.ErrNotConnected) {
		return info, stored, newProblem(http.StatusNotFound, codeNotFound, fmt.Sprintf("no account %s: connect it with POST /v1/accounts", id))
	}
	return appInfo(info), stored, err
}

func (a *API) getAccount(w http.ResponseWriter, r *http.Request) error {
	info, _, err := a.accountInfo(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, info)
	return nil
}

// disconnectAccount makes the account's token unreadable, cancels its
// posts and has the token revoked. Disconnecting again is harmless and
// answers the same.
func (a *API) disconnectAccount(w http.ResponseWriter, r *http.Request) error {
	_, stored, err := a.accountInfo(r)
	if err != nil {
		return err
	}
	ctx, cancel := detach(r)
	defer cancel()
	if err := a.o.Vault.Disconnect(ctx, stored); err != nil {
		return err
	}
	info, err := a.o.Vault.Info(ctx, stored)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, appInfo(info))
	return nil
}

// eraseAccount forgets everything about the account and answers the
// receipt. It also runs for an account the Vault does not know: posts
// may name an account that was never connected, and erasing is
// idempotent.
func (a *API) eraseAccount(w http.ResponseWriter, r *http.Request) error {
	stored, p := a.account(r, "account_id", r.PathValue("id"))
	if p != nil {
		return p
	}
	ctx, cancel := detach(r)
	defer cancel()
	rc, err := a.o.Vault.Erase(ctx, stored)
	if err != nil {
		return err
	}
	rc.AccountID = appID(rc.AccountID)
	writeJSON(w, http.StatusOK, rc)
	return nil
}
