package connect

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/tokens"
)

// StateTTL is how long a consent may take, from Start to the callback.
const StateTTL = 10 * time.Minute

// CallbackPath is the path of platform's callback under the public URL:
// PublicURL + CallbackPath(p) is the redirect URI registered at p.
func CallbackPath(platform string) string { return "/v1/oauth/" + platform + "/callback" }

// Options is what a Flow needs. Redis, Keys, Vault and PublicURL are
// required.
type Options struct {
	Redis redis.UniversalClient
	// Keys seal the PKCE verifier in the state record.
	Keys *tokens.Keyring
	// Vault stores the connected accounts.
	Vault *tokens.Vault
	// Platforms are the platforms Herald knows; those with an
	// Authorization can be connected.
	Platforms []publishers.Platform
	// PublicURL is where browsers reach Herald's API (HERALD_PUBLIC_URL).
	PublicURL string
	// ReturnURLs are the allowed return URL prefixes
	// (HERALD_CONNECT_RETURN_URLS).
	ReturnURLs []string
	// KeyValid, if set, says whether the API key that started a consent
	// is still configured; a callback whose key is gone is refused.
	KeyValid func(name string) bool
	// HTTPClient talks to the platforms (default a 20s timeout).
	HTTPClient *http.Client
	Now        func() time.Time
	Logger     *slog.Logger
}

// Flow is Herald's side of the platforms' OAuth consent.
type Flow struct {
	o       Options
	auth    map[string]*publishers.Authorization
	returns []allowed
}

// New checks o and returns its Flow.
func New(o Options) (*Flow, error) {
	switch {
	case o.Redis == nil || o.Keys == nil || o.Vault == nil:
		return nil, errors.New("connect: Options.Redis, Keys and Vault are required")
	case o.PublicURL == "":
		return nil, errors.New("connect: HERALD_PUBLIC_URL is not set: the platforms need it to send the user back to Herald")
	}
	if _, err := url.ParseRequestURI(o.PublicURL); err != nil {
		return nil, fmt.Errorf("connect: HERALD_PUBLIC_URL: %w", err)
	}
	o.PublicURL = strings.TrimRight(o.PublicURL, "/")
	returns, err := parseAllowList(o.ReturnURLs)
	if err != nil {
		return nil, fmt.Errorf("connect: HERALD_CONNECT_RETURN_URLS: %w", err)
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
	f := &Flow{o: o, auth: map[string]*publishers.Authorization{}, returns: returns}
	for _, p := range o.Platforms {
		if p.Authorization != nil {
			f.auth[p.Name] = p.Authorization
		}
	}
	return f, nil
}

// RedirectURI is the URI platform sends the browser back to.
func (f *Flow) RedirectURI(platform string) string { return f.o.PublicURL + CallbackPath(platform) }
