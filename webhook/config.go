package webhook

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/heraldhq/herald/tenant"
)

// Endpoint is one receiver of every event of one tenant.
type Endpoint struct {
	// Name is what logs, metrics and task payloads say; the URL and
	// secrets stay in the configuration.
	Name    string
	URL     string
	Secrets []string
	// Tenant is the product app whose events the endpoint receives, and
	// no other's (tenant.Config.OfEndpoint; "" is tenant.Default).
	Tenant string
}

// tenant is ep's tenant, "" read as the default.
func (ep Endpoint) tenant() string {
	if ep.Tenant == "" {
		return tenant.Default
	}
	return ep.Tenant
}

// Config configures webhook delivery. With no endpoints, none runs.
type Config struct {
	Endpoints []Endpoint
	// MaxAge: a delivery still failing this long after its event is given
	// up (default 24h).
	MaxAge time.Duration
	// Timeout of one delivery (default 10s).
	Timeout time.Duration
	// Client sends deliveries (default: Timeout, no redirects followed).
	Client *http.Client
	// Observe, if set, hears each delivery attempt's outcome: Delivered,
	// Retry, Failed (given up) or Disabled (the receiver answered 410),
	// with the tenant of the endpoint.
	Observe func(tenant, outcome string)
	// ReadFailing, if set, hears whether the dispatcher can read each
	// tenant's events stream: false when it starts reading it, true when
	// reads start failing (Redis unreachable; the dispatcher retries until
	// they work), false again when they do.
	ReadFailing func(tenant string, failing bool)
	// ReadRetryMin and ReadRetryMax bound the dispatcher's wait between
	// failed reads of an events stream (default events.Reader's: 2s
	// doubling to 30s).
	ReadRetryMin, ReadRetryMax time.Duration
	// Logger (default slog.Default()).
	Logger *slog.Logger
	// Now is the clock deliveries are signed and aged with (default
	// time.Now).
	Now func() time.Time
}

// Delivery outcomes, as Config.Observe hears them.
const (
	Delivered = "delivered"
	Retry     = "retry"
	Failed    = "failed"
	Disabled  = "disabled"
)

// Group is the consumer group, on the stream of each tenant that has
// endpoints, through which workers turn events into delivery tasks.
const Group = "herald-webhooks"

// TaskType is the asynq task type of one delivery, and Queue its queue.
// The names are part of Herald's contract with operators (asynqmon shows
// them) and must not change.
const (
	TaskType = "webhook:deliver"
	Queue    = "webhooks"
)

// payloadVersion is the version of a delivery task's payload.
const payloadVersion = 1

func (c *Config) defaults() {
	if c.MaxAge <= 0 {
		c.MaxAge = 24 * time.Hour
	}
	if c.Timeout <= 0 {
		c.Timeout = 10 * time.Second
	}
	if c.Client == nil {
		c.Client = &http.Client{
			Timeout: c.Timeout,
			// A redirect is the receiver's misconfiguration; following it
			// would send signed events somewhere nobody configured.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

func (c *Config) observe(ep Endpoint, outcome string) {
	if c.Observe != nil {
		c.Observe(ep.tenant(), outcome)
	}
}
