package events

import (
	"context"
	"time"

	"github.com/redis/go-redis/v9"
)

// WriterOptions configures a Writer.
type WriterOptions struct {
	// MaxLen caps the stream at about this many entries (default
	// DefaultMaxLen).
	MaxLen int64
	// Observe, if set, hears the type of every event appended (metrics).
	Observe func(typ string)
	// Now is the clock events are stamped with (default time.Now).
	Now func() time.Time
}

// Writer appends events to Stream. It is safe for concurrent use.
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

// Append stamps e with the writer's clock and adds it to the stream. Its
// error is for the caller to log or drop: for Herald the records, not the
// stream, are the truth, and a lost event never undoes a state change.
func (w *Writer) Append(ctx context.Context, e Event) error {
	e.Stamp(w.o.Now())
	err := w.rdb.XAdd(ctx, &redis.XAddArgs{
		Stream: Stream, MaxLen: w.o.MaxLen, Approx: true, Values: e.Fields(),
	}).Err()
	if err == nil {
		w.Appended(e.Type)
	}
	return err
}

// MaxLen is the stream's cap, for a script that appends events itself.
func (w *Writer) MaxLen() int64 { return w.o.MaxLen }

// Appended tells the observer of an event of type typ that a script
// appended itself.
func (w *Writer) Appended(typ string) {
	if w.o.Observe != nil {
		w.o.Observe(typ)
	}
}

// Forget deletes the stream's entries about account (its erasure) and
// returns how many it deleted.
func (w *Writer) Forget(ctx context.Context, account string) (int, error) {
	deleted := 0
	start := "-"
	for {
		msgs, err := w.rdb.XRangeN(ctx, Stream, start, "+", 1000).Result()
		if err != nil {
			return deleted, err
		}
		var ids []string
		for _, m := range msgs {
			if m.Values["account_id"] == account {
				ids = append(ids, m.ID)
			}
		}
		if len(ids) > 0 {
			d, err := w.rdb.XDel(ctx, Stream, ids...).Result()
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
