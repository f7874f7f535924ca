package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/tenant"
)

// Deliverer runs delivery tasks (TaskType): it posts the event, signed,
// to its endpoint. It is an asynq.Handler.
type Deliverer struct {
	rdb       redis.UniversalClient
	endpoints map[string]target
	cfg       Config
}

// NewDeliverer returns the handler of delivery tasks to cfg's endpoints.
func NewDeliverer(rdb redis.UniversalClient, cfg Config) *Deliverer {
	cfg.defaults()
	eps := map[string]target{}
	for _, t := range newTargets(cfg.Endpoints) {
		eps[t.Name] = t
	}
	return &Deliverer{rdb: rdb, endpoints: eps, cfg: cfg}
}

// ProcessTask delivers one event to one endpoint.
func (h *Deliverer) ProcessTask(ctx context.Context, t *asynq.Task) error {
	var p payload
	if err := json.Unmarshal(t.Payload(), &p); err != nil {
		return fmt.Errorf("webhook payload: %v: %w", err, asynq.SkipRetry)
	}
	if p.Event.Tenant == "" {
		p.Event.Tenant = tenant.Default // enqueued before there were tenants
	}
	ep, ok := h.endpoints[p.Endpoint]
	if !ok {
		// The endpoint left the configuration after the event was read.
		h.cfg.Logger.Warn("webhooks: endpoint no longer configured; delivery dropped", "endpoint", p.Endpoint, "event_id", p.Event.ID)
		h.cfg.observe(Endpoint{Tenant: p.Event.Tenant}, Failed)
		return nil
	}
	if p.Event.Tenant != ep.tenant() {
		// The endpoint now serves another tenant (HERALD_TENANTS
		// changed since the event was read): it is not to hear this one.
		h.cfg.Logger.Warn("webhooks: endpoint serves another tenant now; delivery dropped", "endpoint", p.Endpoint, "event_id", p.Event.ID)
		h.cfg.observe(ep.Endpoint, Failed)
		return nil
	}
	if off, err := ep.disabled(ctx, h.rdb); err != nil {
		return err
	} else if off {
		h.cfg.observe(ep.Endpoint, Failed)
		return nil
	}
	if age := h.cfg.Now().Sub(p.Event.At); age > h.cfg.MaxAge {
		h.cfg.observe(ep.Endpoint, Failed)
		return fmt.Errorf("webhook %s: event %s is %s old, past HERALD_WEBHOOK_MAX_AGE; given up: %w",
			ep.Name, p.Event.ID, age.Round(time.Second), asynq.SkipRetry)
	}
	body, _ := json.Marshal(p.Event)
	status, err := h.send(ctx, ep, p.Event, body)
	switch {
	case err != nil:
		h.cfg.observe(ep.Endpoint, Retry)
		return fmt.Errorf("webhook %s: %w", ep.Name, err)
	case status >= 200 && status < 300:
		h.cfg.observe(ep.Endpoint, Delivered)
		return nil
	case status == http.StatusGone:
		// The receiver asks to hear nothing more at this URL.
		if err := h.rdb.Set(ctx, ep.key, ep.mark, 0).Err(); err != nil {
			return err
		}
		h.cfg.Logger.Warn("webhooks: endpoint answered 410 Gone and is disabled until its URL changes", "endpoint", ep.Name)
		h.cfg.observe(ep.Endpoint, Disabled)
		return nil
	default:
		h.cfg.observe(ep.Endpoint, Retry)
		return fmt.Errorf("webhook %s: receiver answered %d", ep.Name, status)
	}
}

// send posts one delivery. Its errors never carry the URL, which may hold
// a receiver's own secret.
func (h *Deliverer) send(ctx context.Context, ep target, e events.Event, body []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(body))
	if err != nil {
		return 0, errors.New("bad endpoint URL")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Herald-Webhooks/1")
	req.Header.Set(EventIDHeader, e.ID)
	req.Header.Set(EventTypeHeader, e.Type)
	req.Header.Set(SignatureHeader, Sign(body, h.cfg.Now(), ep.Secrets...))
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
