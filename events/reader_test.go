package events_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/internal/eventually"
	"github.com/heraldhq/herald/internal/redistest"
	"github.com/heraldhq/herald/tenant"
)

func TestEventJSONSchema(t *testing.T) {
	rdb := newDB(t)
	w := events.NewWriter(rdb, events.WriterOptions{Now: func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }})
	if err := w.Append(context.Background(), events.Event{Type: events.AccountReconnectDue, AccountID: "acct-9", Platform: "linkedin", Reason: "token expires 2026-01-09"}); err != nil {
		t.Fatal(err)
	}
	msgs := rdb.XRange(context.Background(), events.Stream, "-", "+").Val()
	ev, err := events.Parse(msgs[0])
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(ev)
	want := `{"id":"` + msgs[0].ID + `","type":"account.reconnect_due","at":"2026-01-02T03:04:05Z","tenant":"default","account_id":"acct-9","platform":"linkedin","reason":"token expires 2026-01-09"}`
	if string(got) != want {
		t.Errorf("JSON\n got %s\nwant %s", got, want)
	}
}

func TestParseEventRefusesBrokenEntries(t *testing.T) {
	for _, v := range []map[string]any{
		{},
		{"type": "post.published"},
		{"type": "post.published", "at": "yesterday"},
		{"type": "post.published", "at": "2026-01-02T03:04:05Z", "attempt": "many"},
	} {
		if _, err := events.Parse(redis.XMessage{ID: "1-0", Values: v}); err == nil {
			t.Errorf("Parse(%v) = nil error", v)
		}
	}
}

func TestReaderHandsEachEventToOneConsumer(t *testing.T) {
	rdb := newDB(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var readers []*events.Reader
	for _, name := range []string{"a", "b"} {
		r, err := events.NewReader(ctx, rdb, tenant.Default, "app", name)
		if err != nil {
			t.Fatal(err)
		}
		r.Block = 50 * time.Millisecond
		readers = append(readers, r)
	}
	const n = 200
	for i := range n {
		if err := appendConnected(ctx, rdb, "acct-"+string(rune('a'+i%26))); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for _, r := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = r.Consume(ctx, func(_ context.Context, ev events.Event) error {
				mu.Lock()
				defer mu.Unlock()
				seen[ev.ID]++
				return nil
			})
		}()
	}
	eventually.True(t, 10*time.Second, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(seen) == n
	}, "all %d events read", n)
	cancel()
	wg.Wait()
	for id, k := range seen {
		if k != 1 {
			t.Errorf("event %s read %d times", id, k)
		}
	}
}

func TestReaderRedeliversWhatACrashedConsumerLeft(t *testing.T) {
	rdb := newDB(t)
	ctx := context.Background()
	crashed, err := events.NewReader(ctx, rdb, tenant.Default, "app", "crashed")
	if err != nil {
		t.Fatal(err)
	}
	_ = appendConnected(ctx, rdb, "acct-1")
	got, err := crashed.Read(ctx, 10)
	if err != nil || len(got) != 1 {
		t.Fatalf("Read = %v, %v", got, err)
	}
	// crashed never acknowledges; a survivor takes the event over once it
	// has been idle for ClaimAfter.
	survivor, err := events.NewReader(ctx, rdb, tenant.Default, "app", "survivor")
	if err != nil {
		t.Fatal(err)
	}
	// The survivor's first Read scans the pending entries: the event is
	// not stale yet for it, so the scan leaves it alone.
	survivor.Block, survivor.ClaimAfter = 10*time.Millisecond, time.Hour
	if first, err := survivor.Read(ctx, 10); err != nil || len(first) != 0 {
		t.Fatalf("first Read = %v, %v; want nothing", first, err)
	}
	// Later Reads scan again once due, and take the event over.
	survivor.ClaimAfter = 100 * time.Millisecond
	var again []events.Event
	eventually.True(t, 5*time.Second, func() bool {
		again, err = survivor.Read(ctx, 10)
		return err == nil && len(again) == 1
	}, "the event is handed to the survivor")
	if again[0].ID != got[0].ID {
		t.Errorf("survivor got %s, want %s", again[0].ID, got[0].ID)
	}
	if err := survivor.Ack(ctx, again[0].ID); err != nil {
		t.Fatal(err)
	}
	if pending := rdb.XPending(ctx, events.Stream, "app").Val(); pending.Count != 0 {
		t.Errorf("%d events still pending", pending.Count)
	}
}

func TestReaderClaimsOnlyWhenDue(t *testing.T) {
	db := redistest.New(t)
	ctx := context.Background()
	rdb, cmds := countingClient(t, db)
	r, err := events.NewReader(ctx, rdb, tenant.Default, "app", "a")
	if err != nil {
		t.Fatal(err)
	}
	r.Block, r.ClaimAfter = time.Millisecond, time.Hour
	for range 5 {
		if got, err := r.Read(ctx, 10); err != nil || len(got) != 0 {
			t.Fatalf("Read = %v, %v", got, err)
		}
	}
	// The first Read scans the pending entries; the others are not due
	// for another half hour and only read new events.
	if c, rd := cmds.get("xautoclaim"), cmds.get("xreadgroup"); c != 1 || rd != 5 {
		t.Errorf("5 Reads sent %d XAUTOCLAIM and %d XREADGROUP, want 1 and 5", c, rd)
	}
	// With a shorter ClaimAfter the next scan comes due.
	r.ClaimAfter = 40 * time.Millisecond
	eventually.True(t, 5*time.Second, func() bool {
		_, err := r.Read(ctx, 10)
		return err == nil && cmds.get("xautoclaim") == 2
	}, "a second scan of the pending entries")
}

// The fields of a published post that is not quite as asked (Warning,
// ResultState, RemoteIDPending) survive the stream and reach the JSON
// webhooks deliver.
func TestPublishedEventDetailsRoundTrip(t *testing.T) {
	rdb := newDB(t)
	w := events.NewWriter(rdb, events.WriterOptions{Now: func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }})
	for _, e := range []events.Event{
		{Type: events.PostPublished, AccountID: "a", PostID: "p1", State: "published", Warning: "YouTube locked the video private: the API project is not audited"},
		{Type: events.PostPublished, AccountID: "a", PostID: "p2", State: "published", ResultState: "sent_to_inbox"},
		{Type: events.PostPublished, AccountID: "a", PostID: "p3", State: "published", RemoteIDPending: true},
		{Type: events.PostUpdated, AccountID: "a", PostID: "p3", State: "published", RemoteID: "73", URL: "https://www.tiktok.com/@u/video/73"},
	} {
		if err := w.Append(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
	msgs := rdb.XRange(context.Background(), events.Stream, "-", "+").Val()
	var got []string
	for _, m := range msgs {
		ev, err := events.Parse(m)
		if err != nil {
			t.Fatal(err)
		}
		ev.ID, ev.At = "", time.Time{}
		b, _ := json.Marshal(ev)
		got = append(got, string(b))
	}
	want := []string{
		`{"id":"","type":"post.published","at":"0001-01-01T00:00:00Z","tenant":"default","account_id":"a","post_id":"p1","state":"published","warning":"YouTube locked the video private: the API project is not audited"}`,
		`{"id":"","type":"post.published","at":"0001-01-01T00:00:00Z","tenant":"default","account_id":"a","post_id":"p2","state":"published","result_state":"sent_to_inbox"}`,
		`{"id":"","type":"post.published","at":"0001-01-01T00:00:00Z","tenant":"default","account_id":"a","post_id":"p3","state":"published","remote_id_pending":true}`,
		`{"id":"","type":"post.updated","at":"0001-01-01T00:00:00Z","tenant":"default","account_id":"a","post_id":"p3","state":"published","remote_id":"73","url":"https://www.tiktok.com/@u/video/73"}`,
	}
	for i := range want {
		if i >= len(got) || got[i] != want[i] {
			t.Errorf("event %d\n got %v\nwant %s", i, got, want[i])
		}
	}
}
