package youtube

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
	_ "time/tzdata" // quota resets at midnight Pacific, wherever Herald runs

	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/internal/wait"
	"github.com/heraldhq/herald/publishers"
	"github.com/heraldhq/herald/publishers/media"
)

// Defaults of Options.
const (
	DefaultEndpoint         = "https://www.googleapis.com/"
	DefaultChunkSize        = 8 << 20
	DefaultUploadsPerDay    = 100
	DefaultUnitsPerDay      = 10_000
	DefaultAnalyticsReserve = 1_000
	DefaultProject          = "default"
	DefaultCallTimeout      = time.Minute
	DefaultChunkTimeout     = 10 * time.Minute
	// chunkUnit is what chunk sizes are multiples of, as the protocol
	// requires of every chunk but the last.
	chunkUnit = 256 << 10
)

// Checkpoint names. The session is a capability (whoever has it can upload
// to the channel): it is stored sealed like a token and never logged.
const (
	CheckpointSession   = "youtube.session"   // resumable session URI
	CheckpointSize      = "youtube.size"      // media size when the session began, or -1
	CheckpointOffset    = "youtube.offset"    // bytes the session confirmed
	CheckpointFinal     = "youtube.final"     // "1" once the last chunk was sent
	CheckpointPrivacy   = "youtube.privacy"   // the privacyStatus the video got, saved with its id
	CheckpointVideo     = "youtube.video"     // the video id
	CheckpointThumbnail = "youtube.thumbnail" // "set" or "skipped"
	CheckpointPlaylist  = "youtube.playlist"  // playlist item id, or "skipped"
)

// Options configure a Publisher. Only Media is worth setting in
// production beyond the Redis quota fields; the rest default to Google's
// endpoints and documented limits.
type Options struct {
	// Endpoint is the Data API's base URL, with a trailing slash; the
	// official client resolves "youtube/v3/..." and "/upload/..." against
	// it. Default DefaultEndpoint.
	Endpoint string
	// UploadEndpoint is the base URL of resumable uploads
	// ("youtube/v3/videos" is appended). Default Endpoint + "upload/".
	// Session URIs must point to its host (or, for Google's, to another
	// googleapis.com host): media and token are sent nowhere else.
	UploadEndpoint string
	// Client is the HTTP client under the OAuth transport. Nil means one
	// without an overall timeout (uploads are long); calls are bounded by
	// CallTimeout and ChunkTimeout.
	Client *http.Client
	// Media opens the post's video and thumbnail. Nil means a fetcher
	// with media.Options' defaults (private addresses refused).
	Media *media.Fetcher
	// ChunkSize is the size of upload chunks, rounded up to a multiple
	// of 256 KiB. Default DefaultChunkSize. Media whose size is known is
	// streamed chunk by chunk; media of unknown size holds one chunk in
	// memory at a time.
	ChunkSize int64
	// CallTimeout bounds each API call and status query; ChunkTimeout
	// each chunk. Defaults DefaultCallTimeout and DefaultChunkTimeout.
	CallTimeout, ChunkTimeout time.Duration
	// ChunkRetryDeadline bounds how long a chunk that failed with a 5xx
	// or a broken connection is retried inside the attempt (backoff with
	// jitter, status query, resume from the committed offset) before the
	// attempt gives up. Default DefaultChunkRetryDeadline (32 s, as the
	// Go client); negative: no retry inside the attempt.
	ChunkRetryDeadline time.Duration
	// Sleep waits between chunk retries. Default wait.Sleep; tests give
	// a fake clock's, which advances Now.
	Sleep func(ctx context.Context, d time.Duration) error

	// Redis holds the quota accounting; nil turns it off.
	Redis redis.UniversalClient
	// Project names the Google Cloud project whose quota is counted
	// (one budget per project). Default DefaultProject.
	Project string
	// UploadsPerDay is the videos.insert bucket; UnitsPerDay the bucket
	// of every other call. Defaults DefaultUploadsPerDay and
	// DefaultUnitsPerDay.
	UploadsPerDay, UnitsPerDay int64
	// UploadUnits is what an upload costs in units as well, for projects
	// still billed as older docs say (1600). Default 0.
	UploadUnits int64
	// AnalyticsReserve is how many units analytics leaves unspent for
	// the thumbnails and playlists of scheduled uploads. Default
	// DefaultAnalyticsReserve (ten uploads with both); negative means 0.
	AnalyticsReserve int64

	// Now is the clock. Default time.Now.
	Now func() time.Time
	// Logger receives warnings (a thumbnail that could not be set).
	// Default slog.Default().
	Logger *slog.Logger
}

// Publisher publishes videos to YouTube. It is safe for concurrent use.
type Publisher struct {
	endpoint     string
	uploadURL    string
	uploadHost   *url.URL
	client       *http.Client
	media        *media.Fetcher
	chunkSize    int64
	callTimeout  time.Duration
	chunkTimeout time.Duration
	// chunkRetryDeadline is Options.ChunkRetryDeadline, 0 when off.
	chunkRetryDeadline time.Duration
	sleep              func(ctx context.Context, d time.Duration) error
	quota              *quota
	now                func() time.Time
	log                *slog.Logger
}

var _ publishers.Publisher = (*Publisher)(nil)

// New returns a Publisher configured by opts. It panics on an endpoint
// that is not an absolute http(s) URL: a wiring mistake caught at start.
func New(opts Options) *Publisher {
	p := &Publisher{
		endpoint:     withSlash(orString(opts.Endpoint, DefaultEndpoint)),
		client:       opts.Client,
		media:        opts.Media,
		chunkSize:    opts.ChunkSize,
		callTimeout:  orDuration(opts.CallTimeout, DefaultCallTimeout),
		chunkTimeout: orDuration(opts.ChunkTimeout, DefaultChunkTimeout),
		now:          opts.Now,
		log:          opts.Logger,
		sleep:        opts.Sleep,
	}
	switch d := opts.ChunkRetryDeadline; {
	case d == 0:
		p.chunkRetryDeadline = DefaultChunkRetryDeadline
	case d > 0:
		p.chunkRetryDeadline = d
	}
	if p.sleep == nil {
		p.sleep = wait.Sleep
	}
	upload := withSlash(orString(opts.UploadEndpoint, p.endpoint+"upload/"))
	p.uploadURL = upload + "youtube/v3/videos"
	for _, e := range []string{p.endpoint, upload} {
		u, err := url.Parse(e)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			panic("youtube: endpoint " + e + " is not an absolute http(s) URL")
		}
		p.uploadHost = u
	}
	if p.client == nil {
		p.client = &http.Client{Transport: defaultTransport()}
	}
	if p.media == nil {
		p.media, _ = media.New(media.Options{}) // cannot fail without a client
	}
	if p.chunkSize <= 0 {
		p.chunkSize = DefaultChunkSize
	}
	p.chunkSize = (p.chunkSize + chunkUnit - 1) / chunkUnit * chunkUnit
	if p.now == nil {
		p.now = time.Now
	}
	if p.log == nil {
		p.log = slog.Default()
	}
	p.quota = newQuota(opts, p.now)
	return p
}

func defaultTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.ResponseHeaderTimeout = DefaultCallTimeout
	return t
}

func orString(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func orDuration(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

func withSlash(s string) string {
	if !strings.HasSuffix(s, "/") {
		return s + "/"
	}
	return s
}

// WatchURL is the public URL of a video.
func WatchURL(id string) string { return "https://www.youtube.com/watch?v=" + url.QueryEscape(id) }
