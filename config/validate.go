package config

import (
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/tokens"
)

// validate checks what parsing cannot: ranges, choices and how settings
// relate. Variables that failed to parse are not checked again. The
// checks are grouped by the part of Herald they configure; the order of
// the errors is the variables' order (joinInOrder), not the checks'.
func (c *Config) validate(l loaded) []error {
	ch := &checker{l: l}
	c.validateLogging(ch)
	c.validateWorker(ch)
	c.validateScheduler(ch)
	c.validateWebhooks(ch)
	c.validateConnect(ch)
	c.validateServers(ch)
	c.validateTenants(ch)
	c.validateTokens(ch)
	c.validatePlatforms(ch)
	c.validateEndpoints(ch)
	return ch.errs
}

// checker collects the problems of one validation.
type checker struct {
	l    loaded
	errs []error
}

// bad records problem for name, unless name already failed to parse.
func (ch *checker) bad(name, problem string) {
	if !ch.l.failed[name] {
		ch.errs = append(ch.errs, ch.l.problem(name, problem))
	}
}

func (ch *checker) positive(name string, d time.Duration) {
	if d <= 0 {
		ch.bad(name, "must be greater than 0")
	}
}

func (ch *checker) between(name string, n, lo, hi int) {
	if n < lo || n > hi {
		ch.bad(name, fmt.Sprintf("must be between %d and %d", lo, hi))
	}
}

// addr checks a listen address; optional ones may be empty (disabled).
func (ch *checker) addr(name, s string, optional bool) {
	switch p := addrProblem(s); {
	case optional && s == "":
	case p != "" && optional:
		ch.bad(name, p+", or empty to disable")
	case p != "":
		ch.bad(name, p)
	}
}

// pair checks that two credentials are set together or not at all.
func (ch *checker) pair(name, a, other, b string) {
	if (a == "") != (b == "") {
		ch.bad(name, "set it together with "+other+", or neither")
	}
}

func (c *Config) validateLogging(ch *checker) {
	if c.LogFormat != "json" && c.LogFormat != "text" {
		ch.bad("HERALD_LOG_FORMAT", "must be json or text")
	}
	// slog also accepts offsets such as "info+2"; Herald keeps to the four
	// names.
	switch strings.ToLower(ch.l.raw["HERALD_LOG_LEVEL"]) {
	case "debug", "info", "warn", "error":
	default:
		ch.bad("HERALD_LOG_LEVEL", "must be debug, info, warn or error")
	}
}

func (c *Config) validateWorker(ch *checker) {
	ch.between("HERALD_WORKER_CONCURRENCY", c.WorkerConcurrency, 1, 10000)
	ch.between("HERALD_WORKER_DEQUEUERS", c.WorkerDequeuers, 1, 64)
	if _, err := jobs.ParseQueues(c.WorkerQueues); err != nil {
		ch.bad("HERALD_WORKER_QUEUES", err.Error())
	}
	ch.positive("HERALD_WORKER_SHUTDOWN_TIMEOUT", c.WorkerShutdownTimeout)
	ch.addr("HERALD_WORKER_METRICS_ADDR", c.WorkerMetricsAddr, true)
	ch.positive("HERALD_DELAYED_TASK_CHECK_INTERVAL", c.DelayedTaskCheckInterval)

	ch.between("HERALD_RETRY_MAX", c.RetryMax, 0, 100)
	ch.positive("HERALD_RETRY_BASE", c.RetryBase)
	ch.positive("HERALD_RETRY_CAP", c.RetryCap)
	if c.RetryBase > 0 && c.RetryCap > 0 && c.RetryBase > c.RetryCap && !ch.l.failed["HERALD_RETRY_CAP"] {
		ch.bad("HERALD_RETRY_BASE", fmt.Sprintf("must not exceed HERALD_RETRY_CAP (%s)", ch.l.raw["HERALD_RETRY_CAP"]))
	}
	ch.positive("HERALD_PUBLISH_MAX_LATENESS", c.PublishMaxLateness)
	ch.positive("HERALD_LOOK_WINDOW", c.LookWindow)
}

func (c *Config) validateScheduler(ch *checker) {
	if c.AnalyticsInterval < time.Minute && !ch.l.failed["HERALD_ANALYTICS_INTERVAL"] {
		ch.bad("HERALD_ANALYTICS_INTERVAL", "must be at least 1m")
	}
	ch.positive("HERALD_ANALYTICS_WINDOW", c.AnalyticsWindow)
	ch.between("HERALD_ANALYTICS_HISTORY_DAYS", c.AnalyticsHistoryDays, 1, 3650)
	// Analytics reads the records of posts published within its window:
	// they must not expire before it ends.
	if c.RecordRetention < c.AnalyticsWindow && !ch.l.failed["HERALD_ANALYTICS_WINDOW"] {
		ch.bad("HERALD_RECORD_RETENTION", fmt.Sprintf("must be at least HERALD_ANALYTICS_WINDOW (%s)", c.AnalyticsWindow))
	}
	ch.addr("HERALD_SCHEDULER_METRICS_ADDR", c.SchedulerMetricsAddr, true)
	if c.EventsMaxLen < 1000 && !ch.l.failed["HERALD_EVENTS_MAX_LEN"] {
		ch.bad("HERALD_EVENTS_MAX_LEN", "must be at least 1000")
	}
}

func (c *Config) validateWebhooks(ch *checker) {
	_, hooks := parseWebhooks(c.Webhooks, c.WebhookSecrets)
	for _, name := range []string{"HERALD_WEBHOOKS", "HERALD_WEBHOOK_SECRETS"} {
		if p := hooks[name]; p != "" {
			ch.bad(name, p)
		}
	}
	ch.positive("HERALD_WEBHOOK_MAX_AGE", c.WebhookMaxAge)
	ch.positive("HERALD_WEBHOOK_TIMEOUT", c.WebhookTimeout)
	if c.PublicURL != "" {
		if p := httpsURLProblem(c.PublicURL); p != "" {
			ch.bad("HERALD_PUBLIC_URL", p+", or empty")
		}
	}
	if c.GoogleRISCIssuer == "" {
		ch.bad("HERALD_GOOGLE_RISC_ISSUER", "must not be empty")
	}
	ch.positive("HERALD_RECONNECT_LEAD", c.ReconnectLead)
}

// validateServers checks the API's and the monitor's settings.
func (c *Config) validateServers(ch *checker) {
	ch.addr("HERALD_API_ADDR", c.APIAddr, false)
	ch.between("HERALD_API_RATE_LIMIT", c.APIRateLimit, 0, 1000000)
	ch.addr("HERALD_MONITOR_ADDR", c.MonitorAddr, false)
	if c.PrometheusURL != "" && !isHTTPURL(c.PrometheusURL) {
		ch.bad("HERALD_PROMETHEUS_URL", "must be an http:// or https:// URL, or empty")
	}
}

// validateTenants checks HERALD_TENANTS against the keys and endpoints
// configured, one problem per wrong entry.
func (c *Config) validateTenants(ch *checker) {
	if ch.l.failed["HERALD_WEBHOOKS"] {
		return // its names are unknown; that variable's error says why
	}
	_, err := c.tenants()
	if err == nil {
		return
	}
	for _, line := range strings.Split(err.Error(), "\n") {
		ch.bad("HERALD_TENANTS", strings.TrimPrefix(line, "HERALD_TENANTS "))
	}
}

func (c *Config) validateTokens(ch *checker) {
	if c.TokenKeys != "" {
		if _, err := tokens.ParseKeyring(c.TokenKeys); err != nil {
			ch.bad("HERALD_TOKEN_KEYS", err.Error())
		}
	}
	ch.positive("HERALD_TOKEN_REFRESH_SKEW", c.TokenRefreshSkew)
	if c.MediaMaxBytes <= 0 {
		ch.bad("HERALD_MEDIA_MAX_BYTES", "must be greater than 0")
	}
}

var (
	instagramVersion = regexp.MustCompile(`^v\d+\.\d+$`)
	linkedInVersion  = regexp.MustCompile(`^\d{6}$`)
)

// validatePlatforms checks each platform's quotas, versions and
// credentials (a client id without its secret is a half-done setup).
func (c *Config) validatePlatforms(ch *checker) {
	for name, n := range map[string]int64{"HERALD_YOUTUBE_UPLOADS_PER_DAY": c.YouTubeUploadsPerDay, "HERALD_YOUTUBE_UNITS_PER_DAY": c.YouTubeUnitsPerDay,
		"HERALD_YOUTUBE_UPLOAD_UNITS": c.YouTubeUploadUnits, "HERALD_YOUTUBE_ANALYTICS_RESERVE": c.YouTubeAnalyticsReserve} {
		if n < 0 {
			ch.bad(name, "must not be negative")
		}
	}
	if !instagramVersion.MatchString(c.InstagramAPIVersion) {
		ch.bad("HERALD_INSTAGRAM_API_VERSION", "must look like v24.0")
	}
	ch.pair("HERALD_TIKTOK_CLIENT_KEY", c.TikTokClientKey, "HERALD_TIKTOK_CLIENT_SECRET", c.TikTokClientSecret)
	for _, prefix := range c.TikTokPullPrefixList() {
		if !strings.HasPrefix(prefix, "https://") {
			ch.bad("HERALD_TIKTOK_PULL_PREFIXES", fmt.Sprintf("%q: every prefix must be an https:// URL", prefix))
			break
		}
	}
	ch.pair("HERALD_LINKEDIN_CLIENT_ID", c.LinkedInClientID, "HERALD_LINKEDIN_CLIENT_SECRET", c.LinkedInClientSecret)
	if !linkedInVersion.MatchString(c.LinkedInVersion) {
		ch.bad("HERALD_LINKEDIN_VERSION", "must be YYYYMM, e.g. 202607")
	}
	ch.pair("HERALD_META_APP_ID", c.MetaAppID, "HERALD_META_APP_SECRET", c.MetaAppSecret)
	ch.pair("HERALD_GOOGLE_CLIENT_ID", c.GoogleClientID, "HERALD_GOOGLE_CLIENT_SECRET", c.GoogleClientSecret)
}

// validateEndpoints checks the platforms' URLs: required ones, and the
// optional ones (empty: the platform's own) when set. Every one of them
// carries an account's token, a client secret, a consent or the keys that
// vouch for security events, so each must be https; plain http is left
// to loopback, where tests and the demo run their fakes. The sandbox is
// the demo's fake platform itself (compose reaches it as
// http://sandbox:8090) and carries no real token: any http(s) URL.
func (c *Config) validateEndpoints(ch *checker) {
	for name, u := range map[string]string{
		"HERALD_GOOGLE_AUTH_URL": c.GoogleAuthURL, "HERALD_TIKTOK_AUTH_URL": c.TikTokAuthURL, "HERALD_LINKEDIN_AUTH_URL": c.LinkedInAuthURL,
		"HERALD_INSTAGRAM_AUTH_URL": c.InstagramAuthURL, "HERALD_INSTAGRAM_TOKEN_URL": c.InstagramTokenURL, "HERALD_GOOGLE_TOKEN_URL": c.GoogleTokenURL, "HERALD_GOOGLE_REVOKE_URL": c.GoogleRevokeURL,
		"HERALD_YOUTUBE_API_URL":      c.YouTubeAPIURL,
		"HERALD_TIKTOK_URL":           c.TikTokURL,
		"HERALD_LINKEDIN_URL":         c.LinkedInURL,
		"HERALD_LINKEDIN_TOKEN_URL":   c.LinkedInTokenURL,
		"HERALD_GOOGLE_RISC_JWKS_URL": c.GoogleRISCJWKSURL,
		"HERALD_INSTAGRAM_GRAPH_URL":  c.InstagramGraphURL, "HERALD_INSTAGRAM_REFRESH_URL": c.InstagramRefreshURL,
	} {
		if p := httpsURLProblem(u); p != "" {
			ch.bad(name, p)
		}
	}
	if c.YouTubeUploadURL != "" {
		if p := httpsURLProblem(c.YouTubeUploadURL); p != "" {
			ch.bad("HERALD_YOUTUBE_UPLOAD_URL", p+", or empty")
		}
	}
	if c.SandboxURL != "" && !isHTTPURL(c.SandboxURL) {
		ch.bad("HERALD_SANDBOX_URL", "must be an http:// or https:// URL, or empty")
	}
}

// TikTokPullPrefixList splits HERALD_TIKTOK_PULL_PREFIXES.
func (c Config) TikTokPullPrefixList() []string { return splitList(c.TikTokPullPrefixes) }

// addrProblem says what keeps s from being a host:port to listen on.
func addrProblem(s string) string {
	_, port, err := net.SplitHostPort(s)
	if err != nil {
		return "must be host:port (e.g. 127.0.0.1:8080)"
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return "port must be a number from 0 to 65535"
	}
	return ""
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// levelName is how Values and Markdown write a level: as it is set.
func levelName(l slog.Level) string { return strings.ToLower(l.String()) }
