package publishers

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"golang.org/x/oauth2"
)

// Platform is everything Herald knows of one platform, in one value: its
// name, its publisher, how its tokens are refreshed and revoked, whose
// disconnect notices name its accounts, its quota and what doctor checks.
// Each platform package builds its own (youtube.Platform, ...); cmd/herald
// lists them once, and the worker's Registry, the Vault's platforms, the
// names a post may give, the API and doctor are all derived from that
// list. Adding a platform is its package plus one line in that list.
type Platform struct {
	// Name is the platform's name in posts, accounts, metrics and logs:
	// 2 to 32 of [a-z0-9], starting with a letter.
	Name string
	// Publisher publishes to the platform. Nil: the platform is known
	// (its accounts can be connected, refreshed and revoked) but this
	// deployment does not publish to it (the sandbox without a URL).
	Publisher Publisher
	// Tokens is how the platform's tokens are renewed and revoked.
	Tokens Tokens
	// Notices is the sender of disconnect notices whose user ids name
	// this platform's accounts: "meta", "google", "tiktok" (package
	// deauth), or "" for none.
	Notices string
	// Quota says in words what caps the platform's posting and when the
	// cap resets, for people (doctor).
	Quota string
	// Doctor is what `herald doctor` checks of the platform.
	Doctor Check
	// Authorization, if set, lets Herald run the platform's consent
	// itself (package connect). Nil: apps hand Herald the tokens.
	Authorization *Authorization
	// CreatorInfo, if set, asks the platform what the account's creator
	// may post now (TikTok's creator_info), so an app can show the
	// creator the choices the platform requires them to make. tok is the
	// account's fresh token; forceRefresh (may be nil) renews it once if
	// the platform rejects it. Errors are classified as a Publisher's
	// are. Nil: the platform has no such thing.
	CreatorInfo func(ctx context.Context, tok *oauth2.Token, forceRefresh func(context.Context) (*oauth2.Token, error)) (CreatorInfo, error)
	// Needs, if set, says which scopes publishing c as the account
	// platformUserID needs, each met by any one of its scopes. The
	// worker checks them against the scopes the platform granted the
	// account (known for accounts connected through Herald) before it
	// calls the Publisher: a post that needs a scope the user did not
	// grant fails as reauth, naming it, instead of reaching the platform.
	// Nil: nothing is checked.
	Needs func(platformUserID string, c Content) []ScopeNeed
}

// CreatorInfo is what a platform says the creator of an account may post
// now, as the platform gives it: the privacy levels to choose from, the
// interactions the creator has turned off, the longest video.
type CreatorInfo struct {
	Username            string
	Nickname            string
	PrivacyLevelOptions []string
	CommentDisabled     bool
	DuetDisabled        bool
	StitchDisabled      bool
	MaxVideoDurationSec int64
}

// Tokens is how one platform's tokens are refreshed and revoked. It has
// the shape of tokens.Platform, which cmd/herald fills from it: the
// publishers never import tokens, so the functions speak x/oauth2 only.
// A refresh the platform refuses for good (dead refresh token) returns an
// *oauth2.RetrieveError whose ErrorCode is "invalid_grant": the Vault
// then marks the account for reauthorization.
type Tokens struct {
	// OAuth refreshes with the standard refresh_token grant (client id
	// and secret, token URL with an explicit AuthStyle). Nil, or Refresh
	// set, means it is not used.
	OAuth *oauth2.Config
	// Refresh, if set, replaces the standard grant, for platforms that
	// speak another dialect (TikTok's client_key, Instagram's
	// ig_refresh_token, LinkedIn's form).
	Refresh func(ctx context.Context, hc *http.Client, tok *oauth2.Token) (*oauth2.Token, error)
	// NeedsRefreshToken says Refresh works only on a token that has a
	// refresh token (LinkedIn's partner apps): one without is used
	// until it expires and then connected again.
	NeedsRefreshToken bool
	// Revoke, if set, revokes a token at the platform. Nil: the platform
	// offers no revoke endpoint; disconnect only deletes the token.
	Revoke func(ctx context.Context, hc *http.Client, tok *oauth2.Token) error
	// Skew, if set, replaces the Vault's refresh skew for this platform
	// (Instagram's 60-day tokens are renewed weeks ahead).
	Skew time.Duration
	// RevokesAll says Revoke ends the user's whole authorization of the
	// app, every token of it, not only the one given (Google's revoke
	// endpoint; TikTok's, which "disconnects your app from the user's
	// TikTok account"). A reconnect of the same user then must not
	// revoke the token it replaces: that would kill the new one too.
	RevokesAll bool
	// Organization, if set, says the platform's member accounts may
	// act for organizations (LinkedIn's company pages), and what is
	// wrong with an id as one (nil: it is one, in the platform's form).
	// The Vault stores organizations
	// only for such a platform, each in that form, and none for an
	// account that is itself an organization.
	Organization func(id string) error
}

// Check is what doctor reports of a platform: whether the deployment has
// what the platform's accounts need, and what they lose without it.
type Check struct {
	// Configured says the settings the platform needs are there.
	Configured bool
	// Settings names them, e.g. "HERALD_GOOGLE_CLIENT_ID and
	// HERALD_GOOGLE_CLIENT_SECRET".
	Settings string
	// Without is what active accounts lose when they are missing.
	// Empty means most accounts need nothing, and Optional says which do
	// (doctor prints it as a note, not a warning).
	Without, Optional string
	// Severe makes active accounts without the settings a problem (doctor
	// fails) rather than a warning.
	Severe bool
	// Review, if set, is what else doctor reports of the platform at now
	// (its clock, injected so tests choose the day): settings that age,
	// such as a pinned API version nearing its sunset.
	Review func(now time.Time) []Finding
}

// Finding is one thing doctor reports of a platform: a warning, or a
// problem that makes doctor fail.
type Finding struct {
	Problem bool
	Message string
}

// Names lists the platforms' names, in the order given.
func Names(ps []Platform) []string {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name
	}
	return names
}

// RegistryOf registers the publisher of every platform in ps that has
// one. It panics on a bad or repeated name, as Register does: both are
// wiring mistakes caught at start.
func RegistryOf(ps []Platform) *Registry {
	r := NewRegistry()
	seen := map[string]bool{}
	for _, p := range ps {
		if seen[p.Name] {
			panic(fmt.Sprintf("publishers: platform %q listed twice", p.Name))
		}
		seen[p.Name] = true
		if p.Publisher != nil {
			r.Register(p.Name, p.Publisher)
			if p.Needs != nil {
				r.needs[p.Name] = p.Needs
			}
		}
	}
	return r
}
