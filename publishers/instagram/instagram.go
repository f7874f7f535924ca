package instagram

import (
	"cmp"
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/heraldhq/herald/internal/wait"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/wire"
)

// Defaults of Options.
const (
	DefaultBaseURL        = "https://graph.facebook.com"
	DefaultRefreshBaseURL = "https://graph.instagram.com"
	DefaultVersion        = "v24.0"
	DefaultTimeout        = 30 * time.Second
	DefaultPollInterval   = 2 * time.Second
	DefaultMaxPollDelay   = 15 * time.Second
	DefaultMaxWait        = 90 * time.Second
	DefaultHandBack       = 45 * time.Second
)

// Options configure a Publisher. The zero value talks to the real Graph
// API with the defaults above.
type Options struct {
	// BaseURL is the Graph API host: https://graph.facebook.com for
	// accounts connected through Facebook Login, https://graph.instagram.com
	// for Instagram Login, or a fake's URL.
	BaseURL string
	// Version is the Graph API version, such as "v24.0".
	Version string
	// RefreshBaseURL is where Instagram Login tokens are refreshed
	// (GET /refresh_access_token, unversioned).
	RefreshBaseURL string
	// AppID and AppSecret let RefreshToken exchange Facebook Login
	// tokens (grant fb_exchange_token). Unset, RefreshToken uses
	// ig_refresh_token.
	AppID, AppSecret string
	// Client makes the HTTP calls; nil means one with DefaultTimeout.
	Client *http.Client
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Sleep waits d or until ctx is done, between container status
	// polls; nil means a timer. Tests pass one that moves a fake clock.
	Sleep func(ctx context.Context, d time.Duration) error
	// PollInterval is the first wait between container status reads; it
	// doubles up to MaxPollDelay.
	PollInterval, MaxPollDelay time.Duration
	// MaxWait bounds how long one Publish call waits in-process for
	// containers to finish. Past it, Publish hands the job back to the
	// queue (RateLimited after HandBack, not a failure) instead of holding
	// a worker slot while Instagram processes a long video; the next
	// attempt resumes from the checkpoints.
	MaxWait, HandBack time.Duration
}

// Publisher publishes to Instagram through the Graph API. It is safe for
// concurrent use.
type Publisher struct {
	base, version, refreshBase string
	appID, appSecret           string
	client                     *http.Client
	now                        func() time.Time
	sleep                      func(context.Context, time.Duration) error
	pollInterval, maxPollDelay time.Duration
	maxWait, handBack          time.Duration
}

var _ publishers.Publisher = (*Publisher)(nil)

// New returns a Publisher configured by o.
func New(o Options) *Publisher {
	p := &Publisher{
		base:         strings.TrimRight(cmp.Or(o.BaseURL, DefaultBaseURL), "/"),
		version:      strings.Trim(cmp.Or(o.Version, DefaultVersion), "/"),
		refreshBase:  strings.TrimRight(cmp.Or(o.RefreshBaseURL, DefaultRefreshBaseURL), "/"),
		appID:        o.AppID,
		appSecret:    o.AppSecret,
		client:       o.Client,
		now:          o.Now,
		sleep:        o.Sleep,
		pollInterval: wire.Positive(o.PollInterval, DefaultPollInterval),
		maxPollDelay: wire.Positive(o.MaxPollDelay, DefaultMaxPollDelay),
		maxWait:      wire.Positive(o.MaxWait, DefaultMaxWait),
		handBack:     wire.Positive(o.HandBack, DefaultHandBack),
	}
	if p.client == nil {
		p.client = &http.Client{Timeout: DefaultTimeout}
	}
	if p.now == nil {
		p.now = time.Now
	}
	if p.sleep == nil {
		p.sleep = wait.Sleep
	}
	return p
}
