package events

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/internal/wait"
	"github.com/heraldhq/herald/tenant"
)

// Reader reads one tenant's stream as one consumer of a consumer group:
// every event is handed to one consumer of the group, and an event a
// consumer read but did not acknowledge (it crashed) is handed out again
// after ClaimAfter. A consumer group belongs to one stream, so the
// groups of two tenants never share an event even under one name.
type Reader struct {
	rdb      redis.UniversalClient
	tenant   string
	stream   string
	group    string
	consumer string
	// Block is how long Read waits for new events (default 2s).
	Block time.Duration
	// ClaimAfter is how long an event may stay unacknowledged before
	// another consumer takes it over (default 1m). Read looks for such
	// events on its first call and then every ClaimAfter/2, so one is
	// taken over between ClaimAfter and 1.5×ClaimAfter after it was read.
	// The same scan deletes consumers of the group that hold no events
	// and were idle longer than ClaimAfter (processes that died without
	// Close).
	ClaimAfter time.Duration
	// RetryMin and RetryMax bound ConsumeBatches' wait between reads
	// while they fail (Redis restarting, failing over, unreachable): it
	// starts at RetryMin and doubles up to RetryMax, jittered into the
	// upper half of each step (default 2s and 30s). ConsumeBatches never
	// gives up: asynq rides out an outage of any length, and a process
	// that exited would leave its in-flight tasks to orphan recovery.
	RetryMin, RetryMax time.Duration
	// Logger hears ConsumeBatches' failing reads: a warning when they
	// start, again at most once a minute while they go on, and a note
	// when a read works again (default slog.Default()).
	Logger *slog.Logger
	// OnFailing, if set, hears true when ConsumeBatches' reads start
	// failing and false once one works again (or ConsumeBatches ends): a
	// gauge of whether the reader can read its stream.
	OnFailing func(failing bool)
	// now is the clock that paces the failure log (time.Now; tests set
	// it).
	now func() time.Time

	mu sync.Mutex
	// claimed is when the last scan of the pending entries ended; zero
	// before the first.
	claimed time.Time
	// claimFrom is where an unfinished scan goes on ("" when none is).
	claimFrom string
}

// NewReader joins consumer group of tenant t's stream (creating it, to
// read the events appended from now on, if it does not exist) as
// consumer. t is required: tenant.Default in a deployment without
// tenants. An empty consumer name is made from the host name, the process
// id and a random part, so two readers of one process never share a name.
func NewReader(ctx context.Context, rdb redis.UniversalClient, t, group, consumer string) (*Reader, error) {
	if err := tenant.Check(t); err != nil {
		return nil, fmt.Errorf("events: a reader needs its tenant (tenant.Default without tenants): %w", err)
	}
	if group == "" {
		return nil, errors.New("events: a reader needs a group name")
	}
	if consumer == "" {
		host, _ := os.Hostname()
		consumer = host + ":" + strconv.Itoa(os.Getpid()) + ":" + randomSuffix()
	}
	stream := StreamOf(t)
	err := rdb.XGroupCreateMkStream(ctx, stream, group, "$").Err()
	if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
		return nil, fmt.Errorf("create consumer group %s of %s: %w", group, stream, err)
	}
	return &Reader{rdb: rdb, tenant: t, stream: stream, group: group, consumer: consumer, Block: 2 * time.Second, ClaimAfter: time.Minute,
		RetryMin: defaultRetryMin, RetryMax: defaultRetryMax}, nil
}

func randomSuffix() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Consumer is the reader's name in its group.
func (r *Reader) Consumer() string { return r.consumer }

// Tenant is the tenant whose stream the reader reads.
func (r *Reader) Tenant() string { return r.tenant }

// Read returns up to count events for this consumer: first events other
// consumers left unacknowledged for ClaimAfter, then new ones, waiting up
// to Block for them. It looks for the former only when due (see
// ClaimAfter), sparing a round trip and a scan of the pending entries on
// most calls. An entry that is not a valid event of the reader's tenant
// is acknowledged and skipped. Acknowledge each event with Ack once it
// is handled.
//
// When the group is gone (Redis restarted without its data, or someone
// deleted the stream or the group), Read joins it again from the start
// of the stream and returns nothing: the entries the stream holds then
// were appended after the loss, so the group never handed them out
// (were the group alone deleted, its old entries come again: delivery is
// at least once).
func (r *Reader) Read(ctx context.Context, count int) ([]Event, error) {
	msgs, err := r.fetch(ctx, count)
	if isNoGroup(err) {
		if jerr := r.rejoin(ctx); jerr != nil {
			return nil, fmt.Errorf("%w; joining the group again: %w", err, jerr)
		}
		r.logger().Warn("events: the consumer group was gone (Redis lost its data, or the stream or group was deleted); joined it again from the start of the stream",
			"tenant", r.tenant, "stream", r.stream, "group", r.group, "consumer", r.consumer)
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	events := make([]Event, 0, len(msgs))
	var bad []string
	for _, m := range msgs {
		e, err := Parse(m)
		if err != nil || e.Tenant != r.tenant {
			// Only a hand-made entry names another tenant: Herald
			// appends each event to its own tenant's stream.
			bad = append(bad, m.ID)
			continue
		}
		events = append(events, e)
	}
	if len(bad) > 0 {
		if err := r.Ack(ctx, bad...); err != nil {
			return events, err
		}
	}
	return events, nil
}

// fetch returns the entries claim takes over, else up to count new ones.
func (r *Reader) fetch(ctx context.Context, count int) ([]redis.XMessage, error) {
	msgs, err := r.claim(ctx, count)
	if err != nil || len(msgs) > 0 {
		return msgs, err
	}
	res, err := r.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{
		Group: r.group, Consumer: r.consumer, Streams: []string{r.stream, ">"},
		Count: int64(count), Block: r.Block,
	}).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read events: %w", err)
	}
	return res[0].Messages, nil
}

// isNoGroup reports whether err is Redis's answer for a stream or group
// that does not exist.
func isNoGroup(err error) bool {
	var re redis.Error
	return errors.As(err, &re) && strings.HasPrefix(re.Error(), "NOGROUP")
}

// rejoin creates the group again at the start of the stream (and the
// stream, if gone), and forgets where the last scan of the lost group's
// pending entries stopped.
func (r *Reader) rejoin(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.claimFrom, r.claimed = "", time.Time{}
	err := r.rdb.XGroupCreateMkStream(ctx, r.stream, r.group, "0").Err()
	if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
		return fmt.Errorf("create consumer group %s of %s: %w", r.group, r.stream, err)
	}
	return nil
}

// claim takes over up to count entries left pending for ClaimAfter, when
// a scan of the pending entries is due: on the first call, every
// ClaimAfter/2 after that, and on every call while a scan that stopped at
// count has not reached the end. A scan that reached the end also reaps
// the group's idle, empty consumers.
func (r *Reader) claim(ctx context.Context, count int) ([]redis.XMessage, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	start := r.claimFrom
	if start == "" {
		if !r.claimed.IsZero() && time.Since(r.claimed) < r.ClaimAfter/2 {
			return nil, nil
		}
		start = "0-0"
	}
	msgs, next, err := r.rdb.XAutoClaim(ctx, &redis.XAutoClaimArgs{
		Stream: r.stream, Group: r.group, Consumer: r.consumer,
		MinIdle: r.ClaimAfter, Start: start, Count: int64(count),
	}).Result()
	if err != nil {
		return nil, fmt.Errorf("claim events: %w", err)
	}
	if next == "0-0" || next == "" {
		r.claimFrom, r.claimed = "", time.Now()
		r.reap(ctx)
	} else {
		r.claimFrom = next
	}
	return msgs, nil
}

// Ack acknowledges handled events by id.
func (r *Reader) Ack(ctx context.Context, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	return r.rdb.XAck(ctx, r.stream, r.group, ids...).Err()
}

// Consume hands every event to handle until ctx ends, acknowledging those
// it returned nil for. An event handle failed stays pending and is read
// again after ClaimAfter, by this consumer or another. Redis errors are
// retried as ConsumeBatches says; Consume returns ctx's error once ctx
// ends, and only then.
func (r *Reader) Consume(ctx context.Context, handle func(context.Context, Event) error) error {
	return r.ConsumeBatches(ctx, func(ctx context.Context, events []Event) []string {
		var done []string
		for _, e := range events {
			if handle(ctx, e) == nil {
				done = append(done, e.ID)
			}
		}
		return done
	})
}

// ConsumeBatches is Consume handing each non-empty batch Read returns to
// handle at once; it acknowledges the ids handle returns. A failed read
// (Redis restarting, failing over, unreachable) is retried after a wait
// that grows from RetryMin to RetryMax, for as long as it takes: only
// ctx ending stops ConsumeBatches, and it returns ctx's error. Logger and
// OnFailing hear when reads start failing and when they work again.
func (r *Reader) ConsumeBatches(ctx context.Context, handle func(context.Context, []Event) []string) error {
	f := readFailures{r: r}
	defer f.ended()
	for ctx.Err() == nil {
		events, err := r.Read(ctx, 100)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			if err := wait.Sleep(ctx, f.failed(err)); err != nil {
				break
			}
			continue
		}
		f.recovered()
		if len(events) == 0 {
			continue
		}
		if err := r.Ack(ctx, handle(ctx, events)...); err != nil && ctx.Err() == nil {
			// Unacknowledged events come back: handlers are idempotent.
			continue
		}
	}
	return ctx.Err()
}
