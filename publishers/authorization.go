package publishers

import (
	"context"
	"net/http"

	"golang.org/x/oauth2"
)

// Authorization is how an account of the platform is connected through
// Herald (package connect): where the user consents, where the code is
// exchanged, which scopes are asked by default and how to learn who
// connected. A platform whose Authorization is nil is connected by the
// app handing Herald its tokens (POST /v1/accounts) only.
type Authorization struct {
	// AuthURL is the platform's consent page, TokenURL its code
	// exchange.
	AuthURL, TokenURL string
	// AuthStyle is how the client credentials travel to TokenURL, set
	// explicitly so x/oauth2 never probes.
	AuthStyle oauth2.AuthStyle
	// ClientID and ClientSecret are the app registered at the platform.
	ClientID, ClientSecret string
	// ClientIDParam, if set, names the client id in the authorize URL
	// instead of client_id (TikTok's client_key).
	ClientIDParam string
	// PublishScopes and AnalyticsScopes are the scopes asked when the
	// app names none: what publishing needs, and what analytics adds.
	PublishScopes, AnalyticsScopes []string
	// ScopeSeparator joins scopes in the authorize URL (default " ", RFC
	// 6749 §3.3; TikTok and Instagram use ","). The granted scopes of a
	// token answer are split at spaces and commas alike.
	ScopeSeparator string
	// PKCE says the platform takes an S256 code challenge (RFC 7636).
	PKCE bool
	// AuthParams are added to the authorize URL (Google's
	// access_type=offline, for a refresh token).
	AuthParams map[string]string
	// Exchange, if set, replaces x/oauth2's code exchange, for platforms
	// that speak another dialect (TikTok's client_key, Instagram's
	// short-lived then long-lived token). verifier is "" without PKCE.
	Exchange func(ctx context.Context, hc *http.Client, code, verifier, redirectURI string) (*oauth2.Token, error)
	// Identify reads who connected with tok.
	Identify func(ctx context.Context, hc *http.Client, tok *oauth2.Token) (Identity, error)
}

// Identity is who granted a token.
type Identity struct {
	// PlatformUserID is the account's id at the platform (the channel,
	// the IG user, the open_id, the member).
	PlatformUserID string
	// LoginUserID is the id the platform's login and its disconnect
	// notices know the person by, where it differs (Google's sub).
	LoginUserID string
	// Organizations are the organizations (pages) the user may publish
	// as, where the platform has them and the grant lets Herald read
	// them: LinkedIn's organizations the member administers. A post
	// names one in its options to be authored by it.
	Organizations []string
	// Note, if set, says in words what could not be read (the
	// organizations, when the platform refused to list them); the
	// account is connected all the same, and account.connected carries
	// the note. Never a secret.
	Note string
}

// DefaultScopes are the scopes asked when the app names none: publishing
// and analytics.
func (a *Authorization) DefaultScopes() []string {
	return append(append([]string(nil), a.PublishScopes...), a.AnalyticsScopes...)
}

// Separator is ScopeSeparator or its default, " ".
func (a *Authorization) Separator() string {
	if a.ScopeSeparator == "" {
		return " "
	}
	return a.ScopeSeparator
}
