package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/events"
)

// payload is a delivery task's payload: the event itself (it holds no
// secret) and the endpoint's name.
type payload struct {
	V        int          `json:"v"`
	Endpoint string       `json:"endpoint"`
	Event    events.Event `json:"event"`
}

// Dispatcher turns every event into one delivery task per enabled
// endpoint. Each worker runs one, as a consumer of Group; the task id
// (endpoint and event id) keeps an event that is read twice (a worker
// died before acknowledging it) from being delivered twice while its
// first task is kept.
type Dispatcher struct {
	rdb     redis.UniversalClient
	q       *asynq.Client
	targets []target
	cfg     Config
}

// NewDispatcher returns a dispatcher of events to cfg's endpoints.
func NewDispatcher(rdb redis.UniversalClient, cfg Config) *Dispatcher {
	cfg.defaults()
	return &Dispatcher{rdb: rdb, q: asynq.NewClientFromRedisClient(rdb), targets: newTargets(cfg.Endpoints), cfg: cfg}
}

// Run dispatches until ctx ends, then leaves the consumer group, so a
// worker that stops leaves no consumer behind. It returns nil when ctx
// ended, else the error that stopped it: joining the group failed, or
// Redis stayed unreachable past the reader's retries.
func (d *Dispatcher) Run(ctx context.Context) error {
	r, err := events.NewReader(ctx, d.rdb, Group, "")
	if err != nil {
		return err
	}
	err = r.ConsumeBatches(ctx, d.batch)
	// Leave on a context of its own: ctx has ended.
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if cerr := r.Close(lctx); cerr != nil {
		d.cfg.Logger.Warn("webhooks: leaving the consumer group failed; a later reader reaps the consumer", "consumer", r.Consumer(), "error", cerr)
	}
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// batch enqueues the deliveries of events and returns the ids of those
// fully enqueued. Endpoints' disabled flags are read once per batch; the
// deliveries check them again, so an endpoint disabled during a batch
// gets nothing more.
func (d *Dispatcher) batch(ctx context.Context, evs []events.Event) []string {
	off, err := allDisabled(ctx, d.rdb, d.targets)
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
		for i, ep := range d.targets {
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
