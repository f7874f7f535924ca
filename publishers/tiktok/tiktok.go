package tiktok

import (
	"cmp"
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/heraldhq/herald/internal/wait"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/internal/wire"
	"github.com/heraldhq/herald/publishers/media"
)

// Defaults of Options.
const (
	DefaultBaseURL = "https://open.tiktokapis.com"
	DefaultTimeout = 30 * time.Second
	// DefaultChunkSize is the size of the upload chunks: TikTok takes 5 to
	// 64 MB, and 10 MB keeps a lost chunk cheap.
	DefaultChunkSize = 10 << 20
	// DefaultChunkTimeout bounds the PUT of one chunk.
	DefaultChunkTimeout = 5 * time.Minute
	// DefaultUploadURLLifetime is how long TikTok accepts chunks at an
	// upload_url after init: one hour.
	DefaultUploadURLLifetime = time.Hour
	DefaultPollInterval      = 3 * time.Second
	DefaultMaxPollDelay      = 15 * time.Second
	DefaultMaxWait           = 90 * time.Second
	DefaultHandBack          = time.Minute
)

// Options configure a Publisher. The zero value talks to the real API
// with the defaults above, uploads every video from its source, and
// cannot refresh or revoke tokens (ClientKey and ClientSecret unset).
type Options struct {
	// BaseURL is the API host, https://open.tiktokapis.com, or a fake's
	// URL. It also serves the OAuth endpoints (/v2/oauth/token/ and
	// /v2/oauth/revoke/).
	BaseURL string
	// ClientKey and ClientSecret are the TikTok app's credentials, for
	// RefreshToken and Revoke.
	ClientKey, ClientSecret string
	// PullPrefixes are the URL prefixes verified for the app at TikTok
	// ("https://cdn.example.com/"). A video under one is published with
	// PULL_FROM_URL (TikTok fetches it); any other video is streamed up
	// with FILE_UPLOAD. Photo posts are always pulled: when PullPrefixes
	// is set, a photo outside them is refused before any call.
	PullPrefixes []string
	// Unaudited says the TikTok app has not passed TikTok's audit: it
	// may post SELF_ONLY only, so any other privacy level is refused
	// before any call, and SELF_ONLY is the default.
	Unaudited bool
	// Client makes the API calls; nil means one with DefaultTimeout.
	Client *http.Client
	// UploadClient PUTs video chunks; nil means one without an overall
	// timeout (each chunk is bounded by ChunkTimeout instead).
	UploadClient *http.Client
	// Fetcher opens source videos for FILE_UPLOAD; nil means a
	// media.Fetcher with its safe defaults (public addresses only).
	Fetcher *media.Fetcher
	// ChunkSize is the preferred upload chunk size, kept within TikTok's
	// 5-64 MB; zero means DefaultChunkSize.
	ChunkSize    int64
	ChunkTimeout time.Duration
	// UploadURLLifetime is how long an upload_url is trusted after init.
	UploadURLLifetime time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Sleep waits d or until ctx is done, between status polls; nil
	// means a timer. Tests pass one that moves a fake clock.
	Sleep func(ctx context.Context, d time.Duration) error
	// PollInterval is the first wait between status fetches; it doubles
	// up to MaxPollDelay.
	PollInterval, MaxPollDelay time.Duration
	// MaxWait bounds how long one Publish call waits in-process for
	// TikTok to process and moderate a post. Past it Publish hands the
	// job back (RateLimited after HandBack, not a failure); the next
	// attempt fetches the status of the same publish_id.
	MaxWait, HandBack time.Duration
}

// Publisher publishes to TikTok through the Content Posting API. It is
// safe for concurrent use.
type Publisher struct {
	base                       string
	clientKey, clientSecret    string
	pullPrefixes               []string
	unaudited                  bool
	client, uploadClient       *http.Client
	fetcher                    *media.Fetcher
	fetcherErr                 error
	chunkSize                  int64
	chunkTimeout               time.Duration
	urlLifetime                time.Duration
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
		clientKey:    o.ClientKey,
		clientSecret: o.ClientSecret,
		pullPrefixes: append([]string(nil), o.PullPrefixes...),
		unaudited:    o.Unaudited,
		client:       o.Client,
		uploadClient: o.UploadClient,
		fetcher:      o.Fetcher,
		chunkSize:    o.ChunkSize,
		chunkTimeout: wire.Positive(o.ChunkTimeout, DefaultChunkTimeout),
		urlLifetime:  wire.Positive(o.UploadURLLifetime, DefaultUploadURLLifetime),
		now:          o.Now,
		sleep:        o.Sleep,
		pollInterval: wire.Positive(o.PollInterval, DefaultPollInterval),
		maxPollDelay: wire.Positive(o.MaxPollDelay, DefaultMaxPollDelay),
		maxWait:      wire.Positive(o.MaxWait, DefaultMaxWait),
		handBack:     wire.Positive(o.HandBack, DefaultHandBack),
	}
	if p.chunkSize <= 0 {
		p.chunkSize = DefaultChunkSize
	}
	p.chunkSize = min(max(p.chunkSize, minChunk), maxChunk)
	if p.client == nil {
		p.client = &http.Client{Timeout: DefaultTimeout}
	}
	if p.uploadClient == nil {
		p.uploadClient = &http.Client{}
	}
	if p.fetcher == nil {
		// The zero Options cannot fail; should that change, FILE_UPLOAD
		// reports it instead of New panicking.
		p.fetcher, p.fetcherErr = media.New(media.Options{})
	}
	if p.now == nil {
		p.now = time.Now
	}
	if p.sleep == nil {
		p.sleep = wait.Sleep
	}
	return p
}
