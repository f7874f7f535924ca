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

	"github.com/heraldhq/herald/tokens"
)

// validate checks what parsing cannot: ranges, choices and how settings
// relate. Variables that failed to parse are not checked again.
func (c *Config) validate(l loaded) []error {
	var errs []error
	bad := func(name, problem string) {
		if !l.failed[name] {
			errs = append(errs, l.problem(name, problem))
		}
	}
	positive := func(name string, d time.Duration) {
		if d <= 0 {
			bad(name, "must be greater than 0")
		}
	}
	between := func(name string, n, lo, hi int) {
		if n < lo || n > hi {
			bad(name, fmt.Sprintf("must be between %d and %d", lo, hi))
		}
	}

	if c.LogFormat != "json" && c.LogFormat != "text" {
		bad("HERALD_LOG_FORMAT", "must be json or text")
	}
	// slog also accepts offsets such as "info+2"; Herald keeps to the four
	// names.
	switch strings.ToLower(l.raw["HERALD_LOG_LEVEL"]) {
	case "debug", "info", "warn", "error":
	default:
		bad("HERALD_LOG_LEVEL", "must be debug, info, warn or error")
	}

	between("HERALD_WORKER_CONCURRENCY", c.WorkerConcurrency, 1, 10000)
	positive("HERALD_WORKER_SHUTDOWN_TIMEOUT", c.WorkerShutdownTimeout)
	if c.WorkerMetricsAddr != "" {
		if p := addrProblem(c.WorkerMetricsAddr); p != "" {
			bad("HERALD_WORKER_METRICS_ADDR", p+", or empty to disable")
		}
	}
	positive("HERALD_DELAYED_TASK_CHECK_INTERVAL", c.DelayedTaskCheckInterval)

	between("HERALD_RETRY_MAX", c.RetryMax, 0, 100)
	positive("HERALD_RETRY_BASE", c.RetryBase)
	positive("HERALD_RETRY_CAP", c.RetryCap)
	if c.RetryBase > 0 && c.RetryCap > 0 && c.RetryBase > c.RetryCap && !l.failed["HERALD_RETRY_CAP"] {
		bad("HERALD_RETRY_BASE", fmt.Sprintf("must not exceed HERALD_RETRY_CAP (%s)", l.raw["HERALD_RETRY_CAP"]))
	}
	positive("HERALD_PUBLISH_MAX_LATENESS", c.PublishMaxLateness)

	if c.AnalyticsInterval < time.Minute && !l.failed["HERALD_ANALYTICS_INTERVAL"] {
		bad("HERALD_ANALYTICS_INTERVAL", "must be at least 1m")
	}
	positive("HERALD_ANALYTICS_WINDOW", c.AnalyticsWindow)
	between("HERALD_ANALYTICS_HISTORY_DAYS", c.AnalyticsHistoryDays, 1, 3650)
	if c.SchedulerMetricsAddr != "" {
		if p := addrProblem(c.SchedulerMetricsAddr); p != "" {
			bad("HERALD_SCHEDULER_METRICS_ADDR", p+", or empty to disable")
		}
	}
	if c.EventsMaxLen < 1000 && !l.failed["HERALD_EVENTS_MAX_LEN"] {
		bad("HERALD_EVENTS_MAX_LEN", "must be at least 1000")
	}
	_, hooks := parseWebhooks(c.Webhooks, c.WebhookSecrets)
	for _, name := range []string{"HERALD_WEBHOOKS", "HERALD_WEBHOOK_SECRETS"} {
		if p := hooks[name]; p != "" {
			bad(name, p)
		}
	}
	positive("HERALD_WEBHOOK_MAX_AGE", c.WebhookMaxAge)
	positive("HERALD_WEBHOOK_TIMEOUT", c.WebhookTimeout)
	if c.PublicURL != "" {
		if p := webhookURLProblem(c.PublicURL); p != "" {
			bad("HERALD_PUBLIC_URL", p+", or empty")
		}
	}
	if c.GoogleRISCIssuer == "" {
		bad("HERALD_GOOGLE_RISC_ISSUER", "must not be empty")
	}
	positive("HERALD_RECONNECT_LEAD", c.ReconnectLead)
	if p := addrProblem(c.APIAddr); p != "" {
		bad("HERALD_API_ADDR", p)
	}
	between("HERALD_API_RATE_LIMIT", c.APIRateLimit, 0, 1000000)
	if p := addrProblem(c.MonitorAddr); p != "" {
		bad("HERALD_MONITOR_ADDR", p)
	}
	if c.PrometheusURL != "" && !isHTTPURL(c.PrometheusURL) {
		bad("HERALD_PROMETHEUS_URL", "must be an http:// or https:// URL, or empty")
	}
	if c.TokenKeys != "" {
		if _, err := tokens.ParseKeyring(c.TokenKeys); err != nil {
			bad("HERALD_TOKEN_KEYS", err.Error())
		}
	}
	positive("HERALD_TOKEN_REFRESH_SKEW", c.TokenRefreshSkew)
	if c.MediaMaxBytes <= 0 {
		bad("HERALD_MEDIA_MAX_BYTES", "must be greater than 0")
	}
	for name, n := range map[string]int64{"HERALD_YOUTUBE_UPLOADS_PER_DAY": c.YouTubeUploadsPerDay, "HERALD_YOUTUBE_UNITS_PER_DAY": c.YouTubeUnitsPerDay,
		"HERALD_YOUTUBE_UPLOAD_UNITS": c.YouTubeUploadUnits, "HERALD_YOUTUBE_ANALYTICS_RESERVE": c.YouTubeAnalyticsReserve} {
		if n < 0 {
			bad(name, "must not be negative")
		}
	}
	if c.YouTubeUploadURL != "" && !isHTTPURL(c.YouTubeUploadURL) {
		bad("HERALD_YOUTUBE_UPLOAD_URL", "must be an http:// or https:// URL, or empty")
	}
	if !regexp.MustCompile(`^v\d+\.\d+$`).MatchString(c.InstagramAPIVersion) {
		bad("HERALD_INSTAGRAM_API_VERSION", "must look like v24.0")
	}
	if (c.TikTokClientKey == "") != (c.TikTokClientSecret == "") {
		bad("HERALD_TIKTOK_CLIENT_KEY", "set it together with HERALD_TIKTOK_CLIENT_SECRET, or neither")
	}
	for _, prefix := range c.TikTokPullPrefixList() {
		if !strings.HasPrefix(prefix, "https://") {
			bad("HERALD_TIKTOK_PULL_PREFIXES", fmt.Sprintf("%q: every prefix must be an https:// URL", prefix))
			break
		}
	}
	if (c.LinkedInClientID == "") != (c.LinkedInClientSecret == "") {
		bad("HERALD_LINKEDIN_CLIENT_ID", "set it together with HERALD_LINKEDIN_CLIENT_SECRET, or neither")
	}
	if !regexp.MustCompile(`^\d{6}$`).MatchString(c.LinkedInVersion) {
		bad("HERALD_LINKEDIN_VERSION", "must be YYYYMM, e.g. 202510")
	}
	if (c.MetaAppID == "") != (c.MetaAppSecret == "") {
		bad("HERALD_META_APP_ID", "set it together with HERALD_META_APP_SECRET, or neither")
	}
	for name, u := range map[string]string{
		"HERALD_GOOGLE_TOKEN_URL": c.GoogleTokenURL, "HERALD_GOOGLE_REVOKE_URL": c.GoogleRevokeURL,
		"HERALD_YOUTUBE_API_URL":      c.YouTubeAPIURL,
		"HERALD_TIKTOK_URL":           c.TikTokURL,
		"HERALD_LINKEDIN_URL":         c.LinkedInURL,
		"HERALD_LINKEDIN_TOKEN_URL":   c.LinkedInTokenURL,
		"HERALD_GOOGLE_RISC_JWKS_URL": c.GoogleRISCJWKSURL,
		"HERALD_INSTAGRAM_GRAPH_URL":  c.InstagramGraphURL, "HERALD_INSTAGRAM_REFRESH_URL": c.InstagramRefreshURL,
	} {
		if !isHTTPURL(u) {
			bad(name, "must be an http:// or https:// URL")
		}
	}
	if (c.GoogleClientID == "") != (c.GoogleClientSecret == "") {
		bad("HERALD_GOOGLE_CLIENT_ID", "set it together with HERALD_GOOGLE_CLIENT_SECRET, or neither")
	}
	if c.SandboxURL != "" && !isHTTPURL(c.SandboxURL) {
		bad("HERALD_SANDBOX_URL", "must be an http:// or https:// URL, or empty")
	}
	return errs
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
