package config

import (
	"errors"
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/caarlos0/env/v11"

	"github.com/heraldhq/herald/jobs"
)

func TestLoadDefaults(t *testing.T) {
	c, err := LoadFrom(map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		LogFormat:                "json",
		LogLevel:                 slog.LevelInfo,
		WorkerConcurrency:        50,
		WorkerDequeuers:          4,
		WorkerQueues:             "critical=10,publish=6,webhooks=3,analytics=1",
		WorkerShutdownTimeout:    25 * time.Second,
		WorkerMetricsAddr:        "127.0.0.1:9091",
		DelayedTaskCheckInterval: time.Second,
		RetryMax:                 12,
		RetryBase:                10 * time.Second,
		RetryCap:                 time.Hour,
		PublishMaxLateness:       24 * time.Hour,
		LookWindow:               5 * time.Minute,
		MonitorAddr:              "127.0.0.1:8080",
		APIAddr:                  "127.0.0.1:8081",
		APIRateLimit:             600,
		AnalyticsInterval:        time.Hour,
		AnalyticsWindow:          720 * time.Hour,
		AnalyticsHistoryDays:     90,
		RecordRetention:          720 * time.Hour,
		SchedulerMetricsAddr:     "127.0.0.1:9092",
		EventsMaxLen:             100000,
		WebhookMaxAge:            24 * time.Hour,
		WebhookTimeout:           10 * time.Second,
		GoogleRISCJWKSURL:        "https://www.googleapis.com/oauth2/v3/certs",
		GoogleRISCIssuer:         "https://accounts.google.com/",
		ReconnectLead:            168 * time.Hour,
		TokenRefreshSkew:         2 * time.Minute,
		InstagramAuthURL:         "https://www.instagram.com/oauth/authorize",
		InstagramTokenURL:        "https://api.instagram.com/oauth/access_token",
		LinkedInAuthURL:          "https://www.linkedin.com/oauth/v2/authorization",
		TikTokAuthURL:            "https://www.tiktok.com/v2/auth/authorize/",
		GoogleAuthURL:            "https://accounts.google.com/o/oauth2/v2/auth",
		GoogleTokenURL:           "https://oauth2.googleapis.com/token",
		GoogleRevokeURL:          "https://oauth2.googleapis.com/revoke",
		MediaMaxBytes:            4 << 30,
		YouTubeAPIURL:            "https://www.googleapis.com/",
		YouTubeProject:           "default",
		YouTubeUploadsPerDay:     100,
		YouTubeUnitsPerDay:       10000,
		YouTubeAnalyticsReserve:  1000,
		TikTokURL:                "https://open.tiktokapis.com",
		LinkedInURL:              "https://api.linkedin.com",
		LinkedInVersion:          "202607",
		LinkedInTokenURL:         "https://www.linkedin.com/oauth/v2/accessToken",
		InstagramGraphURL:        "https://graph.facebook.com",
		InstagramAPIVersion:      "v24.0",
		InstagramRefreshURL:      "https://graph.instagram.com",
	}
	got := c
	got.Redis, got.set = Redis{}, nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("defaults:\n got %+v\nwant %+v", got, want)
	}
	if s := c.Redis.String(); s != "redis://127.0.0.1:6379/0" {
		t.Errorf("Redis = %s", s)
	}
	for _, v := range Vars() {
		if c.IsSet(v.Name) {
			t.Errorf("IsSet(%s) with an empty environment", v.Name)
		}
	}
}

func TestLoadFromNilIgnoresProcessEnvironment(t *testing.T) {
	t.Setenv("HERALD_WORKER_CONCURRENCY", "7")
	c, err := LoadFrom(nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.WorkerConcurrency != 50 {
		t.Errorf("LoadFrom(nil) read the process environment: concurrency %d", c.WorkerConcurrency)
	}
}

func TestLoadReadsProcessEnvironment(t *testing.T) {
	t.Setenv("HERALD_WORKER_CONCURRENCY", "7")
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if c.WorkerConcurrency != 7 || !c.IsSet("HERALD_WORKER_CONCURRENCY") {
		t.Errorf("concurrency %d, set %v", c.WorkerConcurrency, c.IsSet("HERALD_WORKER_CONCURRENCY"))
	}
}

func TestLoadValues(t *testing.T) {
	c, err := LoadFrom(map[string]string{
		"HERALD_REDIS_URL":               "redis-sentinel://:s3cret@s1,s2:26380/mymaster?db=2",
		"HERALD_LOG_FORMAT":              "text",
		"HERALD_LOG_LEVEL":               "DEBUG",
		"HERALD_WORKER_CONCURRENCY":      "10000",
		"HERALD_WORKER_SHUTDOWN_TIMEOUT": "1m30s",
		"HERALD_WORKER_METRICS_ADDR":     "",
		"HERALD_RETRY_MAX":               "0",
		"HERALD_RETRY_CAP":               "",
		"HERALD_RETRY_BASE":              "1h",
		"HERALD_MONITOR_READONLY":        "true",
		"HERALD_PROMETHEUS_URL":          "http://prometheus:9090",
		"HERALD_SANDBOX_URL":             "https://sandbox.test/api",
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.LogFormat != "text" || c.LogLevel != slog.LevelDebug || c.WorkerConcurrency != 10000 ||
		c.WorkerShutdownTimeout != 90*time.Second || c.RetryMax != 0 || c.RetryBase != time.Hour ||
		!c.MonitorReadOnly || c.PrometheusURL != "http://prometheus:9090" || c.SandboxURL != "https://sandbox.test/api" {
		t.Errorf("got %+v", c)
	}
	// An empty variable means its default, as if it were not set...
	if c.RetryCap != time.Hour || c.IsSet("HERALD_RETRY_CAP") {
		t.Errorf("empty HERALD_RETRY_CAP: %v, set %v", c.RetryCap, c.IsSet("HERALD_RETRY_CAP"))
	}
	// ...except where empty turns something off.
	if c.WorkerMetricsAddr != "" || !c.IsSet("HERALD_WORKER_METRICS_ADDR") {
		t.Errorf("empty HERALD_WORKER_METRICS_ADDR: %q, set %v", c.WorkerMetricsAddr, c.IsSet("HERALD_WORKER_METRICS_ADDR"))
	}
	if c.Redis.Kind() != RedisSentinel || !c.IsSet("HERALD_REDIS_URL") {
		t.Errorf("redis %v", c.Redis)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name, value string
		want        string
	}{
		{"HERALD_REDIS_URL", "http://x", `HERALD_REDIS_URL: unknown scheme "http"`},
		{"HERALD_REDIS_URL", "redis://:hunter22@h:99999/0", `HERALD_REDIS_URL: bad port "99999" for host "h"`},
		{"HERALD_LOG_FORMAT", "xml", "HERALD_LOG_FORMAT=xml: must be json or text"},
		{"HERALD_LOG_LEVEL", "loud", "HERALD_LOG_LEVEL=loud: must be debug, info, warn or error"},
		{"HERALD_LOG_LEVEL", "info+2", "HERALD_LOG_LEVEL=info+2: must be debug, info, warn or error"},
		{"HERALD_WORKER_CONCURRENCY", "abc", "HERALD_WORKER_CONCURRENCY=abc: not a number"},
		{"HERALD_WORKER_CONCURRENCY", "0", "HERALD_WORKER_CONCURRENCY=0: must be between 1 and 10000"},
		{"HERALD_WORKER_CONCURRENCY", "10001", "HERALD_WORKER_CONCURRENCY=10001: must be between 1 and 10000"},
		{"HERALD_WORKER_DEQUEUERS", "0", "HERALD_WORKER_DEQUEUERS=0: must be between 1 and 64"},
		{"HERALD_WORKER_DEQUEUERS", "65", "HERALD_WORKER_DEQUEUERS=65: must be between 1 and 64"},
		{"HERALD_WORKER_CONCURRENCY", "99999999999999999999", "HERALD_WORKER_CONCURRENCY=99999999999999999999: number out of range"},
		{"HERALD_WORKER_QUEUES", "critical,posts", `HERALD_WORKER_QUEUES=critical,posts: queue "posts" is not one of Herald's queues (critical, publish, webhooks, analytics)`},
		{"HERALD_WORKER_QUEUES", "publish=0", `HERALD_WORKER_QUEUES=publish=0: queue "publish": weight "0" is not a whole number from 1 to 100`},
		{"HERALD_WORKER_QUEUES", "publish,publish", `HERALD_WORKER_QUEUES=publish,publish: queue "publish" is named twice`},
		{"HERALD_WORKER_QUEUES", ",", "HERALD_WORKER_QUEUES=,: no queue named: give one or more of critical, publish, webhooks, analytics"},
		{"HERALD_WORKER_SHUTDOWN_TIMEOUT", "soon", "HERALD_WORKER_SHUTDOWN_TIMEOUT=soon: not a duration (e.g. 30s, 5m)"},
		{"HERALD_WORKER_SHUTDOWN_TIMEOUT", "0s", "HERALD_WORKER_SHUTDOWN_TIMEOUT=0s: must be greater than 0"},
		{"HERALD_WORKER_METRICS_ADDR", "9091", "HERALD_WORKER_METRICS_ADDR=9091: must be host:port (e.g. 127.0.0.1:8080), or empty to disable"},
		{"HERALD_DELAYED_TASK_CHECK_INTERVAL", "-1s", "HERALD_DELAYED_TASK_CHECK_INTERVAL=-1s: must be greater than 0"},
		{"HERALD_RETRY_MAX", "101", "HERALD_RETRY_MAX=101: must be between 0 and 100"},
		{"HERALD_RETRY_MAX", "-1", "HERALD_RETRY_MAX=-1: must be between 0 and 100"},
		{"HERALD_RETRY_BASE", "2h", "HERALD_RETRY_BASE=2h: must not exceed HERALD_RETRY_CAP (1h)"},
		{"HERALD_RETRY_BASE", "0", "HERALD_RETRY_BASE=0: must be greater than 0"},
		{"HERALD_RETRY_CAP", "1s", "HERALD_RETRY_BASE=10s: must not exceed HERALD_RETRY_CAP (1s)"},
		{"HERALD_RETRY_CAP", "forever", "HERALD_RETRY_CAP=forever: not a duration (e.g. 30s, 5m)"},
		{"HERALD_PUBLISH_MAX_LATENESS", "0s", "HERALD_PUBLISH_MAX_LATENESS=0s: must be greater than 0"},
		{"HERALD_LOOK_WINDOW", "0s", "HERALD_LOOK_WINDOW=0s: must be greater than 0"},
		{"HERALD_LOOK_WINDOW", "-5m", "HERALD_LOOK_WINDOW=-5m: must be greater than 0"},
		{"HERALD_LOOK_WINDOW", "soon", "HERALD_LOOK_WINDOW=soon: not a duration (e.g. 30s, 5m)"},
		{"HERALD_MONITOR_ADDR", "localhost:http", "HERALD_MONITOR_ADDR=localhost:http: port must be a number from 0 to 65535"},
		{"HERALD_MONITOR_READONLY", "maybe", "HERALD_MONITOR_READONLY=maybe: not a boolean (true or false)"},
		{"HERALD_PROMETHEUS_URL", "prometheus:9090", "HERALD_PROMETHEUS_URL=prometheus:9090: must be an http:// or https:// URL, or empty"},
		{"HERALD_PROMETHEUS_URL", "ftp://user:pw1234@p/", "HERALD_PROMETHEUS_URL=ftp://user:xxxxx@p/: must be an http:// or https:// URL, or empty"},
		{"HERALD_SANDBOX_URL", "https://", "HERALD_SANDBOX_URL=https://: must be an http:// or https:// URL, or empty"},
		{"HERALD_TOKEN_KEYS", "k1:c2VjcmV0LWtleQ==", "HERALD_TOKEN_KEYS: key 1 (k1): 10 bytes, want 32"},
		{"HERALD_TOKEN_KEYS", "just-a-secret", "HERALD_TOKEN_KEYS: key 1: want id:base64key"},
		{"HERALD_ANALYTICS_INTERVAL", "10s", "HERALD_ANALYTICS_INTERVAL=10s: must be at least 1m"},
		{"HERALD_ANALYTICS_HISTORY_DAYS", "0", "HERALD_ANALYTICS_HISTORY_DAYS=0: must be between 1 and 3650"},
		{"HERALD_RECORD_RETENTION", "24h", "HERALD_RECORD_RETENTION=24h: must be at least HERALD_ANALYTICS_WINDOW (720h0m0s)"},
		{"HERALD_ANALYTICS_WINDOW", "1000h", "HERALD_RECORD_RETENTION=720h: must be at least HERALD_ANALYTICS_WINDOW (1000h0m0s)"},
		{"HERALD_TIKTOK_PULL_PREFIXES", "http://cdn.example/", `HERALD_TIKTOK_PULL_PREFIXES=http://cdn.example/: "http://cdn.example/": every prefix must be an https:// URL`},
		{"HERALD_LINKEDIN_VERSION", "2025-10", "HERALD_LINKEDIN_VERSION=2025-10: must be YYYYMM, e.g. 202607"},
		{"HERALD_MEDIA_MAX_BYTES", "lots", "HERALD_MEDIA_MAX_BYTES=lots: not a number"},
		{"HERALD_YOUTUBE_UNITS_PER_DAY", "-5", "HERALD_YOUTUBE_UNITS_PER_DAY=-5: must not be negative"},
		{"HERALD_INSTAGRAM_API_VERSION", "24", "HERALD_INSTAGRAM_API_VERSION=24: must look like v24.0"},
		{"HERALD_META_APP_SECRET", "shh", "HERALD_META_APP_ID: set it together with HERALD_META_APP_SECRET, or neither"},
		{"HERALD_TOKEN_REFRESH_SKEW", "-1m", "HERALD_TOKEN_REFRESH_SKEW=-1m: must be greater than 0"},
		{"HERALD_GOOGLE_AUTH_URL", "accounts.google.com/o/oauth2/v2/auth", "HERALD_GOOGLE_AUTH_URL=accounts.google.com/o/oauth2/v2/auth: not an absolute URL"},
		{"HERALD_GOOGLE_TOKEN_URL", "oauth2.googleapis.com/token", "HERALD_GOOGLE_TOKEN_URL=oauth2.googleapis.com/token: not an absolute URL"},
		{"HERALD_EVENTS_MAX_LEN", "10", "HERALD_EVENTS_MAX_LEN=10: must be at least 1000"},
		{"HERALD_WEBHOOKS", "app", `HERALD_WEBHOOKS=app: "app": want name=url`},
		{"HERALD_WEBHOOKS", "App=https://a.example/h", `HERALD_WEBHOOKS=App=https://a.example/h: "App": a name is 1-32 lowercase letters`},
		{"HERALD_WEBHOOKS", "app=http://a.example/h", "HERALD_WEBHOOKS=app=http://a.example/h: app: must be https (plain http only on loopback)"},
		{"HERALD_WEBHOOKS", "app=https://127.0.0.1/h,app=https://127.0.0.1/i", `HERALD_WEBHOOKS=app=https://127.0.0.1/h,app=https://127.0.0.1/i: "app" named twice`},
		{"HERALD_WEBHOOKS", "app=http://127.0.0.1:9/h", "HERALD_WEBHOOK_SECRETS: app has no secret: every endpoint needs one"},
		{"HERALD_WEBHOOK_SECRETS", "other=0123456789abcdef0123456789", `HERALD_WEBHOOK_SECRETS: "other" is not an endpoint of HERALD_WEBHOOKS`},
		{"HERALD_WEBHOOK_MAX_AGE", "0s", "HERALD_WEBHOOK_MAX_AGE=0s: must be greater than 0"},
		{"HERALD_PUBLIC_URL", "herald.example.com", "HERALD_PUBLIC_URL=herald.example.com: not an absolute URL, or empty"},
		{"HERALD_CONNECT_RETURN_URLS", "https://app.example/ok,http://app.example/", `HERALD_CONNECT_RETURN_URLS=https://app.example/ok,http://app.example/: "http://app.example/": must be https (plain http only on loopback)`},
		{"HERALD_CONNECT_RETURN_URLS", "https://app.example/?next=x", `HERALD_CONNECT_RETURN_URLS=https://app.example/?next=x: "https://app.example/?next=x": a prefix has no query, fragment or user info`},
		{"HERALD_GOOGLE_RISC_JWKS_URL", "certs", "HERALD_GOOGLE_RISC_JWKS_URL=certs: not an absolute URL"},
		{"HERALD_RECONNECT_LEAD", "0s", "HERALD_RECONNECT_LEAD=0s: must be greater than 0"},
		{"HERALD_GOOGLE_CLIENT_ID", "123.apps.googleusercontent.com", "HERALD_GOOGLE_CLIENT_ID=123.apps.googleusercontent.com: set it together with HERALD_GOOGLE_CLIENT_SECRET, or neither"},
	}
	for _, tt := range tests {
		t.Run(tt.name+"="+tt.value, func(t *testing.T) {
			_, err := LoadFrom(map[string]string{tt.name: tt.value})
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.HasPrefix(err.Error(), tt.want) || strings.Count(err.Error(), "\n") != 0 {
				t.Errorf("error\n %s\nwant one line starting\n %s", err, tt.want)
			}
			var ve *VarError
			if !errors.As(err, &ve) || !strings.HasPrefix(tt.want, ve.Var) {
				t.Errorf("no VarError for the variable in %#v", err)
			}
			if strings.Contains(err.Error(), "hunter22") || strings.Contains(err.Error(), "pw1234") {
				t.Errorf("error shows a password: %s", err)
			}
		})
	}
}

func TestLoadReportsEveryProblem(t *testing.T) {
	_, err := LoadFrom(map[string]string{
		"HERALD_SANDBOX_URL":        "sandbox",
		"HERALD_WORKER_CONCURRENCY": "abc",
		"HERALD_LOG_FORMAT":         "xml",
		"HERALD_RETRY_BASE":         "2h",
		"HERALD_RETRY_MAX":          "many",
		"HERALD_REDIS_URL":          "redis-cluster://:pa55word@h1,h2/3",
	})
	want := strings.Join([]string{
		`HERALD_REDIS_URL: a cluster has no databases (remove the /"3")`,
		"HERALD_LOG_FORMAT=xml: must be json or text",
		"HERALD_WORKER_CONCURRENCY=abc: not a number",
		"HERALD_RETRY_MAX=many: not a number",
		"HERALD_RETRY_BASE=2h: must not exceed HERALD_RETRY_CAP (1h)",
		"HERALD_SANDBOX_URL=sandbox: must be an http:// or https:// URL, or empty",
	}, "\n")
	if err == nil || err.Error() != want {
		t.Errorf("got\n%v\nwant\n%s", err, want)
	}
}

// A secret's value must not reach an error, whatever the problem. Config
// has no secret yet, so a struct of its own stands in.
func TestSecretValueNotInErrors(t *testing.T) {
	var dst struct {
		Token   string `env:"HERALD_TOKEN" secret:"true"`
		Retries int    `env:"HERALD_TOKEN_RETRIES" secret:"true"`
		Name    string `env:"HERALD_NAME"`
	}
	l, errs := parse(&dst, map[string]string{"HERALD_TOKEN": "tok-123456", "HERALD_TOKEN_RETRIES": "xyz-secret", "HERALD_NAME": "n"})
	errs = append(errs, l.problem("HERALD_TOKEN", "too short"), l.problem("HERALD_NAME", "too plain"))
	got := joinInOrder(l.specs, errs).Error()
	want := "HERALD_TOKEN: too short\nHERALD_TOKEN_RETRIES: not a number\nHERALD_NAME=n: too plain"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestValues(t *testing.T) {
	c, err := LoadFrom(map[string]string{
		"HERALD_REDIS_URL":  "rediss://herald:pa55word@redis.example:6380/1",
		"HERALD_RETRY_BASE": "90s",
	})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]VarValue{}
	var names []string
	for _, v := range c.Values() {
		got[v.Name] = v
		names = append(names, v.Name)
	}
	var want []string
	for _, v := range Vars() {
		want = append(want, v.Name)
	}
	if !slices.Equal(names, want) {
		t.Errorf("Values names %v, want %v", names, want)
	}
	for name, want := range map[string]VarValue{
		"HERALD_REDIS_URL":           {"HERALD_REDIS_URL", "rediss://herald:xxxxx@redis.example:6380/1", false},
		"HERALD_RETRY_BASE":          {"HERALD_RETRY_BASE", "1m30s", false},
		"HERALD_RETRY_CAP":           {"HERALD_RETRY_CAP", "1h", true},
		"HERALD_LOG_LEVEL":           {"HERALD_LOG_LEVEL", "info", true},
		"HERALD_WORKER_CONCURRENCY":  {"HERALD_WORKER_CONCURRENCY", "50", true},
		"HERALD_MONITOR_READONLY":    {"HERALD_MONITOR_READONLY", "false", true},
		"HERALD_SANDBOX_URL":         {"HERALD_SANDBOX_URL", "(none)", true},
		"HERALD_WORKER_METRICS_ADDR": {"HERALD_WORKER_METRICS_ADDR", "127.0.0.1:9091", true},
	} {
		if got[name] != want {
			t.Errorf("%s: got %+v, want %+v", name, got[name], want)
		}
	}
}

func TestSecretValues(t *testing.T) {
	var c struct {
		Token string `env:"HERALD_TOKEN" secret:"true"`
	}
	s := specsOf(reflect.TypeOf(c))[0]
	if got := printable(s, reflect.ValueOf("tok")); got != "set" {
		t.Errorf("set secret prints %q", got)
	}
	if got := printable(s, reflect.ValueOf("")); got != "unset" {
		t.Errorf("unset secret prints %q", got)
	}
}

func TestWebhookEndpoints(t *testing.T) {
	c, err := LoadFrom(map[string]string{
		"HERALD_WEBHOOKS":        "app=https://app.example/hooks, local=http://127.0.0.1:9000/h",
		"HERALD_WEBHOOK_SECRETS": "app=0123456789abcdef0123456789, local=abcdefabcdefabcdefabcdefab, app=zyxwvutsrqponmlkjihgfedcba",
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []WebhookEndpoint{
		{Name: "app", URL: "https://app.example/hooks", Secrets: []string{"0123456789abcdef0123456789", "zyxwvutsrqponmlkjihgfedcba"}},
		{Name: "local", URL: "http://127.0.0.1:9000/h", Secrets: []string{"abcdefabcdefabcdefabcdefab"}},
	}
	if got := c.WebhookEndpoints(); !reflect.DeepEqual(got, want) {
		t.Errorf("endpoints\n got %+v\nwant %+v", got, want)
	}
	_, err = LoadFrom(map[string]string{"HERALD_WEBHOOKS": "app=https://a.example/", "HERALD_WEBHOOK_SECRETS": "app=short-secret-value"})
	if err == nil || strings.Contains(err.Error(), "short-secret-value") || !strings.Contains(err.Error(), "at least 24 characters") {
		t.Errorf("short secret: %v", err)
	}
}

func TestVars(t *testing.T) {
	want := []string{
		"HERALD_REDIS_URL", "HERALD_LOG_FORMAT", "HERALD_LOG_LEVEL",
		"HERALD_WORKER_CONCURRENCY", "HERALD_WORKER_DEQUEUERS", "HERALD_WORKER_QUEUES", "HERALD_WORKER_SHUTDOWN_TIMEOUT", "HERALD_WORKER_METRICS_ADDR",
		"HERALD_DELAYED_TASK_CHECK_INTERVAL", "HERALD_RETRY_MAX", "HERALD_RETRY_BASE", "HERALD_RETRY_CAP",
		"HERALD_PUBLISH_MAX_LATENESS", "HERALD_LOOK_WINDOW", "HERALD_ANALYTICS_INTERVAL", "HERALD_ANALYTICS_WINDOW",
		"HERALD_ANALYTICS_HISTORY_DAYS", "HERALD_RECORD_RETENTION", "HERALD_SCHEDULER_METRICS_ADDR",
		"HERALD_EVENTS_MAX_LEN", "HERALD_WEBHOOKS", "HERALD_WEBHOOK_SECRETS", "HERALD_WEBHOOK_MAX_AGE", "HERALD_WEBHOOK_TIMEOUT",
		"HERALD_PUBLIC_URL", "HERALD_CONNECT_RETURN_URLS", "HERALD_GOOGLE_RISC_JWKS_URL", "HERALD_GOOGLE_RISC_ISSUER", "HERALD_GOOGLE_RISC_AUDIENCE",
		"HERALD_RECONNECT_LEAD", "HERALD_API_ADDR", "HERALD_API_TOKENS", "HERALD_API_RATE_LIMIT", "HERALD_TENANTS",
		"HERALD_MONITOR_ADDR", "HERALD_MONITOR_USER", "HERALD_MONITOR_PASSWORD", "HERALD_MONITOR_TOKEN", "HERALD_MONITOR_READONLY",
		"HERALD_PROMETHEUS_URL", "HERALD_TOKEN_KEYS", "HERALD_TOKEN_REFRESH_SKEW",
		"HERALD_GOOGLE_CLIENT_ID", "HERALD_GOOGLE_CLIENT_SECRET", "HERALD_GOOGLE_AUTH_URL", "HERALD_GOOGLE_TOKEN_URL", "HERALD_GOOGLE_REVOKE_URL",
		"HERALD_MEDIA_MAX_BYTES", "HERALD_MEDIA_ALLOW_PRIVATE",
		"HERALD_YOUTUBE_API_URL", "HERALD_YOUTUBE_UPLOAD_URL", "HERALD_YOUTUBE_PROJECT", "HERALD_YOUTUBE_UPLOADS_PER_DAY",
		"HERALD_YOUTUBE_UNITS_PER_DAY", "HERALD_YOUTUBE_UPLOAD_UNITS", "HERALD_YOUTUBE_ANALYTICS_RESERVE",
		"HERALD_TIKTOK_URL", "HERALD_TIKTOK_AUTH_URL", "HERALD_TIKTOK_CLIENT_KEY", "HERALD_TIKTOK_CLIENT_SECRET", "HERALD_TIKTOK_PULL_PREFIXES",
		"HERALD_TIKTOK_UNAUDITED",
		"HERALD_LINKEDIN_URL", "HERALD_LINKEDIN_VERSION", "HERALD_LINKEDIN_TOKEN_URL", "HERALD_LINKEDIN_AUTH_URL", "HERALD_LINKEDIN_CLIENT_ID",
		"HERALD_LINKEDIN_CLIENT_SECRET",
		"HERALD_INSTAGRAM_GRAPH_URL", "HERALD_INSTAGRAM_API_VERSION", "HERALD_INSTAGRAM_REFRESH_URL",
		"HERALD_META_APP_ID", "HERALD_META_APP_SECRET", "HERALD_INSTAGRAM_APP_ID", "HERALD_INSTAGRAM_AUTH_URL", "HERALD_INSTAGRAM_TOKEN_URL", "HERALD_INSTAGRAM_APP_SECRET",
		"HERALD_SANDBOX_URL",
	}
	var names []string
	for _, v := range Vars() {
		names = append(names, v.Name)
		if v.Description == "" {
			t.Errorf("%s has no desc tag", v.Name)
		}
	}
	if !slices.Equal(names, want) {
		t.Errorf("Vars:\n got %v\nwant %v", names, want)
	}

	// caarlos0/env sees the same variables, and errors can be mapped back
	// from Go field names only while those are unique.
	params, err := env.GetFieldParams(&Config{})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, p := range params {
		keys = append(keys, p.Key)
	}
	if !slices.Equal(keys, want) {
		t.Errorf("env.GetFieldParams keys %v, want %v", keys, want)
	}
	fields := map[string]bool{}
	for _, s := range specsOf(reflect.TypeFor[Config]()) {
		if fields[s.Field] {
			t.Errorf("field name %s used twice: errors could name the wrong variable", s.Field)
		}
		fields[s.Field] = true
	}
}

// HERALD_LOOK_WINDOW's default is the worker's own: an operator who does
// not set it gets what jobs documents.
func TestLookWindowDefaultIsJobs(t *testing.T) {
	c, err := LoadFrom(map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	if c.LookWindow != jobs.DefaultLookWindow {
		t.Errorf("HERALD_LOOK_WINDOW defaults to %s, jobs.DefaultLookWindow is %s", c.LookWindow, jobs.DefaultLookWindow)
	}
	c, err = LoadFrom(map[string]string{"HERALD_LOOK_WINDOW": "90s"})
	if err != nil || c.LookWindow != 90*time.Second || !c.IsSet("HERALD_LOOK_WINDOW") {
		t.Errorf("HERALD_LOOK_WINDOW=90s: %v, set %v, %v", c.LookWindow, c.IsSet("HERALD_LOOK_WINDOW"), err)
	}
}

// TestPlatformEndpointsMustBeHTTPS: every platform endpoint carries a
// token, a client secret, a consent or the keys that vouch for security
// events, so plain http is refused except on loopback, where tests and
// the demo run their fakes. Every *_URL variable is such an endpoint but
// the few named here, so a new one is checked too.
func TestPlatformEndpointsMustBeHTTPS(t *testing.T) {
	notEndpoints := map[string]string{
		"HERALD_REDIS_URL":      "not http",
		"HERALD_PUBLIC_URL":     "Herald's own address, https checked apart (TestLoadErrors)",
		"HERALD_PROMETHEUS_URL": "an internal Prometheus, queried without a secret",
		"HERALD_SANDBOX_URL":    "the demo's fake platform, reached by service name",
	}
	n := 0
	for _, v := range Vars() {
		name := v.Name
		if !strings.HasSuffix(name, "_URL") || notEndpoints[name] != "" {
			continue
		}
		n++
		for _, u := range []string{"http://oauth.example/token", "http://10.0.0.5:8080/", "ftp://oauth.example/"} {
			_, err := LoadFrom(map[string]string{name: u})
			var ve *VarError
			if err == nil || !errors.As(err, &ve) || ve.Var != name || !strings.Contains(err.Error(), "must be") || strings.Contains(err.Error(), "\n") {
				t.Errorf("%s=%s: %v, want one error naming %s", name, u, err, name)
			}
		}
		for _, u := range []string{"https://oauth.example/token", "http://127.0.0.1:9000/token", "http://[::1]:9000/", "http://localhost:9000/"} {
			if _, err := LoadFrom(map[string]string{name: u}); err != nil {
				t.Errorf("%s=%s: %v", name, u, err)
			}
		}
	}
	if n < 15 {
		t.Errorf("checked %d endpoints, want the 15 platform URLs at least", n)
	}
	if _, err := LoadFrom(map[string]string{"HERALD_SANDBOX_URL": "http://sandbox:8090"}); err != nil {
		t.Errorf("HERALD_SANDBOX_URL=http://sandbox:8090: %v", err)
	}
}
