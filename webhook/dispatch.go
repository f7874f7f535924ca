package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/errgroup"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/tenant"
)

// payload is a delivery task's payload: the event itself (it holds no
// secret) and the endpoint's name.
type payload struct {
	V        int          `json:"v"`
	Endpoint string       `json:"endpoint"`
	Event    events.Event `json:"event"`
}

// Dispatcher turns every event into one delivery task per enabled
// endpoint of the event's tenant. Each worker runs one: a consumer of
// Group on the stream of each tenant that has endpoints, so an endpoint
// is only ever handed its own tenant's events. The task id (endpoint and
// event id) keeps an event that is read twice (a worker died before
// acknowledging it) from being delivered twice while its first task is
// kept; an endpoint has one tenant, so two tenants' streams giving the
// same entry id never meet in one task id.
type Dispatcher struct {
	rdb redis.UniversalClient
	q   *asynq.Client
	// byTenant holds the endpoints of each tenant that has some.
	byTenant map[string][]target
	cfg      Config
}

// NewDispatcher returns a dispatcher of events to cfg's endpoints.
func NewDispatcher(rdb redis.UniversalClient, cfg Config) *Dispatcher {
	cfg.defaults()
	by := map[string][]target{}
	for _, t := range newTargets(cfg.Endpoints) {
		by[t.tenant()] = append(by[t.tenant()], t)
	}
	return &Dispatcher{rdb: rdb, q: asynq.NewClientFromRedisClient(rdb), byTenant: by, cfg: cfg}
}

// Run dispatches until ctx ends, reading the stream of every tenant with
// endpoints (one blocking read each), then leaves the consumer groups, so
// a worker that stops leaves no consumer behind. A Redis outage, however
// long, does not stop it: its readers retry until Redis answers again
// (Config.ReadFailing hears when they fail), as asynq does. It returns
// nil when ctx ended, else the error that stopped it: joining a group at
// the start failed.
func (d *Dispatcher) Run(ctx context.Context) error {
	g, gctx := errgroup.WithContext(ctx)
	for _, t := range slices.Sorted(maps.Keys(d.byTenant)) {
		g.Go(func() error { return d.run(gctx, t, d.byTenant[t]) })
	}
	err := g.Wait()
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// run dispatches tenant t's events to its endpoints ts until ctx ends.
func (d *Dispatcher) run(ctx context.Context, t string, ts []target) error {
	r, err := events.NewReader(ctx, d.rdb, t, Group, "")
	if err != nil {
		return err
	}
	r.Logger = d.cfg.Logger
	if d.cfg.ReadRetryMin > 0 {
		r.RetryMin = d.cfg.ReadRetryMin
	}
	if d.cfg.ReadRetryMax > 0 {
		r.RetryMax = d.cfg.ReadRetryMax
	}
	if d.cfg.ReadFailing != nil {
		// The series starts at 0, so that an alert sees the first failure.
		d.cfg.ReadFailing(t, false)
		r.OnFailing = func(failing bool) { d.cfg.ReadFailing(t, failing) }
	}
	// ConsumeBatches only ends with ctx, whatever Redis does.
	err = r.ConsumeBatches(ctx, func(ctx context.Context, evs []events.Event) []string { return d.batch(ctx, ts, evs) })
	// Leave on a context of its own: ctx has ended.
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if cerr := r.Close(lctx); cerr != nil {
		d.cfg.Logger.Warn("webhooks: leaving the consumer group failed; a later reader reaps the consumer", "tenant", t, "consumer", r.Consumer(), "error", cerr)
	}
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// batch enqueues the deliveries of events to the endpoints ts (of the
// events' tenant) and returns the ids of those fully enqueued. Endpoints'
// disabled flags are read once per batch; the deliveries check them
// again, so an endpoint disabled during a batch gets nothing more.
func (d *Dispatcher) batch(ctx context.Context, ts []target, evs []events.Event) []string {
	off, err := allDisabled(ctx, d.rdb, ts)
	if err != nil {
		// Nothing is acknowledged: the batch is read again.
		if ctx.Err() == nil {
			d.cfg.Logger.Warn("webhooks: reading endpoints' state failed; the events will be read again", "error", err)
		}
		return nil
	}
	done := make([]string, 0, len(evs))
evs:
	for _, e := range evs {
		for i, ep := range ts {
			if off[i] {
				continue
			}
			body, _ := json.Marshal(payload{V: payloadVersion, Endpoint: ep.Name, Event: e})
			_, err := d.q.EnqueueContext(ctx, asynq.NewTask(TaskType, body),
				asynq.TaskID("webhook:"+ep.Name+":"+e.ID), asynq.Queue(Queue),
				asynq.MaxRetry(50), asynq.Retention(10*time.Minute))
			if err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
				d.cfg.Logger.Warn("webhooks: enqueue delivery failed; the event will be read again", "endpoint", ep.Name, "event_id", e.ID, "error", err)
				continue evs
			}
		}
		done = append(done, e.ID)
	}
	return done
}

// TaskAbout reports whether a delivery task's payload is an event about
// account, a stored (qualified) account id: what erasing the account
// deletes. The event in a payload holds the app's id and the tenant, so
// "acct-1" of one tenant never matches another tenant's "acct-1".
func TaskAbout(body []byte, account string) bool {
	t, app := tenant.Split(account)
	if !bytes.Contains(body, []byte(`"account_id":"`+app+`"`)) {
		return false // most tasks: spare the JSON parse
	}
	var p payload
	if json.Unmarshal(body, &p) != nil {
		return false
	}
	if p.Event.Tenant == "" {
		p.Event.Tenant = tenant.Default // enqueued before there were tenants
	}
	return p.Event.Tenant == t && p.Event.AccountID == app
}
