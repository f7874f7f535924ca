package jobs

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/webhook"
)

// WebhookEndpoint is one receiver of every event.
type WebhookEndpoint struct {
	// Name is what logs, metrics and task payloads say; the URL and
	// secrets stay in the configuration.
	Name    string
	URL     string
	Secrets []string
}

// WebhookConfig configures webhook delivery. With no endpoints, none runs.
type WebhookConfig struct {
	Endpoints []WebhookEndpoint
	// MaxAge: a delivery still failing this long after its event is given
	// up (default 24h).
	MaxAge time.Duration
	// Timeout of one delivery (default 10s).
	Timeout time.Duration
	// Client sends deliveries (default: Timeout, no redirects followed).
	Client *http.Client
	// Observe, if set, hears each delivery attempt's outcome: delivered,
	// retry, failed (given up) or disabled (the receiver answered 410).
	Observe func(outcome string)
}

// Webhook delivery outcomes, as WebhookConfig.Observe hears them.
const (
	WebhookDelivered = "delivered"
	WebhookRetry     = "retry"
	WebhookFailed    = "failed"
	WebhookDisabled  = "disabled"
)

// WebhookGroup is the consumer group of the events stream through which
// workers turn events into webhook:deliver tasks.
const WebhookGroup = "herald-webhooks"

func (c *WebhookConfig) defaults() {
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
}

// webhookPayload is a webhook:deliver task's payload: the event itself
// (it holds no secret) and the endpoint's name.
type webhookPayload struct {
	V        int    `json:"v"`
	Endpoint string `json:"endpoint"`
	Event    Event  `json:"event"`
}

func webhookDisabledKey(name string) string { return "herald:webhook:{" + name + "}:disabled" }

// urlMark identifies an endpoint's URL without storing it: a 410 disables
// the endpoint only while it keeps that URL.
func urlMark(u string) string {
	s := sha256.Sum256([]byte(u))
	return hex.EncodeToString(s[:8])
}

// webhookTarget is a configured endpoint with its disabled flag's key and
// its URL's mark, worked out once when the worker is built.
type webhookTarget struct {
	WebhookEndpoint
	key  string
	mark string
}

func newWebhookTargets(eps []WebhookEndpoint) []webhookTarget {
	ts := make([]webhookTarget, len(eps))
	for i, ep := range eps {
		ts[i] = webhookTarget{WebhookEndpoint: ep, key: webhookDisabledKey(ep.Name), mark: urlMark(ep.URL)}
	}
	return ts
}

// webhookDisabled reports whether t answered 410 at its current URL.
func webhookDisabled(ctx context.Context, rdb redis.UniversalClient, t webhookTarget) (bool, error) {
	return t.disabled(rdb.Get(ctx, t.key))
}

// disabled reads the answer to a GET of t's flag: set, and to t's current
// URL.
func (t webhookTarget) disabled(get *redis.StringCmd) (bool, error) {
	mark, err := get.Result()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("webhook %s: %w", t.Name, err)
	}
	return mark == t.mark, nil
}

// webhooksDisabled is webhookDisabled for every target in one pipeline:
// one round trip (one per node of a cluster, where the flags' keys may
// live on different nodes and MGET would be refused).
func webhooksDisabled(ctx context.Context, rdb redis.UniversalClient, ts []webhookTarget) ([]bool, error) {
	cmds := make([]*redis.StringCmd, len(ts))
	pipe := rdb.Pipeline()
	for i, t := range ts {
		cmds[i] = pipe.Get(ctx, t.key)
	}
	// Exec's error is the first command's, redis.Nil for a flag that is
	// not set: each command's is looked at below.
	_, _ = pipe.Exec(ctx)
	off := make([]bool, len(ts))
	for i, cmd := range cmds {
		var err error
		if off[i], err = ts[i].disabled(cmd); err != nil {
			return nil, err
		}
	}
	return off, nil
}

// dispatchWebhooks turns every event into one webhook:deliver task per
// enabled endpoint until ctx ends. Each worker runs one, as a consumer of
// WebhookGroup; the task id (endpoint and event id) keeps an event that
// is read twice (a worker died before acknowledging it) from being
// delivered twice while its first task is kept. Endpoints' disabled flags
// are read once per batch of events; the deliveries check them again, so
// an endpoint disabled during a batch gets nothing more.
func dispatchWebhooks(ctx context.Context, rdb redis.UniversalClient, targets []webhookTarget, log *slog.Logger) error {
	r, err := NewEventReader(ctx, rdb, WebhookGroup, "")
	if err != nil {
		return err
	}
	q := asynq.NewClientFromRedisClient(rdb)
	return r.consumeBatches(ctx, func(ctx context.Context, events []Event) []string {
		off, err := webhooksDisabled(ctx, rdb, targets)
		if err != nil {
			// Nothing is acknowledged: the batch is read again.
			if ctx.Err() != nil {
				return nil
			}
			log.Warn("webhooks: reading endpoints' state failed; the events will be read again", "error", err)
			return nil
		}
		done := make([]string, 0, len(events))
	events:
		for _, e := range events {
			for i, ep := range targets {
				if off[i] {
					continue
				}
				payload, _ := json.Marshal(webhookPayload{V: payloadVersion, Endpoint: ep.Name, Event: e})
				_, err := q.EnqueueContext(ctx, asynq.NewTask(TypeWebhookDeliver, payload),
					asynq.TaskID("webhook:"+ep.Name+":"+e.ID), asynq.Queue(QueueWebhooks),
					asynq.MaxRetry(50), asynq.Retention(10*time.Minute))
				if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
					log.Warn("webhooks: enqueue delivery failed; the event will be read again", "endpoint", ep.Name, "event_id", e.ID, "error", err)
					continue events
				}
			}
			done = append(done, e.ID)
		}
		return done
	})
}

// webhookHandler runs webhook:deliver tasks.
type webhookHandler struct {
	rdb       redis.UniversalClient
	endpoints map[string]webhookTarget
	cfg       WebhookConfig
	now       func() time.Time
	log       *slog.Logger
}

func (h *webhookHandler) observe(outcome string) {
	if h.cfg.Observe != nil {
		h.cfg.Observe(outcome)
	}
}

func (h *webhookHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	var p webhookPayload
	if err := json.Unmarshal(t.Payload(), &p); err != nil {
		return fmt.Errorf("webhook payload: %v: %w", err, asynq.SkipRetry)
	}
	ep, ok := h.endpoints[p.Endpoint]
	if !ok {
		// The endpoint left the configuration after the event was read.
		h.log.Warn("webhooks: endpoint no longer configured; delivery dropped", "endpoint", p.Endpoint, "event_id", p.Event.ID)
		h.observe(WebhookFailed)
		return nil
	}
	if off, err := webhookDisabled(ctx, h.rdb, ep); err != nil {
		return err
	} else if off {
		h.observe(WebhookFailed)
		return nil
	}
	if age := h.now().Sub(p.Event.At); age > h.cfg.MaxAge {
		h.observe(WebhookFailed)
		return fmt.Errorf("webhook %s: event %s is %s old, past HERALD_WEBHOOK_MAX_AGE; given up: %w",
			ep.Name, p.Event.ID, age.Round(time.Second), asynq.SkipRetry)
	}
	body, _ := json.Marshal(p.Event)
	status, err := h.send(ctx, ep, p.Event, body)
	switch {
	case err != nil:
		h.observe(WebhookRetry)
		return fmt.Errorf("webhook %s: %w", ep.Name, err)
	case status >= 200 && status < 300:
		h.observe(WebhookDelivered)
		return nil
	case status == http.StatusGone:
		// The receiver asks to hear nothing more at this URL.
		if err := h.rdb.Set(ctx, ep.key, ep.mark, 0).Err(); err != nil {
			return err
		}
		h.log.Warn("webhooks: endpoint answered 410 Gone and is disabled until its URL changes", "endpoint", ep.Name)
		h.observe(WebhookDisabled)
		return nil
	default:
		h.observe(WebhookRetry)
		return fmt.Errorf("webhook %s: receiver answered %d", ep.Name, status)
	}
}

// send posts one delivery. Its errors never carry the URL, which may hold
// a receiver's own secret.
func (h *webhookHandler) send(ctx context.Context, ep webhookTarget, e Event, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(body))
	if err != nil {
		return 0, errors.New("bad endpoint URL")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Herald-Webhooks/1")
	req.Header.Set(webhook.EventIDHeader, e.ID)
	req.Header.Set(webhook.EventTypeHeader, e.Type)
	req.Header.Set(webhook.SignatureHeader, webhook.Sign(body, h.now(), ep.Secrets...))
	resp, err := h.cfg.Client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return 0, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	return resp.StatusCode, nil
}

// WebhookState is what Herald knows of an endpoint.
type WebhookState struct {
	Name string `json:"name"`
	// Disabled: the receiver answered 410 Gone at the endpoint's current
	// URL; nothing is delivered to it until it is enabled again or its URL
	// changes.
	Disabled bool `json:"disabled"`
}

// WebhookStates says, for each endpoint, whether it is disabled.
func (c *Client) WebhookStates(ctx context.Context, eps []WebhookEndpoint) ([]WebhookState, error) {
	off, err := webhooksDisabled(ctx, c.store.rdb, newWebhookTargets(eps))
	if err != nil {
		return nil, err
	}
	out := make([]WebhookState, len(eps))
	for i, ep := range eps {
		out[i] = WebhookState{Name: ep.Name, Disabled: off[i]}
	}
	return out, nil
}

// EnableWebhook delivers to the endpoint name again after it answered 410
// Gone. Events appended while it was disabled are not sent.
func (c *Client) EnableWebhook(ctx context.Context, name string) error {
	return c.store.rdb.Del(ctx, webhookDisabledKey(name)).Err()
}
