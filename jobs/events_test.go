package jobs_test

import (
	"context"
	"encoding/json"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/internal/eventually"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/tokens"
)

// streamEvents returns the stream's events about account, in order.
func (e *env) streamEvents(account string) []jobs.Event {
	e.t.Helper()
	msgs, err := e.rdb.XRange(context.Background(), jobs.EventsStream, "-", "+").Result()
	if err != nil {
		e.t.Fatal(err)
	}
	var evs []jobs.Event
	for _, m := range msgs {
		ev, err := jobs.ParseEvent(m)
		if err != nil {
			e.t.Fatalf("stream entry %s: %v", m.ID, err)
		}
		if ev.AccountID == account {
			evs = append(evs, ev)
		}
	}
	return evs
}

// streamTypes returns the types of the stream's events about account, in
// order.
func (e *env) streamTypes(account string) []string {
	var types []string
	for _, ev := range e.streamEvents(account) {
		types = append(types, ev.Type)
	}
	return types
}

func TestAccountEventsFollowTheAccount(t *testing.T) {
	e := newVaultEnv(t)
	ctx := context.Background()
	e.connect("acct-1", time.Now().Add(time.Hour))
	e.schedule(e.post("p1", time.Now().Add(time.Hour)))
	if err := e.vault.Disconnect(ctx, "acct-1"); err != nil {
		t.Fatal(err)
	}
	want := []string{jobs.EventAccountConnected, jobs.EventPostScheduled, jobs.EventPostCanceled, jobs.EventAccountDisconnected}
	if got := e.streamTypes("acct-1"); !slices.Equal(got, want) {
		t.Errorf("events %v, want %v", got, want)
	}
	if _, err := e.vault.Erase(ctx, "acct-1"); err != nil {
		t.Fatal(err)
	}
	// Erase deletes the account's events and leaves only the one that
	// says it was erased.
	if got := e.streamTypes("acct-1"); !slices.Equal(got, []string{jobs.EventAccountErased}) {
		t.Errorf("after erase: events %v", got)
	}
}

func TestReauthIsAnEventWithTheVaultsReason(t *testing.T) {
	e := newVaultEnv(t)
	ctx := context.Background()
	tok := e.connect("refused", time.Now().Add(-time.Minute))
	e.oauth.RevokeRefreshToken(tok.RefreshToken)
	bare := &oauth2.Token{AccessToken: "at-bare-0123456789", TokenType: "Bearer", Expiry: time.Now().Add(-time.Minute)}
	if err := e.vault.Connect(ctx, tokens.Account{ID: "bare", Platform: "sandbox", Token: bare}); err != nil {
		t.Fatal(err)
	}
	for acct, want := range map[string]string{
		"refused": "the platform refused the refresh token (invalid_grant)",
		"bare":    "token expired and there is no refresh token",
	} {
		if _, err := e.vault.Token(ctx, acct, "sandbox"); err == nil {
			t.Fatalf("%s: gave a token", acct)
		}
		var reasons []string
		for _, ev := range e.streamEvents(acct) {
			if ev.Type == jobs.EventAccountReauthRequired {
				reasons = append(reasons, ev.Reason)
			}
		}
		if !slices.Equal(reasons, []string{want}) {
			t.Errorf("%s: %s events with reasons %q, want [%q]", acct, jobs.EventAccountReauthRequired, reasons, want)
		}
	}
}

func TestEventJSONSchema(t *testing.T) {
	e := newEnv(t)
	c := jobs.NewClient(e.rdb, jobs.WithClock(func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }))
	if err := c.AccountEvent(context.Background(), jobs.EventAccountReconnectDue, "acct-9", "linkedin", "token expires 2026-01-09"); err != nil {
		t.Fatal(err)
	}
	if err := c.AccountEvent(context.Background(), "post.published", "acct-9", "", ""); err == nil {
		t.Error("AccountEvent took a post event type")
	}
	msgs := e.rdb.XRange(context.Background(), jobs.EventsStream, "-", "+").Val()
	ev, err := jobs.ParseEvent(msgs[0])
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(ev)
	want := `{"id":"` + msgs[0].ID + `","type":"account.reconnect_due","at":"2026-01-02T03:04:05Z","account_id":"acct-9","platform":"linkedin","reason":"token expires 2026-01-09"}`
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
		if _, err := jobs.ParseEvent(redis.XMessage{ID: "1-0", Values: v}); err == nil {
			t.Errorf("ParseEvent(%v) = nil error", v)
		}
	}
}

func TestEventReaderHandsEachEventToOneConsumer(t *testing.T) {
	e := newEnv(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var readers []*jobs.EventReader
	for _, name := range []string{"a", "b"} {
		r, err := jobs.NewEventReader(ctx, e.rdb, "app", name)
		if err != nil {
			t.Fatal(err)
		}
		r.Block = 50 * time.Millisecond
		readers = append(readers, r)
	}
	const n = 200
	for i := range n {
		if err := e.client.AccountEvent(ctx, jobs.EventAccountConnected, "acct-"+string(rune('a'+i%26)), "sandbox", ""); err != nil {
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
			_ = r.Consume(ctx, func(_ context.Context, ev jobs.Event) error {
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

func TestEventReaderRedeliversWhatACrashedConsumerLeft(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	crashed, err := jobs.NewEventReader(ctx, e.rdb, "app", "crashed")
	if err != nil {
		t.Fatal(err)
	}
	_ = e.client.AccountEvent(ctx, jobs.EventAccountConnected, "acct-1", "sandbox", "")
	got, err := crashed.Read(ctx, 10)
	if err != nil || len(got) != 1 {
		t.Fatalf("Read = %v, %v", got, err)
	}
	// crashed never acknowledges; a survivor takes the event over once it
	// has been idle for ClaimAfter.
	survivor, err := jobs.NewEventReader(ctx, e.rdb, "app", "survivor")
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
	var again []jobs.Event
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
	if pending := e.rdb.XPending(ctx, jobs.EventsStream, "app").Val(); pending.Count != 0 {
		t.Errorf("%d events still pending", pending.Count)
	}
}

// commands counts the commands a client sends, by name and first
// argument ("xautoclaim", "get <key>"); those sent in a pipeline are
// counted again under "pipeline " and their name.
type commands struct {
	mu sync.Mutex
	n  map[string]int
}

// countingClient returns a client of e's database that counts its
// commands.
func (e *env) countingClient() (*redis.Client, *commands) {
	e.t.Helper()
	o := e.db.ConnOpt()
	c := redis.NewClient(&redis.Options{Network: o.Network, Addr: o.Addr, Username: o.Username, Password: o.Password, DB: o.DB, TLSConfig: o.TLSConfig})
	e.t.Cleanup(func() { _ = c.Close() })
	cc := &commands{n: map[string]int{}}
	c.AddHook(cc)
	return c, cc
}

func (c *commands) count(prefix string, cmds ...redis.Cmder) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, cmd := range cmds {
		name := strings.ToLower(cmd.Name())
		c.n[prefix+name]++
		if args := cmd.Args(); len(args) > 1 {
			if k, ok := args[1].(string); ok {
				c.n[prefix+name+" "+k]++
			}
		}
	}
}

func (c *commands) get(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[key]
}

func (c *commands) DialHook(next redis.DialHook) redis.DialHook {
	return func(ctx context.Context, network, addr string) (net.Conn, error) { return next(ctx, network, addr) }
}

func (c *commands) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		c.count("", cmd)
		return next(ctx, cmd)
	}
}

func (c *commands) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		c.count("", cmds...)
		c.count("pipeline ", cmds...)
		return next(ctx, cmds)
	}
}

func TestEventReaderClaimsOnlyWhenDue(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	rdb, cmds := e.countingClient()
	r, err := jobs.NewEventReader(ctx, rdb, "app", "a")
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
