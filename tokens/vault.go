package tokens

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/oauth2"
	"golang.org/x/sync/singleflight"

	"github.com/heraldhq/herald/input"
	"github.com/heraldhq/herald/internal/randomid"
	"github.com/heraldhq/herald/tenant"
)

// Platform is how the Vault refreshes and revokes one platform's tokens.
type Platform struct {
	// OAuth refreshes tokens (client id and secret, token URL with an
	// explicit AuthStyle). Nil, or Refresh set, means it is not used.
	OAuth *oauth2.Config
	// Refresh, if set, replaces the standard refresh_token grant, for
	// platforms that speak another dialect (TikTok's client_key,
	// Instagram's ig_refresh_token).
	Refresh func(ctx context.Context, hc *http.Client, tok *oauth2.Token) (*oauth2.Token, error)
	// NeedsRefreshToken says Refresh works only on a token that has a
	// refresh token (LinkedIn, which grants them to partner apps only):
	// a token without one is not refreshed but reconnected
	// (ReconnectDue). Without it, Refresh renews with the access token
	// itself (Instagram).
	NeedsRefreshToken bool
	// Revoke, if set, revokes a token at the platform. Nil: the platform
	// offers no revoke endpoint; disconnect only deletes.
	Revoke func(ctx context.Context, hc *http.Client, tok *oauth2.Token) error
	// Skew, if set, replaces Options.Skew for this platform: long-lived
	// tokens (Instagram's 60 days) are refreshed weeks ahead.
	Skew time.Duration
	// RevokesAll says Revoke ends every token the user granted the app,
	// not only the one given (Google, TikTok): Connect then never revokes
	// a token it replaces for the same user (replace.go).
	RevokesAll bool
	// Organization, if set, says the platform's member accounts may act
	// for organizations (LinkedIn's company pages), and what is wrong
	// with an id as one (nil: it is one, in the platform's form): Connect stores Account.Organizations
	// only for such a platform, each in that form, none twice, and none
	// for an account that is itself an organization.
	Organization func(id string) error
}

// canRefresh reports whether the Vault can renew t on its own: p
// refreshes with the access token itself, or p has OAuth or a Refresh
// that needs a refresh token and t has one. ReconnectDue and the refresh
// itself must agree on it.
func (p Platform) canRefresh(t *oauth2.Token) bool {
	if p.Refresh != nil && !p.NeedsRefreshToken {
		return true
	}
	return (p.Refresh != nil || p.OAuth != nil) && t.RefreshToken != ""
}

// Options configure a Vault.
type Options struct {
	// Platforms by name: cmd/herald derives them from the platforms'
	// descriptors (publishers.Platform.Tokens). Connect refuses an
	// account of a platform missing here.
	Platforms map[string]Platform
	// Skew: a token that expires within Skew is refreshed before use
	// (default 2 minutes).
	Skew time.Duration
	// HTTPClient talks to token and revoke endpoints (default: 20s
	// timeout).
	HTTPClient *http.Client
	// Now is the clock (default time.Now).
	Now    func() time.Time
	Logger *slog.Logger
	// OnConnect, if set, hears of every account Connect stored (jobs
	// appends the account.connected event).
	OnConnect func(ctx context.Context, accountID, platform string)
	// OnReauth, if set, hears of an account whose token can no longer be
	// renewed (the platform refused the refresh token, or an expired
	// token has none), and why, for people.
	OnReauth func(ctx context.Context, accountID, platform, reason string)
	// OnDisconnect, if set, runs after Disconnect made the token
	// unreadable: jobs wires it to enqueue the revoke job and cancel the
	// account's posts. Its error is returned by Disconnect.
	OnDisconnect func(ctx context.Context, accountID, platform string) error
	// OnRevocation, if set, runs when Connect replaced a token that must
	// be revoked and kept it aside for Revoke (replace.go): jobs wires
	// it to enqueue the revoke job. Its error is logged: the account is
	// connected, and the kept token waits for the next Revoke.
	OnRevocation func(ctx context.Context, accountID, platform string) error
	// OnRefresh, if set, hears every call to a token endpoint and its
	// outcome: ok, reauth or error (metrics).
	OnRefresh func(platform, outcome string)
	// OnCoalesced, if set, hears of a caller that got a token another
	// caller's refresh fetched (metrics).
	OnCoalesced func(platform string)
	// OnErase, if set, deletes what other packages keep about the account
	// (posts, analytics, tasks, events) and says how much.
	OnErase func(ctx context.Context, accountID string) (map[string]int, error)
}

// Vault stores accounts' OAuth tokens encrypted in Redis and hands out
// fresh ones. It is safe for concurrent use, and several processes may
// share one Redis: refreshes of one account are coalesced across all of
// them.
type Vault struct {
	rdb    redis.UniversalClient
	keys   *Keyring
	o      Options
	flight singleflight.Group
	// afterRead, in tests only, runs in replace between its read of the
	// record and its write, to hold that window open.
	afterRead func()
}

// New returns a Vault over rdb sealing with keys.
func New(rdb redis.UniversalClient, keys *Keyring, o Options) *Vault {
	if o.Skew <= 0 {
		o.Skew = 2 * time.Minute
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 20 * time.Second}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &Vault{rdb: rdb, keys: keys, o: o}
}

// Account is a connected account as the product app hands it over.
type Account struct {
	// ID is the stored id: tenant.Qualify of the tenant and the app's id.
	ID       string
	Platform string
	// PlatformUserID is the account's id at the platform.
	PlatformUserID string
	// LoginUserID, if set, is the id under which the platform's login
	// knows the person who granted the token, where it is not
	// PlatformUserID: the app-scoped Facebook user id of an Instagram
	// account connected through Facebook Login, the Google account id
	// (sub) of a YouTube channel. It is kept only in the platform-user
	// index (AccountsOf), which the platforms' disconnect notices use.
	LoginUserID string
	Scopes      []string
	// ScopesGranted says Scopes are what the platform granted, read
	// from its token answer (package connect), not what an app says:
	// the worker then refuses, before calling the platform, a post that
	// needs a scope outside them (publishers.Platform.Needs).
	ScopesGranted bool
	// Organizations are the organizations the user may publish as
	// (publishers.Identity.Organizations), read at connect.
	Organizations []string
	Token         *oauth2.Token
}

// Info is what may be shown about an account: never a token.
type Info struct {
	ID             string   `json:"account_id"`
	Platform       string   `json:"platform"`
	PlatformUserID string   `json:"platform_user_id,omitempty"`
	Status         Status   `json:"status"`
	Scopes         []string `json:"scopes,omitempty"`
	// ScopesGranted: Scopes are the platform's grant (Account).
	ScopesGranted bool `json:"-"`
	// Organizations the user may publish as (Account).
	Organizations []string  `json:"organizations,omitempty"`
	Expiry        time.Time `json:"expiry,omitzero"`
	UpdatedAt     time.Time `json:"updated_at,omitzero"`
}

// MaxOrganizations bounds Account.Organizations.
const MaxOrganizations = 1000

// Errors of the Vault. Test with errors.Is.
var (
	// ErrReauthRequired: the token can no longer be renewed (the platform
	// refused the refresh token, or it expired and has none); the user
	// must connect the account again. It wraps ErrNotConnected.
	ErrReauthRequired = fmt.Errorf("reauthorization required: %w", ErrNotConnected)
	// ErrDisconnected: the account was disconnected (Disconnect, a
	// platform's notice); a post of it is canceled, not failed. It wraps
	// ErrNotConnected.
	ErrDisconnected = fmt.Errorf("account disconnected: %w", ErrNotConnected)
	// ErrInvalid: Connect, Disconnect or AccountsOf was given a bad
	// account; the error is a FieldError naming the field. It is
	// input.ErrInvalid, as jobs.ErrInvalid is.
	ErrInvalid = input.ErrInvalid
)

// FieldError names a bad field of an Account. It is input.FieldError,
// the one type jobs, tokens and the API report bad input with.
type FieldError = input.FieldError

func (a Account) validate(known map[string]Platform, now time.Time) error {
	var errs []error
	if fe := tenant.CheckStored("account_id", a.ID); fe != nil {
		errs = append(errs, fe)
	}
	if _, ok := known[a.Platform]; !ok {
		errs = append(errs, &FieldError{Field: "platform", Problem: fmt.Sprintf("%q is not a configured platform", a.Platform)})
	}
	if len(a.PlatformUserID) > MaxPlatformUserID {
		errs = append(errs, &FieldError{Field: "platform_user_id", Problem: "longer than 256 characters"})
	}
	if len(a.LoginUserID) > MaxPlatformUserID {
		errs = append(errs, &FieldError{Field: "login_user_id", Problem: "longer than 256 characters"})
	}
	errs = append(errs, checkOrganizations(a, known)...)
	switch {
	case a.Token == nil || a.Token.AccessToken == "":
		errs = append(errs, &FieldError{Field: "access_token", Problem: "required"})
	case len(a.Token.AccessToken) > 8192 || len(a.Token.RefreshToken) > 8192:
		errs = append(errs, &FieldError{Field: "access_token", Problem: "token longer than 8192 bytes"})
	case a.Token.Expiry.IsZero() && a.Token.RefreshToken == "":
		// A token without expiry is taken as valid until refused; fine.
	case !a.Token.Expiry.IsZero() && a.Token.Expiry.Before(now.Add(-24*time.Hour)) && a.Token.RefreshToken == "":
		errs = append(errs, &FieldError{Field: "expiry", Problem: "expired, and no refresh token to renew it"})
	case !a.Token.Expiry.IsZero() && a.Token.Expiry.After(now.AddDate(2, 0, 0)):
		errs = append(errs, &FieldError{Field: "expiry", Problem: "more than two years ahead: not a real expiry"})
	}
	return errors.Join(errs...)
}

// Connect stores a's token, replacing any earlier one of the account
// (also one that was disconnected or needed reauthorization).
func (v *Vault) Connect(ctx context.Context, a Account) error {
	if err := a.validate(v.o.Platforms, v.o.Now()); err != nil {
		return err
	}
	r := &record{
		Account: a.ID, Platform: a.Platform, PlatformUserID: a.PlatformUserID, LoginUserID: a.LoginUserID,
		Scopes: a.Scopes, ScopesGranted: a.ScopesGranted, Organizations: a.Organizations,
		Rev: randomid.New(), Status: StatusActive, UpdatedAt: v.o.Now(),
	}
	r.seal(v.keys, a.Token)
	// Index first: an index entry without a record is skipped; a record
	// missing from the index would escape rotation.
	if err := v.rdb.SAdd(ctx, accountsKey, a.ID).Err(); err != nil {
		return fmt.Errorf("connect %s: %w", a.ID, err)
	}
	stale, err := v.indexPlatformUsers(ctx, a)
	if err != nil {
		return fmt.Errorf("connect %s: index platform user: %w", a.ID, err)
	}
	kept, err := v.replace(ctx, a, r)
	if err != nil {
		return fmt.Errorf("connect %s: %w", a.ID, err)
	}
	if err := v.unindex(ctx, a.ID, stale); err != nil {
		return fmt.Errorf("connect %s: drop the earlier platform user: %w", a.ID, err)
	}
	if v.o.OnConnect != nil {
		v.o.OnConnect(ctx, a.ID, a.Platform)
	}
	if kept != "" && v.o.OnRevocation != nil {
		if err := v.o.OnRevocation(ctx, a.ID, kept); err != nil {
			v.o.Logger.Error("tokens: the replaced token waits for the next revocation", "account_id", a.ID, "err", err)
		}
	}
	return nil
}

// load reads account's record.
func (v *Vault) load(ctx context.Context, account string) (*record, error) {
	h, err := v.rdb.HGetAll(ctx, tokenKey(account)).Result()
	if err != nil {
		return nil, fmt.Errorf("account %s: %w", account, err)
	}
	return decodeRecord(account, h)
}

// Info returns what may be shown about account.
func (v *Vault) Info(ctx context.Context, account string) (Info, error) {
	r, err := v.load(ctx, account)
	if errors.Is(err, errNoRecord) {
		return Info{}, fmt.Errorf("account %s: %w", account, ErrNotConnected)
	}
	if err != nil {
		return Info{}, err
	}
	return r.info(), nil
}

func (r *record) info() Info {
	return Info{ID: r.Account, Platform: r.Platform, PlatformUserID: r.PlatformUserID, Status: r.Status,
		Scopes: r.Scopes, ScopesGranted: r.ScopesGranted, Organizations: r.Organizations, Expiry: r.Expiry, UpdatedAt: r.UpdatedAt}
}

// Token returns a token for account that is valid for at least the skew,
// refreshing it first if needed. It implements Source; platform, when
// not empty, must match the account's.
func (v *Vault) Token(ctx context.Context, account, platform string) (*oauth2.Token, error) {
	tok, _, err := v.Credentials(ctx, account, platform)
	return tok, err
}

// Credentials is Token plus what may be shown of the account (its id at
// the platform, above all), from the same read of the record.
func (v *Vault) Credentials(ctx context.Context, account, platform string) (*oauth2.Token, Info, error) {
	r, err := v.load(ctx, account)
	return v.credentialsOf(ctx, account, platform, r, err)
}

// credentialsOf is Credentials once the record is read.
func (v *Vault) credentialsOf(ctx context.Context, account, platform string, r *record, err error) (*oauth2.Token, Info, error) {
	if err != nil {
		if errors.Is(err, errNoRecord) {
			return nil, Info{}, fmt.Errorf("account %s: %w", account, ErrNotConnected)
		}
		return nil, Info{}, err
	}
	if err := usable(r, platform); err != nil {
		return nil, Info{}, err
	}
	info := r.info()
	if v.fresh(r) {
		tok, err := r.open(v.keys)
		return tok, info, err
	}
	tok, err := v.refresh(ctx, account, platform)
	return tok, info, err
}

// usable checks that r may serve a publish job.
func usable(r *record, platform string) error {
	switch {
	case r.Status == StatusReauthRequired:
		return fmt.Errorf("account %s: %w", r.Account, ErrReauthRequired)
	case r.Status == StatusRevoking || r.Status == StatusDisconnected:
		return fmt.Errorf("account %s (%s): %w", r.Account, r.Status, ErrDisconnected)
	case r.Status != StatusActive:
		return fmt.Errorf("account %s (%s): %w", r.Account, r.Status, ErrNotConnected)
	case platform != "" && platform != r.Platform:
		return fmt.Errorf("account %s is a %s account, not %s: %w", r.Account, r.Platform, platform, ErrNotConnected)
	}
	return nil
}

// fresh reports whether r's token is valid beyond the skew.
func (v *Vault) fresh(r *record) bool {
	skew := v.o.Skew
	if p, ok := v.o.Platforms[r.Platform]; ok && p.Skew > 0 {
		skew = p.Skew
	}
	return r.Expiry.IsZero() || r.Expiry.After(v.o.Now().Add(skew))
}
