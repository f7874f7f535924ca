package events_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/internal/eventually"
	"github.com/heraldhq/herald/tenant"
)

// streamEvents parses every entry of tenant t's stream.
func streamEvents(t *testing.T, rdb *redis.Client, tn string) []events.Event {
	t.Helper()
	msgs, err := rdb.XRange(context.Background(), events.StreamOf(tn), "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	var out []events.Event
	for _, m := range msgs {
		e, err := events.Parse(m)
		if err != nil {
			t.Fatalf("entry %v of %s: %v", m.Values, events.StreamOf(tn), err)
		}
		out = append(out, e)
	}
	return out
}

func TestStreamOf(t *testing.T) {
	for tn, want := range map[string]string{"": "herald:events", tenant.Default: "herald:events", "shop": "herald:events:shop"} {
		if got := events.StreamOf(tn); got != want {
			t.Errorf("StreamOf(%q) = %q, want %q", tn, got, want)
		}
	}
}

// TestEventsGoToTheirTenantsStream: an event written with qualified ids
// (as jobs writes them) lands in its tenant's stream alone, with the
// app's ids and its tenant named; the default tenant's stays herald:events.
func TestEventsGoToTheirTenantsStream(t *testing.T) {
	rdb := newDB(t)
	ctx := context.Background()
	w := events.NewWriter(rdb, events.WriterOptions{})
	for _, e := range []events.Event{
		{Type: events.PostPublished, AccountID: "shop~acct-1", PostID: "shop~p1", Platform: "sandbox", State: "published"},
		{Type: events.PostPublished, AccountID: "blog~acct-1", PostID: "blog~p1", Platform: "sandbox", State: "published"},
		{Type: events.PostPublished, AccountID: "acct-1", PostID: "p1", Platform: "sandbox", State: "published"},
		{Type: events.AccountConnected, Tenant: "shop", AccountID: "acct-2"}, // the app's id with its tenant
	} {
		if err := w.Append(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		tenant   string
		accounts []string
	}{
		{"shop", []string{"acct-1", "acct-2"}},
		{"blog", []string{"acct-1"}},
		{tenant.Default, []string{"acct-1"}},
	} {
		var accounts []string
		for _, e := range streamEvents(t, rdb, tt.tenant) {
			accounts = append(accounts, e.AccountID)
			if e.Tenant != tt.tenant || (e.PostID != "" && e.PostID != "p1") {
				t.Errorf("%s's stream holds %+v", tt.tenant, e)
			}
		}
		if !slices.Equal(accounts, tt.accounts) {
			t.Errorf("%s's stream: accounts %v, want %v", tt.tenant, accounts, tt.accounts)
		}
	}
	// No stream holds a qualified id: a reader learns no other tenant.
	keys, _ := rdb.Keys(ctx, "herald:events*").Result()
	for _, k := range keys {
		for _, m := range rdb.XRange(ctx, k, "-", "+").Val() {
			for f, v := range m.Values {
				if s, _ := v.(string); strings.Contains(s, tenant.Sep) {
					t.Errorf("%s: %s = %q", k, f, s)
				}
			}
		}
	}
}

func TestAppendRefusesAnEventOfTwoTenants(t *testing.T) {
	rdb := newDB(t)
	w := events.NewWriter(rdb, events.WriterOptions{})
	for _, e := range []events.Event{
		{Type: events.PostPublished, AccountID: "shop~acct-1", PostID: "blog~p1"},
		{Type: events.AccountConnected, Tenant: "blog", AccountID: "shop~acct-1"},
	} {
		if err := w.Append(context.Background(), e); err == nil {
			t.Errorf("Append(%+v) = nil", e)
		}
	}
	if keys := rdb.Keys(context.Background(), "herald:events*").Val(); len(keys) != 0 {
		t.Errorf("streams %v written", keys)
	}
}

// TestReaderReadsOnlyItsTenant: two tenants' readers in groups of the same
// name each get their own tenant's events and nothing else, under
// concurrent appends; an entry put by hand in a tenant's stream that
// names another tenant is skipped.
func TestReaderReadsOnlyItsTenant(t *testing.T) {
	rdb := newDB(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tenants := []string{"shop", "blog", tenant.Default}
	readers := map[string]*events.Reader{}
	for _, tn := range tenants {
		r, err := events.NewReader(ctx, rdb, tn, "app", "")
		if err != nil {
			t.Fatal(err)
		}
		r.Block = 20 * time.Millisecond
		readers[tn] = r
	}
	// Hand-made, in shop's stream, claiming to be blog's.
	if err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: events.StreamOf("shop"), Values: []any{"type", events.AccountConnected, "tenant", "blog", "account_id", "x", "at", time.Now().Format(time.RFC3339Nano)}}).Err(); err != nil {
		t.Fatal(err)
	}
	const n = 50
	w := events.NewWriter(rdb, events.WriterOptions{})
	var wg sync.WaitGroup
	for _, tn := range tenants {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range n {
				_ = w.Append(ctx, events.Event{Type: events.AccountConnected, AccountID: tenant.Qualify(tn, fmt.Sprintf("acct-%d", i))})
			}
		}()
	}
	var mu sync.Mutex
	got := map[string][]events.Event{}
	for tn, r := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = r.Consume(ctx, func(_ context.Context, e events.Event) error {
				mu.Lock()
				defer mu.Unlock()
				got[tn] = append(got[tn], e)
				return nil
			})
		}()
	}
	eventually.True(t, 10*time.Second, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got["shop"]) >= n && len(got["blog"]) >= n && len(got[tenant.Default]) >= n
	}, "%d events read by each tenant", n)
	cancel()
	wg.Wait()
	for _, tn := range tenants {
		if len(got[tn]) != n {
			t.Errorf("%s read %d events, want %d", tn, len(got[tn]), n)
		}
		for _, e := range got[tn] {
			if e.Tenant != tn || !strings.HasPrefix(e.AccountID, "acct-") {
				t.Errorf("%s read %+v", tn, e)
			}
		}
	}
}

func TestNewReaderNeedsATenant(t *testing.T) {
	rdb := newDB(t)
	for _, tn := range []string{"", "Shop", "shop~x"} {
		if _, err := events.NewReader(context.Background(), rdb, tn, "app", ""); err == nil || !strings.Contains(err.Error(), "tenant") {
			t.Errorf("NewReader(tenant %q) = %v, want an error naming the tenant", tn, err)
		}
	}
}

// TestForgetScrubsOnlyItsTenantsStream: erasing shop's acct-1 deletes its
// events from shop's stream; blog's and the default tenant's acct-1 keep
// theirs, and so does shop's other account.
func TestForgetScrubsOnlyItsTenantsStream(t *testing.T) {
	rdb := newDB(t)
	ctx := context.Background()
	w := events.NewWriter(rdb, events.WriterOptions{})
	accounts := []string{"shop~acct-1", "shop~acct-2", "blog~acct-1", "acct-1"}
	for range 3 {
		for _, a := range accounts {
			if err := w.Append(ctx, events.Event{Type: events.AccountConnected, AccountID: a}); err != nil {
				t.Fatal(err)
			}
		}
	}
	n, err := w.Forget(ctx, "shop~acct-1")
	if err != nil || n != 3 {
		t.Fatalf("Forget = %d, %v; want 3", n, err)
	}
	count := func(tn, account string) int {
		k := 0
		for _, e := range streamEvents(t, rdb, tn) {
			if e.AccountID == account {
				k++
			}
		}
		return k
	}
	for _, c := range []struct {
		tenant, account string
		want            int
	}{
		{"shop", "acct-1", 0}, {"shop", "acct-2", 3}, {"blog", "acct-1", 3}, {tenant.Default, "acct-1", 3},
	} {
		if got := count(c.tenant, c.account); got != c.want {
			t.Errorf("%s's %s: %d events after erasing shop's acct-1, want %d", c.tenant, c.account, got, c.want)
		}
	}
	// The default tenant's erase leaves shop's and blog's acct-1 alone.
	if n, err := w.Forget(ctx, "acct-1"); err != nil || n != 3 {
		t.Fatalf("Forget(acct-1) = %d, %v; want 3", n, err)
	}
	if count("blog", "acct-1") != 3 || count(tenant.Default, "acct-1") != 0 {
		t.Error("the default tenant's erase reached another tenant's stream")
	}
}

// TestDeauthorizedOncePerTenant: a platform user connected in two tenants
// is deauthorized: each tenant's account gets its account.deauthorized,
// in its own stream, and neither stream holds the other's.
func TestDeauthorizedOncePerTenant(t *testing.T) {
	rdb := newDB(t)
	ctx := context.Background()
	w := events.NewWriter(rdb, events.WriterOptions{})
	// What the deauth handler appends: one event per account of the user.
	for _, account := range []string{"shop~yt-7", "blog~channel-7"} {
		if err := w.Append(ctx, events.Event{Type: events.AccountDeauthorized, AccountID: account, Platform: "youtube", Reason: "google: tokens-revoked"}); err != nil {
			t.Fatal(err)
		}
	}
	for tn, want := range map[string]string{"shop": "yt-7", "blog": "channel-7"} {
		evs := streamEvents(t, rdb, tn)
		if len(evs) != 1 || evs[0].Type != events.AccountDeauthorized || evs[0].AccountID != want || evs[0].Tenant != tn {
			t.Errorf("%s's stream: %+v; want one account.deauthorized of %s", tn, evs, want)
		}
	}
	if n := rdb.XLen(ctx, events.Stream).Val(); n != 0 {
		t.Errorf("the default tenant's stream got %d events", n)
	}
}
