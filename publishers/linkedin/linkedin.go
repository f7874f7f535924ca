package linkedin

import (
	"cmp"
	"context"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/heraldhq/herald/internal/wait"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/wire"
	"github.com/heraldhq/herald/publishers/media"
)

// Defaults of Options.
const (
	DefaultBaseURL = "https://api.linkedin.com"
	// DefaultVersion is the LinkedIn-Version header: a YYYYMM marketing
	// version. LinkedIn sunsets versions about a year after release, so
	// operators move it forward (426 or 400 "version" errors say when).
	DefaultVersion      = "202510"
	DefaultTimeout      = 30 * time.Second
	DefaultPollInterval = 3 * time.Second
	DefaultMaxPollDelay = 20 * time.Second
	DefaultMaxWait      = 2 * time.Minute
	DefaultHandBack     = time.Minute
	// DefaultRateLimitWait is how long a first 429 waits when LinkedIn
	// sends no Retry-After (it documents none).
	DefaultRateLimitWait = 5 * time.Minute
	// DefaultPartRetries is how many times one video part is sent again
	// in-process after a transient failure before the attempt gives up
	// (the next attempt resumes at that part).
	DefaultPartRetries = 2
)

// Options configure a Publisher. The zero value talks to the real API
// with the defaults above.
type Options struct {
	// BaseURL is the REST API host, https://api.linkedin.com or a fake's
	// URL; calls go to BaseURL + "/rest/...".
	BaseURL string
	// Version is the LinkedIn-Version header, YYYYMM.
	Version string
	// Client makes API calls and uploads; nil means one with
	// DefaultTimeout (uploads are bounded by the context only when the
	// client has no timeout, so give one with a long timeout or none).
	Client *http.Client
	// Media fetches images and videos from their URLs; nil means a
	// fetcher with media.Options' defaults (private addresses refused).
	Media *media.Fetcher
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Sleep waits d or until ctx is done; nil means a timer. Tests pass
	// one that moves a fake clock.
	Sleep func(ctx context.Context, d time.Duration) error
	// PollInterval is the first wait between video status reads; it
	// doubles up to MaxPollDelay.
	PollInterval, MaxPollDelay time.Duration
	// MaxWait bounds how long one Publish call waits in-process for a
	// video to become AVAILABLE; past it the job is handed back to the
	// queue (RateLimited after HandBack, not a failure) and the next
	// attempt resumes from the checkpoints.
	MaxWait, HandBack time.Duration
	// RateLimitWait is the wait of a first 429 without Retry-After.
	RateLimitWait time.Duration
	// PartRetries is how often a failed video part is sent again within
	// one attempt; negative means never.
	PartRetries int
}

// Publisher publishes to LinkedIn through the versioned REST API (Posts,
// Images and Videos). It is safe for concurrent use.
type Publisher struct {
	base, version              string
	client                     *http.Client
	media                      *media.Fetcher
	now                        func() time.Time
	sleep                      func(context.Context, time.Duration) error
	pollInterval, maxPollDelay time.Duration
	maxWait, handBack          time.Duration
	rateLimitWait              time.Duration
	partRetries                int
}

var _ publishers.Publisher = (*Publisher)(nil)

var versionPattern = regexp.MustCompile(`^[0-9]{6}(\.[0-9]{2})?$`)

// New returns a Publisher configured by o. A Version that is not YYYYMM
// (or YYYYMM.RR) is replaced by DefaultVersion.
func New(o Options) *Publisher {
	p := &Publisher{
		base:          strings.TrimRight(cmp.Or(o.BaseURL, DefaultBaseURL), "/"),
		version:       strings.TrimSpace(o.Version),
		client:        o.Client,
		media:         o.Media,
		now:           o.Now,
		sleep:         o.Sleep,
		pollInterval:  wire.Positive(o.PollInterval, DefaultPollInterval),
		maxPollDelay:  wire.Positive(o.MaxPollDelay, DefaultMaxPollDelay),
		maxWait:       wire.Positive(o.MaxWait, DefaultMaxWait),
		handBack:      wire.Positive(o.HandBack, DefaultHandBack),
		rateLimitWait: wire.Positive(o.RateLimitWait, DefaultRateLimitWait),
		partRetries:   o.PartRetries,
	}
	if !versionPattern.MatchString(p.version) {
		p.version = DefaultVersion
	}
	if o.PartRetries == 0 {
		p.partRetries = DefaultPartRetries
	}
	if p.partRetries < 0 {
		p.partRetries = 0
	}
	if p.client == nil {
		p.client = &http.Client{Timeout: DefaultTimeout}
	}
	if p.media == nil {
		p.media, _ = media.New(media.Options{}) // cannot fail without a client
	}
	if p.now == nil {
		p.now = time.Now
	}
	if p.sleep == nil {
		p.sleep = wait.Sleep
	}
	return p
}
