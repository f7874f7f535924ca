package events

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/tenant"
)

// WriterOptions configures a Writer.
type WriterOptions struct {
	// MaxLen caps each tenant's stream at about this many entries
	// (default DefaultMaxLen).
	MaxLen int64
	// Observe, if set, hears the tenant and type of every event appended
	// (metrics).
	Observe func(tenant, typ string)
	// Now is the clock events are stamped with (default time.Now).
	Now func() time.Time
}

// Writer appends each event to its tenant's stream (StreamOf). It is
// safe for concurrent use.
type Writer struct {
	rdb redis.UniversalClient
	o   WriterOptions
}

// NewWriter returns a Writer over rdb.
func NewWriter(rdb redis.UniversalClient, o WriterOptions) *Writer {
	if o.MaxLen <= 0 {
		o.MaxLen = DefaultMaxLen
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Writer{rdb: rdb, o: o}
}

// Append stamps e with the writer's clock and adds it to its tenant's
// stream, with the app's ids (Local). An event whose ids name two tenants
// is refused. Its error is for the caller to log or drop: for Herald the
// records, not the stream, are the truth, and a lost event never undoes a
// state change.
func (w *Writer) Append(ctx context.Context, e Event) error {
	e.Stamp(w.o.Now())
	l, err := e.local()
	if err != nil {
		return fmt.Errorf("event %s: %w", e.Type, err)
	}
	err = w.rdb.XAdd(ctx, &redis.XAddArgs{
		Stream: StreamOf(l.Tenant), MaxLen: w.o.MaxLen, Approx: true, Values: l.Fields(),
	}).Err()
	if err == nil {
		w.Appended(l.Tenant, e.Type)
	}
	return err
}

// MaxLen is the stream's cap, for a script that appends events itself.
func (w *Writer) MaxLen() int64 { return w.o.MaxLen }

// Appended tells the observer of an event of type typ to tenant t's
// stream that a script appended itself.
func (w *Writer) Appended(t, typ string) {
	if w.o.Observe != nil {
		w.o.Observe(t, typ)
	}
}

// Forget deletes the entries about account (a stored, qualified id: its
// erasure) from its tenant's stream, and returns how many it deleted.
// Another tenant's account of the same app id keeps its events.
func (w *Writer) Forget(ctx context.Context, account string) (int, error) {
	t, app := tenant.Split(account)
	stream := StreamOf(t)
	deleted := 0
	start := "-"
	for {
		msgs, err := w.rdb.XRangeN(ctx, stream, start, "+", 1000).Result()
		if err != nil {
			return deleted, err
		}
		var ids []string
		for _, m := range msgs {
			if m.Values["account_id"] == app {
				ids = append(ids, m.ID)
			}
		}
		if len(ids) > 0 {
			d, err := w.rdb.XDel(ctx, stream, ids...).Result()
			if err != nil {
				return deleted, err
			}
			deleted += int(d)
		}
		if len(msgs) < 1000 {
			return deleted, nil
		}
		start = "(" + msgs[len(msgs)-1].ID
	}
}
