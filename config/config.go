package config

import (
	"log/slog"
	"os"
	"time"

	"github.com/caarlos0/env/v11"
)

// Config is every setting of Herald. The struct tags are the single source
// of truth: env names the variable, envDefault its default, desc its
// meaning (for Vars, Markdown and README.md) and secret:"true" keeps its
// value out of errors and Values.
type Config struct {
	Redis     Redis      `env:"HERALD_REDIS_URL" envDefault:"redis://127.0.0.1:6379/0" desc:"Where Redis is: redis://, rediss:// (TLS), unix://, redis-sentinel:// or redis-cluster:// URL; see below."`
	LogFormat string     `env:"HERALD_LOG_FORMAT" envDefault:"json" desc:"Log format: json or text."`
	LogLevel  slog.Level `env:"HERALD_LOG_LEVEL" envDefault:"info" desc:"Lowest level logged: debug, info, warn or error."`

	WorkerConcurrency        int           `env:"HERALD_WORKER_CONCURRENCY" envDefault:"50" desc:"Publish jobs a worker process runs at once (1-10000)."`
	WorkerDequeuers          int           `env:"HERALD_WORKER_DEQUEUERS" envDefault:"4" desc:"Dequeue loops a worker process runs, sharing HERALD_WORKER_CONCURRENCY (1-64; a worker whose concurrency is lower runs one loop per slot). asynq takes tasks one Redis round trip at a time in each loop, so one loop caps a worker's rate whatever its concurrency; see Worker queue layout."`
	WorkerQueues             string        `env:"HERALD_WORKER_QUEUES" envDefault:"critical=10,publish=6,webhooks=3,analytics=1" desc:"Queues a worker process serves and their weights: comma-separated queue or queue=weight (1-100), a queue without a weight taking its default weight (critical 10, publish 6, webhooks 3, analytics 1). herald worker --queues overrides it. Every queue must be served by some worker, which herald doctor checks; see Running in production for the layout compose uses."`
	WorkerShutdownTimeout    time.Duration `env:"HERALD_WORKER_SHUTDOWN_TIMEOUT" envDefault:"25s" desc:"How long a stopping worker waits for running jobs before asynq puts them back in the queue."`
	WorkerMetricsAddr        string        `env:"HERALD_WORKER_METRICS_ADDR" envDefault:"127.0.0.1:9091" emptyOK:"true" desc:"host:port where the worker serves /metrics and /healthz; set but empty disables them."`
	DelayedTaskCheckInterval time.Duration `env:"HERALD_DELAYED_TASK_CHECK_INTERVAL" envDefault:"1s" desc:"How often due scheduled posts are moved to the queue."`

	RetryMax           int           `env:"HERALD_RETRY_MAX" envDefault:"12" desc:"Most retries of a publish job (0-100)."`
	RetryBase          time.Duration `env:"HERALD_RETRY_BASE" envDefault:"10s" desc:"Backoff base: retry n waits a random time between 0 and HERALD_RETRY_BASE × 2^n, at most HERALD_RETRY_CAP (full jitter)."`
	RetryCap           time.Duration `env:"HERALD_RETRY_CAP" envDefault:"1h" desc:"Longest wait before a retry (rate limits wait as long as the platform asks)."`
	PublishMaxLateness time.Duration `env:"HERALD_PUBLISH_MAX_LATENESS" envDefault:"24h" desc:"A post not published by its publish time plus this fails as too late."`
	LookWindow         time.Duration `env:"HERALD_LOOK_WINDOW" envDefault:"5m" desc:"After an account is disconnected, how long its token, kept sealed for the revocation, may still serve the looks (never a post) that settle its canceled posts whose outcome at the platform is unknown; the revocation waits for them at most this long after the disconnect, and a later look ends its post failed, class outcome_unknown (see Tokens and privacy)."`

	AnalyticsInterval    time.Duration `env:"HERALD_ANALYTICS_INTERVAL" envDefault:"1h" desc:"How often every connected account's analytics are refreshed; each sweep spreads the refreshes across the interval."`
	AnalyticsWindow      time.Duration `env:"HERALD_ANALYTICS_WINDOW" envDefault:"720h" desc:"Posts published longer ago than this are no longer read for analytics (default 30 days)."`
	AnalyticsHistoryDays int           `env:"HERALD_ANALYTICS_HISTORY_DAYS" envDefault:"90" desc:"Daily analytics points kept per account (1-3650)."`
	RecordRetention      time.Duration `env:"HERALD_RECORD_RETENTION" envDefault:"720h" desc:"How long a post's record is kept after the post was published, failed or canceled (default 30 days, at least HERALD_ANALYTICS_WINDOW). A post id is unique within this window; afterwards it schedules a new post."`
	SchedulerMetricsAddr string        `env:"HERALD_SCHEDULER_METRICS_ADDR" envDefault:"127.0.0.1:9092" emptyOK:"true" desc:"host:port where the scheduler serves /metrics and /healthz; set but empty disables them."`

	EventsMaxLen   int64         `env:"HERALD_EVENTS_MAX_LEN" envDefault:"100000" desc:"Entries each tenant's events stream (herald:events, herald:events:<tenant>) keeps (approximately; older ones are trimmed as new ones arrive)."`
	Webhooks       string        `env:"HERALD_WEBHOOKS" desc:"Webhook endpoints that receive every event: comma-separated name=url pairs (https, or http on loopback). Each needs a secret in HERALD_WEBHOOK_SECRETS."`
	WebhookSecrets string        `env:"HERALD_WEBHOOK_SECRETS" secret:"true" desc:"Signing secrets of the webhook endpoints: comma-separated name=secret pairs, secrets of at least 24 characters."`
	WebhookMaxAge  time.Duration `env:"HERALD_WEBHOOK_MAX_AGE" envDefault:"24h" desc:"A webhook delivery still failing this long after its event is given up."`
	WebhookTimeout time.Duration `env:"HERALD_WEBHOOK_TIMEOUT" envDefault:"10s" desc:"How long one webhook delivery waits for the receiver's answer."`

	PublicURL          string        `env:"HERALD_PUBLIC_URL" desc:"Base https URL at which the platforms and users reach herald api (e.g. https://herald.example.com); it prefixes the data-deletion status links Meta shows users and the OAuth redirect URIs (<url>/v1/oauth/<platform>/callback)."`
	ConnectReturnURLs  string        `env:"HERALD_CONNECT_RETURN_URLS" desc:"Where Herald may send the browser back after an account's consent (POST /v1/connections' return_url): comma-separated URL prefixes, https (http only on loopback), matched by scheme, host and path at a '/' boundary. Empty refuses every return_url."`
	GoogleRISCJWKSURL  string        `env:"HERALD_GOOGLE_RISC_JWKS_URL" envDefault:"https://www.googleapis.com/oauth2/v3/certs" desc:"Where Google publishes the keys that sign Cross-Account Protection (RISC) security event tokens."`
	GoogleRISCIssuer   string        `env:"HERALD_GOOGLE_RISC_ISSUER" envDefault:"https://accounts.google.com/" desc:"Issuer (iss) that RISC security event tokens must carry."`
	GoogleRISCAudience string        `env:"HERALD_GOOGLE_RISC_AUDIENCE" desc:"Audience (aud) RISC tokens must carry: comma-separated OAuth client ids; empty means HERALD_GOOGLE_CLIENT_ID."`
	ReconnectLead      time.Duration `env:"HERALD_RECONNECT_LEAD" envDefault:"168h" desc:"Tokens the platform gives no way to refresh (LinkedIn without programmatic refresh): this long before one expires, an account.reconnect_due event asks the product app to have the user connect again (default 7 days)."`

	APIAddr      string `env:"HERALD_API_ADDR" envDefault:"127.0.0.1:8081" desc:"host:port where herald api serves the HTTP API (/v1), /healthz, /readyz and /metrics."`
	APITokens    string `env:"HERALD_API_TOKENS" secret:"true" desc:"API keys: comma-separated name:token pairs, tokens of at least 24 characters; the name is logged with each request, so keys can be rotated one at a time. Required by api."`
	APIRateLimit int    `env:"HERALD_API_RATE_LIMIT" envDefault:"600" desc:"Requests each API key may make a minute, across all API processes (0: no limit)."`
	Tenants      string `env:"HERALD_TENANTS" desc:"Tenants, the product apps that share this Herald, each seeing only its own accounts, posts and events: semicolon-separated tenant:member,member entries, a tenant being 1-32 of a-z, 0-9 and - and each member the name of an API key (HERALD_API_TOKENS) or of a webhook endpoint (HERALD_WEBHOOKS), e.g. shop:shop-api,shop-hooks;blog:blog-api. Keys and endpoints no entry names serve the tenant default; empty, everything is default. A member must name a key or endpoint configured in the same process; a process not given HERALD_API_TOKENS (or HERALD_WEBHOOKS) takes the names of that kind on trust. See Tenants."`

	MonitorAddr     string `env:"HERALD_MONITOR_ADDR" envDefault:"127.0.0.1:8080" desc:"host:port where the monitor serves asynqmon (/monitoring), /metrics and /healthz."`
	MonitorUser     string `env:"HERALD_MONITOR_USER" desc:"User name of the monitor's basic-auth login (with HERALD_MONITOR_PASSWORD). A login is required when the monitor listens off loopback."`
	MonitorPassword string `env:"HERALD_MONITOR_PASSWORD" secret:"true" desc:"Password of the monitor's login, at least 12 characters."`
	MonitorToken    string `env:"HERALD_MONITOR_TOKEN" secret:"true" desc:"Bearer token accepted by the monitor instead of the basic-auth login, at least 12 characters."`
	MonitorReadOnly bool   `env:"HERALD_MONITOR_READONLY" envDefault:"false" desc:"Make asynqmon read-only."`
	PrometheusURL   string `env:"HERALD_PROMETHEUS_URL" desc:"http(s) URL of a Prometheus that asynqmon queries for its metrics charts; empty hides the charts."`

	TokenKeys          string        `env:"HERALD_TOKEN_KEYS" secret:"true" desc:"Keys that encrypt stored tokens: comma-separated id:base64key pairs of 32-byte keys, the sealing key first; older keys still open records until herald keys rotate. herald keys generate makes one. Required by worker."`
	TokenRefreshSkew   time.Duration `env:"HERALD_TOKEN_REFRESH_SKEW" envDefault:"2m" desc:"A token expiring within this is refreshed before use."`
	GoogleClientID     string        `env:"HERALD_GOOGLE_CLIENT_ID" desc:"OAuth client id of the Google project the YouTube accounts consented to (needed to refresh their tokens)."`
	GoogleClientSecret string        `env:"HERALD_GOOGLE_CLIENT_SECRET" secret:"true" desc:"OAuth client secret of that project."`
	GoogleAuthURL      string        `env:"HERALD_GOOGLE_AUTH_URL" envDefault:"https://accounts.google.com/o/oauth2/v2/auth" desc:"Google's consent page, where the connect flow sends the user (a fake's in tests)."`
	GoogleTokenURL     string        `env:"HERALD_GOOGLE_TOKEN_URL" envDefault:"https://oauth2.googleapis.com/token" desc:"Google's token endpoint (a fake's in tests)."`
	GoogleRevokeURL    string        `env:"HERALD_GOOGLE_REVOKE_URL" envDefault:"https://oauth2.googleapis.com/revoke" desc:"Google's revoke endpoint (a fake's in tests)."`

	MediaMaxBytes     int64 `env:"HERALD_MEDIA_MAX_BYTES" envDefault:"4294967296" desc:"Largest media file a publisher fetches, in bytes (default 4 GiB)."`
	MediaAllowPrivate bool  `env:"HERALD_MEDIA_ALLOW_PRIVATE" envDefault:"false" desc:"Let publishers fetch media from loopback, private and link-local addresses. Off in production (it would let a post make Herald fetch internal URLs); the demo and tests turn it on."`

	YouTubeAPIURL           string `env:"HERALD_YOUTUBE_API_URL" envDefault:"https://www.googleapis.com/" desc:"Base URL of the YouTube Data API (a fake's in tests)."`
	YouTubeUploadURL        string `env:"HERALD_YOUTUBE_UPLOAD_URL" desc:"Base URL of YouTube uploads; empty means HERALD_YOUTUBE_API_URL + upload/."`
	YouTubeProject          string `env:"HERALD_YOUTUBE_PROJECT" envDefault:"default" desc:"Name of the Google project whose daily quota Herald accounts for (one budget per project)."`
	YouTubeUploadsPerDay    int64  `env:"HERALD_YOUTUBE_UPLOADS_PER_DAY" envDefault:"100" desc:"videos.insert calls the project may make a day (its own quota bucket in current docs)."`
	YouTubeUnitsPerDay      int64  `env:"HERALD_YOUTUBE_UNITS_PER_DAY" envDefault:"10000" desc:"Quota units a day for every other YouTube call."`
	YouTubeUploadUnits      int64  `env:"HERALD_YOUTUBE_UPLOAD_UNITS" envDefault:"0" desc:"Units an upload also costs (1600 under the older billing; 0 under the current one)."`
	YouTubeAnalyticsReserve int64  `env:"HERALD_YOUTUBE_ANALYTICS_RESERVE" envDefault:"1000" desc:"Units analytics leaves unspent each day for scheduled uploads."`

	TikTokURL          string `env:"HERALD_TIKTOK_URL" envDefault:"https://open.tiktokapis.com" desc:"Base URL of TikTok's Content Posting API (a fake's in tests)."`
	TikTokAuthURL      string `env:"HERALD_TIKTOK_AUTH_URL" envDefault:"https://www.tiktok.com/v2/auth/authorize/" desc:"TikTok's consent page, where the connect flow sends the user (a fake's in tests)."`
	TikTokClientKey    string `env:"HERALD_TIKTOK_CLIENT_KEY" desc:"TikTok app client key (needed to refresh and revoke TikTok tokens)."`
	TikTokClientSecret string `env:"HERALD_TIKTOK_CLIENT_SECRET" secret:"true" desc:"TikTok app client secret."`
	TikTokPullPrefixes string `env:"HERALD_TIKTOK_PULL_PREFIXES" desc:"Comma-separated URL prefixes verified for the app at TikTok: videos under them are pulled by TikTok (PULL_FROM_URL) instead of uploaded."`
	TikTokUnaudited    bool   `env:"HERALD_TIKTOK_UNAUDITED" envDefault:"false" desc:"The app is not yet audited by TikTok: posts are private (SELF_ONLY) only, and others are refused with the reason."`

	LinkedInURL          string `env:"HERALD_LINKEDIN_URL" envDefault:"https://api.linkedin.com" desc:"Base URL of LinkedIn's REST API (a fake's in tests)."`
	LinkedInVersion      string `env:"HERALD_LINKEDIN_VERSION" envDefault:"202607" desc:"LinkedIn-Version header (YYYYMM); LinkedIn sunsets each version about a year after its release (then every call answers 426): doctor warns once it is more than 9 months old and fails once it is more than 12."`
	LinkedInTokenURL     string `env:"HERALD_LINKEDIN_TOKEN_URL" envDefault:"https://www.linkedin.com/oauth/v2/accessToken" desc:"LinkedIn's token endpoint."`
	LinkedInAuthURL      string `env:"HERALD_LINKEDIN_AUTH_URL" envDefault:"https://www.linkedin.com/oauth/v2/authorization" desc:"LinkedIn's consent page, where the connect flow sends the member (a fake's in tests)."`
	LinkedInClientID     string `env:"HERALD_LINKEDIN_CLIENT_ID" desc:"LinkedIn app client id (refresh tokens exist only for approved partner apps)."`
	LinkedInClientSecret string `env:"HERALD_LINKEDIN_CLIENT_SECRET" secret:"true" desc:"LinkedIn app client secret."`

	InstagramGraphURL   string `env:"HERALD_INSTAGRAM_GRAPH_URL" envDefault:"https://graph.facebook.com" desc:"Graph API host of Instagram accounts connected with Facebook Login (their tokens begin EAA, or carry login=facebook); a fake's in tests."`
	InstagramAPIVersion string `env:"HERALD_INSTAGRAM_API_VERSION" envDefault:"v24.0" desc:"Graph API version Herald calls, e.g. v24.0."`
	InstagramRefreshURL string `env:"HERALD_INSTAGRAM_REFRESH_URL" envDefault:"https://graph.instagram.com" desc:"Graph API host of Instagram accounts connected with Instagram Login (tokens beginning IG, or login=instagram): their calls and their token refresh (ig_refresh_token). One deployment serves both logins."`
	MetaAppID           string `env:"HERALD_META_APP_ID" desc:"Meta app id; with the secret, Instagram tokens of Facebook Login accounts are refreshed with fb_exchange_token."`
	MetaAppSecret       string `env:"HERALD_META_APP_SECRET" secret:"true" desc:"Meta app secret; it also verifies Meta's deauthorize and data deletion callbacks."`
	InstagramAppID      string `env:"HERALD_INSTAGRAM_APP_ID" desc:"Instagram app id of an app that uses Instagram Login; with HERALD_INSTAGRAM_APP_SECRET, Herald connects Instagram accounts itself (POST /v1/connections)."`
	InstagramAuthURL    string `env:"HERALD_INSTAGRAM_AUTH_URL" envDefault:"https://www.instagram.com/oauth/authorize" desc:"Instagram's consent page, where the connect flow sends the user (a fake's in tests)."`
	InstagramTokenURL   string `env:"HERALD_INSTAGRAM_TOKEN_URL" envDefault:"https://api.instagram.com/oauth/access_token" desc:"Where the connect flow exchanges Instagram's code for a short-lived token (a fake's in tests)."`
	InstagramAppSecret  string `env:"HERALD_INSTAGRAM_APP_SECRET" secret:"true" desc:"Instagram app secret of apps that use Instagram Login (not Facebook Login): Meta signs those apps' deauthorize and data deletion callbacks with it."`

	SandboxURL string `env:"HERALD_SANDBOX_URL" desc:"Base http(s) URL of the sandbox (local demo) platform; when set the worker registers the sandbox publisher."`

	// set holds the variables given in the environment rather than
	// defaulted.
	set map[string]bool
}

// Load reads the configuration from the process environment. The error
// lists every problem found, one per line, each naming its variable.
func Load() (Config, error) {
	return LoadFrom(env.ToMap(os.Environ()))
}

// LoadFrom reads the configuration from environ, a map of variable names to
// values, as Load does from the process environment. Variables missing or
// empty in environ take their defaults.
func LoadFrom(environ map[string]string) (Config, error) {
	if environ == nil {
		// A nil Environment makes caarlos0/env fall back to os.Environ.
		environ = map[string]string{}
	}
	var c Config
	l, errs := parse(&c, environ)
	errs = append(errs, c.validate(l)...)
	if err := joinInOrder(l.specs, errs); err != nil {
		return Config{}, err
	}
	c.set = l.set
	return c, nil
}

// IsSet reports whether the variable name was given in the environment
// rather than left to its default.
func (c Config) IsSet(name string) bool { return c.set[name] }
