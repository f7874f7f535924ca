package api

import (
	"errors"
	"fmt"
	"net/http"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers/linkedin"
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
	Organizations []string `json:"organizations"`
}

// Limits on scopes, which the Vault stores in clear.
const (
	maxScopes   = 100
	maxScopeLen = 256
)

// checkOrganizations names what is wrong with req's organizations: only
// a LinkedIn member's account has them (an organization's account posts
// as itself), each is urn:li:organization:<digits>, at most
// tokens.MaxOrganizations (as many as the consent reads), none twice.
func checkOrganizations(req connectRequest) []fieldProblem {
	if len(req.Organizations) == 0 {
		return nil
	}
	switch {
	case req.Platform != "linkedin":
		return []fieldProblem{{"organizations", fmt.Sprintf("only linkedin accounts have organizations, not %s accounts", quoteField(req.Platform))}}
	case linkedin.IsOrganization(req.PlatformUserID):
		return []fieldProblem{{"organizations", "the account is an organization (platform_user_id), which posts as itself: organizations are for a member's account"}}
	case len(req.Organizations) > tokens.MaxOrganizations:
		return []fieldProblem{{"organizations", fmt.Sprintf("%d organizations, at most %d allowed", len(req.Organizations), tokens.MaxOrganizations)}}
	}
	var fields []fieldProblem
	seen := make(map[string]int, len(req.Organizations))
	for i, o := range req.Organizations {
		field := fmt.Sprintf("organizations[%d]", i)
		if !linkedin.IsOrganization(o) {
			fields = append(fields, fieldProblem{field, fmt.Sprintf("%s is not an organization URN, urn:li:organization:<digits>", quoteField(o))})
			continue
		}
		if j, dup := seen[o]; dup {
			fields = append(fields, fieldProblem{field, fmt.Sprintf("%s is organizations[%d] again", o, j)})
			continue
		}
		seen[o] = i
	}
	return fields
}

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
	fields = append(fields, checkOrganizations(req)...)
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

// quoteField quotes a value an app sent for an error message, cut to 80
// bytes so a huge value does not make a huge answer.
func quoteField(v string) string {
	if len(v) > 80 {
		return fmt.Sprintf("%q...", v[:80])
	}
	return fmt.Sprintf("%q", v)
}
