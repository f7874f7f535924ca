package connect

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/tenant"
	"github.com/heraldhq/herald/tokens"
)

// Error codes the app reads in its return URL (error=<code>).
const (
	CodeDenied        = "access_denied"    // the user said no
	CodePlatformError = "platform_error"   // the platform answered an error, or no code
	CodeWrongPlatform = "wrong_platform"   // the callback came for another platform than the consent
	CodeExchange      = "exchange_failed"  // the platform refused the code
	CodeIdentity      = "identity_failed"  // who connected could not be read
	CodeScopeMissing  = "scope_missing"    // nothing asked was granted
	CodeStore         = "store_failed"     // Herald could not store the account
	CodeKeyRevoked    = "api_key_revoked"  // the API key that asked is gone
	codeInternalState = "state_unreadable" // the record could not be opened
)

// denials are the error codes by which the platforms say the user
// declined: RFC 6749 §4.1.2.1's access_denied, and LinkedIn's
// user_cancelled_authorize and user_cancelled_login (Authorization Code
// Flow, "Failed Requests").
var denials = []string{"access_denied", "user_cancelled_authorize", "user_cancelled_login"}

// ServeCallback is GET /v1/oauth/{platform}/callback: the browser back
// from the platform's consent. It needs no API key; the state is its
// credential. Its outcome is a 303 to the return URL, or a small HTML
// page when the state is unknown, used or expired.
func (f *Flow) ServeCallback(w http.ResponseWriter, r *http.Request) {
	platform := r.PathValue("platform")
	q := r.URL.Query()
	ctx := context.WithoutCancel(r.Context()) // a browser that leaves must not stop a store halfway
	p, err := f.consume(ctx, q.Get("state"))
	if err != nil {
		if !errors.Is(err, errUnknownState) {
			f.o.Logger.Error("connect: callback", "platform", platform, "err", err)
			errorPage(w, http.StatusInternalServerError, "Herald could not read this consent. Start again from the app.")
			return
		}
		f.log(platform, "", "unknown_state")
		errorPage(w, http.StatusBadRequest, "This link is unknown, was used already, or has expired. Start again from the app.")
		return
	}
	if !f.o.Now().Before(p.Expires) {
		f.log(platform, p.Account, "expired_state")
		errorPage(w, http.StatusBadRequest, "This link is unknown, was used already, or has expired. Start again from the app.")
		return
	}
	ret, err := f.checkReturnURL(p.ReturnURL)
	if err != nil {
		// The allow-list changed since Start: the URL is no longer trusted.
		f.log(platform, p.Account, "return_url_not_allowed")
		errorPage(w, http.StatusBadRequest, "The app's return address is no longer allowed. Start again from the app.")
		return
	}
	code := f.finish(ctx, platform, p, q)
	f.log(platform, p.Account, orConnected(code))
	status := "connected"
	if code != "" {
		status = "error"
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, withResult(ret, p.Account, status, code), http.StatusSeeOther)
}

// finish completes a consent whose state was good: "" when the account
// is connected, else the error code for the app.
func (f *Flow) finish(ctx context.Context, platform string, p pending, q url.Values) string {
	a := f.auth[p.Platform]
	switch {
	case platform != p.Platform || a == nil:
		return CodeWrongPlatform
	case f.o.KeyValid != nil && !f.o.KeyValid(p.Key):
		return CodeKeyRevoked
	case slices.Contains(denials, q.Get("error")):
		return CodeDenied
	case q.Get("error") != "" || q.Get("code") == "":
		return CodePlatformError
	}
	verifier := ""
	if p.Verifier != "" {
		v, err := f.o.Keys.Open(sealContext(q.Get("state")), p.Verifier)
		if err != nil {
			f.o.Logger.Error("connect: open the verifier", "platform", platform, "err", err)
			return codeInternalState
		}
		verifier = v
	}
	tok, err := f.exchange(ctx, a, p, q.Get("code"), verifier)
	if err != nil {
		f.o.Logger.Warn("connect: code exchange", "platform", platform, "err", redact(err))
		return CodeExchange
	}
	granted, missing := grantedScopes(p.Scopes, tok)
	if len(granted) == 0 && len(p.Scopes) > 0 {
		return CodeScopeMissing
	}
	id, err := a.Identify(ctx, f.o.HTTPClient, tok)
	if err != nil {
		f.o.Logger.Warn("connect: identify", "platform", platform, "err", redact(err))
		return CodeIdentity
	}
	if note := connectNote(missing, id.Note); note != "" {
		ctx = tokens.WithConnectNote(ctx, note)
	}
	// The state binds the consent to its tenant: the account stored is
	// that tenant's, whatever the callback's request says.
	err = f.o.Vault.Connect(ctx, tokens.Account{
		ID: tenant.Qualify(p.Tenant, p.Account), Platform: p.Platform, PlatformUserID: id.PlatformUserID, LoginUserID: id.LoginUserID,
		Scopes: granted, ScopesGranted: true, Organizations: id.Organizations, Token: tok,
	})
	if err != nil {
		f.o.Logger.Error("connect: store the account", "platform", platform, "account", tenant.Qualify(p.Tenant, p.Account), "err", err)
		return CodeStore
	}
	return ""
}

// connectNote is account.connected's reason: the scopes the user did not
// grant, then what the platform's Identify could not read.
func connectNote(missing []string, identity string) string {
	var parts []string
	if len(missing) > 0 {
		parts = append(parts, "scopes not granted: "+strings.Join(missing, " "))
	}
	if identity != "" {
		parts = append(parts, identity)
	}
	return strings.Join(parts, "; ")
}

// exchange trades code for a token, in the platform's dialect.
func (f *Flow) exchange(ctx context.Context, a *publishers.Authorization, p pending, code, verifier string) (*oauth2.Token, error) {
	if a.Exchange != nil {
		return a.Exchange(ctx, f.o.HTTPClient, code, verifier, f.RedirectURI(p.Platform))
	}
	var opts []oauth2.AuthCodeOption
	if verifier != "" {
		opts = append(opts, oauth2.VerifierOption(verifier))
	}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, f.o.HTTPClient)
	return f.config(p.Platform, a, p.Scopes).Exchange(ctx, code, opts...)
}

// redact keeps an exchange error's class and drops its body, which may
// echo what was sent.
func redact(err error) string {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) && re.Response != nil {
		return "token endpoint answered " + re.Response.Status + " " + re.ErrorCode
	}
	return "request failed"
}

func (f *Flow) log(platform, account, outcome string) {
	f.o.Logger.LogAttrs(context.Background(), slog.LevelInfo, "connect callback",
		slog.String("platform", platform), slog.String("account", account), slog.String("outcome", outcome))
}

func orConnected(code string) string {
	if code == "" {
		return "connected"
	}
	return code
}
