package jobs

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/publishers"
)

// EventsStream is the Redis stream every state change is appended to.
const EventsStream = "herald:events"

// DefaultEventsMaxLen caps the stream unless configured otherwise;
// consumers that fall further behind lose the oldest events.
const DefaultEventsMaxLen = 100_000

// Event types. They are part of Herald's contract with product apps.
const (
	EventPostScheduled  = "post.scheduled"
	EventPostPublishing = "post.publishing"
	EventPostPublished  = "post.published"
	EventPostRetry      = "post.retry"
	EventPostFailed     = "post.failed"
	EventPostCanceled   = "post.canceled"
	EventPostEdited     = "post.edited"

	EventAccountConnected      = "account.connected"
	EventAccountReauthRequired = "account.reauth_required"
	EventAccountReconnectDue   = "account.reconnect_due"
	EventAccountDisconnected   = "account.disconnected"
	EventAccountDeauthorized   = "account.deauthorized"
	EventAccountErased         = "account.erased"

	EventAnalyticsRefreshed = "analytics.refreshed"
)

// EventRetry is the type of the event appended when an attempt failed and
// the post will be tried again.
const EventRetry = EventPostRetry

// Event is one entry of the events stream, in the JSON form webhooks
// deliver and `herald events tail --json` prints. Fields that do not
// apply to an event's type are left out of the JSON.
type Event struct {
	// ID is the stream entry id: unique, increasing, and the key for a
	// consumer that must not act twice on one event.
	ID        string    `json:"id"`
	Type      string    `json:"type"`
	At        time.Time `json:"at"`
	AccountID string    `json:"account_id"`
	Platform  string    `json:"platform,omitempty"`
	PostID    string    `json:"post_id,omitempty"`
	State     State     `json:"state,omitempty"`
	Attempt   int       `json:"attempt,omitempty"`
	// Class is the error class of a retry or failure: transient,
	// rate_limited, reauth or permanent.
	Class    string `json:"class,omitempty"`
	Reason   string `json:"reason,omitempty"`
	RemoteID string `json:"remote_id,omitempty"`
	URL      string `json:"url,omitempty"`
}

// values is e as stream fields.
// stamp dates e and, when it has no type, names it after its post's
// state: what every way of appending an event does first.
func (e *Event) stamp(at time.Time) {
	if e.Type == "" {
		e.Type = "post." + string(e.State)
	}
	e.At = at
}

func (e Event) values() []any {
	v := []any{"type", e.Type, "account_id", e.AccountID, "at", e.At.UTC().Format(time.RFC3339Nano)}
	for _, kv := range [][2]string{
		{"platform", e.Platform}, {"post_id", e.PostID}, {"state", string(e.State)},
		{"class", e.Class}, {"reason", e.Reason}, {"remote_id", e.RemoteID}, {"url", e.URL},
	} {
		if kv[1] != "" {
			v = append(v, kv[0], kv[1])
		}
	}
	if e.Attempt > 0 {
		v = append(v, "attempt", strconv.Itoa(e.Attempt))
	}
	return v
}

// ParseEvent reads a stream entry of EventsStream.
func ParseEvent(m redis.XMessage) (Event, error) {
	s := func(k string) string { v, _ := m.Values[k].(string); return v }
	e := Event{
		ID: m.ID, Type: s("type"), AccountID: s("account_id"), Platform: s("platform"),
		PostID: s("post_id"), State: State(s("state")), Class: s("class"), Reason: s("reason"),
		RemoteID: s("remote_id"), URL: s("url"),
	}
	if e.Type == "" {
		return e, fmt.Errorf("event %s: no type", m.ID)
	}
	at, err := time.Parse(time.RFC3339Nano, s("at"))
	if err != nil {
		return e, fmt.Errorf("event %s: at: %w", m.ID, err)
	}
	e.At = at
	if a := s("attempt"); a != "" && a != "0" {
		if e.Attempt, err = strconv.Atoi(a); err != nil {
			return e, fmt.Errorf("event %s: attempt %q is not a number", m.ID, a)
		}
	}
	return e, nil
}

// appendEvent adds e to the stream, stamped with the store's clock. Its
// error is for the caller to log or drop: the record, not the stream, is
// the truth, and a lost event never undoes a state change.
func (s *store) appendEvent(ctx context.Context, e Event) error {
	e.stamp(s.now())
	err := s.rdb.XAdd(ctx, &redis.XAddArgs{
		Stream: EventsStream, MaxLen: s.eventsMaxLen(), Approx: true, Values: e.values(),
	}).Err()
	if err == nil {
		s.observed(e.Type)
	}
	return err
}

func (s *store) observed(typ string) {
	if s.observeEvent != nil {
		s.observeEvent(typ)
	}
}

func (s *store) eventsMaxLen() int64 {
	if s.maxLen > 0 {
		return s.maxLen
	}
	return DefaultEventsMaxLen
}

// AccountEvent appends an event about an account (a type starting with
// "account."): tokens.Vault's hooks and the platforms' deauthorization
// callbacks report through it.
func (c *Client) AccountEvent(ctx context.Context, typ, accountID, platform, reason string) error {
	if !strings.HasPrefix(typ, "account.") {
		return fmt.Errorf("jobs: %q is not an account event type", typ)
	}
	return c.store.appendEvent(ctx, Event{Type: typ, AccountID: accountID, Platform: platform, Reason: reason})
}

// AccountConnected appends account.connected (tokens.Options.OnConnect).
func (c *Client) AccountConnected(ctx context.Context, accountID, platform string) {
	_ = c.AccountEvent(ctx, EventAccountConnected, accountID, platform, "")
}

// AccountNeedsReauth appends account.reauth_required with the Vault's
// reason (tokens.Options.OnReauth).
func (c *Client) AccountNeedsReauth(ctx context.Context, accountID, platform, reason string) {
	_ = c.AccountEvent(ctx, EventAccountReauthRequired, accountID, platform, reason)
}

// EventReader reads the events stream as one consumer of a consumer
// group: every event is handed to one consumer of the group, and an event
// a consumer read but did not acknowledge (it crashed) is handed out
// again after ClaimAfter.
type EventReader struct {
	rdb      redis.UniversalClient
	group    string
	consumer string
	// Block is how long Read waits for new events (default 2s).
	Block time.Duration
	// ClaimAfter is how long an event may stay unacknowledged before
	// another consumer takes it over (default 1m). Read looks for such
	// events on its first call and then every ClaimAfter/2, so one is
	// taken over between ClaimAfter and 1.5×ClaimAfter after it was read.
	ClaimAfter time.Duration

	mu sync.Mutex
	// claimed is when the last scan of the pending entries ended; zero
	// before the first.
	claimed time.Time
	// claimFrom is where an unfinished scan goes on ("" when none is).
	claimFrom string
}

// NewEventReader joins consumer group (creating it, to read the events
// appended from now on, if it does not exist) as consumer. An empty
// consumer name is made from the host name and process id.
func NewEventReader(ctx context.Context, rdb redis.UniversalClient, group, consumer string) (*EventReader, error) {
	if group == "" {
		return nil, errors.New("jobs: an event reader needs a group name")
	}
	if consumer == "" {
		host, _ := os.Hostname()
		consumer = host + ":" + strconv.Itoa(os.Getpid()) + ":" + randomID()[:8]
	}
	err := rdb.XGroupCreateMkStream(ctx, EventsStream, group, "$").Err()
	if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
		return nil, fmt.Errorf("create consumer group %s: %w", group, err)
	}
	return &EventReader{rdb: rdb, group: group, consumer: consumer, Block: 2 * time.Second, ClaimAfter: time.Minute}, nil
}

// Read returns up to count events for this consumer: first events other
// consumers left unacknowledged for ClaimAfter, then new ones, waiting up
// to Block for them. It looks for the former only when due (see
// ClaimAfter), sparing a round trip and a scan of the pending entries on
// most calls. An entry that is not a valid event is acknowledged and
// skipped. Acknowledge each event with Ack once it is handled.
func (r *EventReader) Read(ctx context.Context, count int) ([]Event, error) {
	msgs, err := r.claim(ctx, count)
	if err != nil {
		return nil, err
	}
	if len(msgs) == 0 {
		res, err := r.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{
			Group: r.group, Consumer: r.consumer, Streams: []string{EventsStream, ">"},
			Count: int64(count), Block: r.Block,
		}).Result()
		if errors.Is(err, redis.Nil) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read events: %w", err)
		}
		msgs = res[0].Messages
	}
	events := make([]Event, 0, len(msgs))
	var bad []string
	for _, m := range msgs {
		e, err := ParseEvent(m)
		if err != nil {
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

// claim takes over up to count entries left pending for ClaimAfter, when
// a scan of the pending entries is due: on the first call, every
// ClaimAfter/2 after that, and on every call while a scan that stopped at
// count has not reached the end.
func (r *EventReader) claim(ctx context.Context, count int) ([]redis.XMessage, error) {
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
		Stream: EventsStream, Group: r.group, Consumer: r.consumer,
		MinIdle: r.ClaimAfter, Start: start, Count: int64(count),
	}).Result()
	if err != nil {
		return nil, fmt.Errorf("claim events: %w", err)
	}
	if next == "0-0" || next == "" {
		r.claimFrom, r.claimed = "", time.Now()
	} else {
		r.claimFrom = next
	}
	return msgs, nil
}

// Ack acknowledges handled events by id.
func (r *EventReader) Ack(ctx context.Context, ids ...string) error {
	if len(ids) == 0 {
		return nil
	}
	return r.rdb.XAck(ctx, EventsStream, r.group, ids...).Err()
}

// Consume hands every event to handle until ctx ends, acknowledging those
// it returned nil for. An event handle failed stays pending and is read
// again after ClaimAfter, by this consumer or another. Consume returns
// ctx's error, or a Redis error that outlasted its retries.
func (r *EventReader) Consume(ctx context.Context, handle func(context.Context, Event) error) error {
	return r.consumeBatches(ctx, func(ctx context.Context, events []Event) []string {
		var done []string
		for _, e := range events {
			if handle(ctx, e) == nil {
				done = append(done, e.ID)
			}
		}
		return done
	})
}

// consumeBatches is Consume handing each non-empty batch Read returns to
// handle at once; it acknowledges the ids handle returns.
func (r *EventReader) consumeBatches(ctx context.Context, handle func(context.Context, []Event) []string) error {
	failures := 0
	for ctx.Err() == nil {
		events, err := r.Read(ctx, 100)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			// Redis may be restarting: back off, give up after a minute.
			if failures++; failures > 30 {
				return err
			}
			if err := publishers.Sleep(ctx, 2*time.Second); err != nil {
				break
			}
			continue
		}
		failures = 0
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
