package metrics

import (
	"regexp"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/heraldhq/herald/tenant"
)

// Events counts what Herald tells apps: entries appended to the events
// streams and webhook deliveries, and shows whether the webhook
// dispatcher can read the streams. Its methods fit hook funcs; a nil
// *Events counts nothing.
type Events struct {
	appended    *prometheus.CounterVec
	delivered   *prometheus.CounterVec
	readFailing *prometheus.GaugeVec
	// tenants bounds the tenant label (set by Tenants).
	tenants tenant.Config
	// series holds the appended counter of each tenant and well-formed
	// type, looked up once: a worker appends two events per attempt.
	series sync.Map // appendedKey -> prometheus.Counter
}

// Webhook delivery outcomes, the outcome label of
// herald_webhooks_delivered_total.
const (
	WebhookDelivered = "delivered"
	WebhookRetry     = "retry"
	WebhookFailed    = "failed"
	WebhookDisabled  = "disabled" // the receiver answered 410 Gone
)

// NewEvents registers the event metrics on reg.
func NewEvents(reg prometheus.Registerer) *Events {
	e := &Events{
		appended: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herald_events_appended_total",
			Help: "Entries appended to the events streams (herald:events and each tenant's), by event type and tenant.",
		}, []string{"type", "tenant"}),
		delivered: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "herald_webhooks_delivered_total",
			Help: "Webhook delivery attempts by outcome (delivered, retry, failed: given up, disabled: the receiver answered 410) and the endpoint's tenant.",
		}, []string{"outcome", "tenant"}),
		readFailing: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "herald_webhooks_read_failing",
			Help: "1 while this worker's webhook dispatcher cannot read the tenant's events stream (Redis unreachable: it retries, and no deliveries are enqueued meanwhile), else 0.",
		}, []string{"tenant"}),
	}
	reg.MustRegister(e.appended, e.delivered, e.readFailing)
	return e
}

// eventType is the shape of Herald's event types ("post.published",
// "analytics.refreshed").
var eventType = regexp.MustCompile(`^[a-z][a-z_]{0,23}\.[a-z][a-z_]{0,23}$`)

// appendedKey names one series of herald_events_appended_total, as
// given (a type of the wrong shape counts as "other" but is looked up
// by what was given, so the cache holds what callers pass: Herald's
// own types and tenants, a bounded set).
type appendedKey struct{ tenant, typ string }

// Appended counts one entry of type typ appended to tenant t's events
// stream.
func (e *Events) Appended(t, typ string) {
	if e == nil {
		return
	}
	k := appendedKey{t, typ}
	if c, ok := e.series.Load(k); ok {
		c.(prometheus.Counter).Inc()
		return
	}
	label := typ
	if !eventType.MatchString(typ) {
		label = other
	}
	c := e.appended.WithLabelValues(label, e.tenants.Label(t))
	if label != other {
		e.series.Store(k, c)
	}
	c.Inc()
}

// Tenants sets the configured tenants, the values the tenant label takes
// (any other counts as "other"). Call it before the first Appended or
// Delivered.
func (e *Events) Tenants(c tenant.Config) {
	if e != nil {
		e.tenants = c
	}
}

// Delivered counts one webhook delivery attempt to an endpoint of tenant
// t that ended with outcome; it fits webhook.Config.Observe.
func (e *Events) Delivered(t, outcome string) {
	if e == nil {
		return
	}
	e.delivered.WithLabelValues(oneOf(outcome, WebhookDelivered, WebhookRetry, WebhookFailed, WebhookDisabled), e.tenants.Label(t)).Inc()
}

// ReadFailing sets whether the webhook dispatcher's reader of tenant t's
// events stream is failing; it fits webhook.Config.ReadFailing, which
// sets false as each reader starts, so the series exists before the
// first failure.
func (e *Events) ReadFailing(t string, failing bool) {
	if e == nil {
		return
	}
	v := 0.0
	if failing {
		v = 1
	}
	e.readFailing.WithLabelValues(e.tenants.Label(t)).Set(v)
}
