package connect

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/input"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/tenant"
)

// Request is an app's ask to connect an account.
type Request struct {
	Platform string
	// AccountID is the app's id for the account to be.
	AccountID string
	// ReturnURL is where the browser goes once the consent is over.
	ReturnURL string
	// Scopes, if set, replace the platform's default scopes.
	Scopes []string
	// LoginHint, if set, is passed to the platform (login_hint).
	LoginHint string
	// Key is the name of the API key asking.
	Key string
	// Tenant is the tenant the key acts for ("" is tenant.Default): the
	// consent connects that tenant's account AccountID, whichever
	// tenant the key serves when the browser comes back.
	Tenant string
}

// Started is where to send the user, and until when it is valid.
type Started struct {
	AuthorizeURL string    `json:"authorize_url"`
	ExpiresAt    time.Time `json:"expires_at"`
}

// Limits on what an app may ask.
const (
	maxScopes    = 50
	maxLoginHint = 256
)

var scopePattern = regexp.MustCompile(`^[A-Za-z0-9._:/+-]{1,256}$`)

// ErrNotConnectable: the platform is unknown or has no Authorization
// (its accounts are connected by handing Herald tokens).
var ErrNotConnectable = errors.New("platform cannot be connected through Herald")

// Start records a consent and returns the platform's authorize URL.
// Bad input is an *input.FieldError naming the field.
func (f *Flow) Start(ctx context.Context, req Request) (Started, error) {
	a, err := f.check(req)
	if err != nil {
		return Started{}, err
	}
	scopes := req.Scopes
	if len(scopes) == 0 {
		scopes = a.DefaultScopes()
	}
	state := newState()
	now := f.o.Now()
	p := pending{
		Platform: req.Platform, Account: req.AccountID, ReturnURL: req.ReturnURL,
		Key: req.Key, Tenant: req.Tenant, Scopes: scopes, Expires: now.Add(StateTTL),
	}
	opts := []oauth2.AuthCodeOption{}
	if a.PKCE {
		v := oauth2.GenerateVerifier()
		p.Verifier = f.o.Keys.Seal(sealContext(state), v)
		opts = append(opts, oauth2.S256ChallengeOption(v))
	}
	if req.LoginHint != "" {
		opts = append(opts, oauth2.SetAuthURLParam("login_hint", req.LoginHint))
	}
	if sep := a.Separator(); sep != " " {
		opts = append(opts, oauth2.SetAuthURLParam("scope", strings.Join(scopes, sep)))
	}
	for k, v := range a.AuthParams {
		opts = append(opts, oauth2.SetAuthURLParam(k, v))
	}
	if err := f.save(ctx, state, p); err != nil {
		return Started{}, fmt.Errorf("connect: save state: %w", err)
	}
	return Started{AuthorizeURL: authorizeURL(f.config(req.Platform, a, scopes), a, state, opts), ExpiresAt: p.Expires}, nil
}

// authorizeURL is c's authorize URL, with the client id under the name
// the platform reads.
func authorizeURL(c *oauth2.Config, a *publishers.Authorization, state string, opts []oauth2.AuthCodeOption) string {
	s := c.AuthCodeURL(state, opts...)
	if a.ClientIDParam == "" {
		return s
	}
	u, err := url.Parse(s)
	if err != nil {
		return s
	}
	q := u.Query()
	q.Del("client_id")
	q.Set(a.ClientIDParam, a.ClientID)
	u.RawQuery = q.Encode()
	return u.String()
}

// check validates req, returning the platform's Authorization.
func (f *Flow) check(req Request) (*publishers.Authorization, error) {
	var errs []error
	a := f.auth[req.Platform]
	if req.Platform == "" {
		errs = append(errs, &input.FieldError{Field: "platform", Problem: "required"})
	} else if a == nil {
		errs = append(errs, &input.FieldError{Field: "platform", Problem: fmt.Sprintf("%q %s; one of: %s", req.Platform, ErrNotConnectable, strings.Join(f.Platforms(), ", "))})
	}
	if fe := input.CheckID("account_id", req.AccountID); fe != nil {
		errs = append(errs, fe)
	}
	if req.Tenant != "" {
		if err := tenant.Check(req.Tenant); err != nil {
			errs = append(errs, &input.FieldError{Field: "tenant", Problem: err.Error()})
		}
	}
	if _, err := f.checkReturnURL(req.ReturnURL); err != nil {
		errs = append(errs, err)
	}
	if len(req.Scopes) > maxScopes {
		errs = append(errs, &input.FieldError{Field: "scopes", Problem: fmt.Sprintf("%d scopes, at most %d", len(req.Scopes), maxScopes)})
	}
	for i, s := range req.Scopes {
		if !scopePattern.MatchString(s) {
			errs = append(errs, &input.FieldError{Field: fmt.Sprintf("scopes[%d]", i), Problem: "must be 1 to 256 of letters, digits and . _ : / + -"})
		}
	}
	if len(req.LoginHint) > maxLoginHint {
		errs = append(errs, &input.FieldError{Field: "login_hint", Problem: fmt.Sprintf("longer than %d characters", maxLoginHint)})
	}
	return a, errors.Join(errs...)
}

// Platforms names the platforms that can be connected, sorted.
func (f *Flow) Platforms() []string {
	names := make([]string, 0, len(f.auth))
	for n := range f.auth {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// config is platform's x/oauth2 configuration.
func (f *Flow) config(platform string, a *publishers.Authorization, scopes []string) *oauth2.Config {
	c := &oauth2.Config{
		ClientID: a.ClientID, ClientSecret: a.ClientSecret,
		Endpoint:    oauth2.Endpoint{AuthURL: a.AuthURL, TokenURL: a.TokenURL, AuthStyle: a.AuthStyle},
		RedirectURL: f.RedirectURI(platform),
	}
	if a.Separator() == " " {
		c.Scopes = scopes
	}
	return c
}
