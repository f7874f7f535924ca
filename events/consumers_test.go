package events_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/internal/eventually"
	"github.com/heraldhq/herald/tenant"
)

// consumerNames lists group's consumers.
func consumerNames(t *testing.T, rdb *redis.Client, group string) []string {
	t.Helper()
	cs, err := rdb.XInfoConsumers(context.Background(), events.Stream, group).Result()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range cs {
		names = append(names, c.Name)
	}
	return names
}

// TestCloseLeavesTheGroupUnlessEventsArePending: a reader that closes
// removes its consumer, but not while events are pending with it:
// deleting the consumer would drop them, and nobody could claim them.
func TestCloseLeavesTheGroupUnlessEventsArePending(t *testing.T) {
	rdb := newDB(t)
	ctx := context.Background()
	r, err := events.NewReader(ctx, rdb, tenant.Default, "app", "a")
	if err != nil {
		t.Fatal(err)
	}
	r.Block = 10 * time.Millisecond
	if err := appendConnected(ctx, rdb, "acct-1"); err != nil {
		t.Fatal(err)
	}
	got, err := r.Read(ctx, 10)
	if err != nil || len(got) != 1 {
		t.Fatalf("Read = %v, %v", got, err)
	}
	if err := r.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if names := consumerNames(t, rdb, "app"); !slices.Equal(names, []string{"a"}) {
		t.Fatalf("after Close with an event pending: consumers %v, want [a] kept", names)
	}
	if p := rdb.XPending(ctx, events.Stream, "app").Val(); p.Count != 1 {
		t.Fatalf("%d events pending, want the unacknowledged one kept", p.Count)
	}
	if err := r.Ack(ctx, got[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if names := consumerNames(t, rdb, "app"); len(names) != 0 {
		t.Errorf("after Close with nothing pending: consumers %v, want none", names)
	}
}

// TestReaderReapsConsumersThatDiedIdle: a consumer left behind by a
// process that died without Close, holding no events, is deleted by the
// next scan once idle longer than ClaimAfter, and not before.
func TestReaderReapsConsumersThatDiedIdle(t *testing.T) {
	rdb := newDB(t)
	ctx := context.Background()
	live, err := events.NewReader(ctx, rdb, tenant.Default, "app", "live")
	if err != nil {
		t.Fatal(err)
	}
	live.Block, live.ClaimAfter = time.Millisecond, time.Hour
	// "dead" reads and acknowledges an event, then is never heard of.
	if err := appendConnected(ctx, rdb, "acct-1"); err != nil {
		t.Fatal(err)
	}
	res, err := rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "app", Consumer: "dead", Streams: []string{events.Stream, ">"}, Count: 1}).Result()
	if err != nil || len(res[0].Messages) != 1 {
		t.Fatalf("XREADGROUP = %v, %v", res, err)
	}
	if err := rdb.XAck(ctx, events.Stream, "app", res[0].Messages[0].ID).Err(); err != nil {
		t.Fatal(err)
	}
	// The first scan: dead has been idle for less than ClaimAfter.
	if _, err := live.Read(ctx, 10); err != nil {
		t.Fatal(err)
	}
	if names := consumerNames(t, rdb, "app"); !slices.Contains(names, "dead") {
		t.Fatalf("consumers %v: dead reaped before it was idle for ClaimAfter", names)
	}
	live.ClaimAfter = 20 * time.Millisecond
	eventually.True(t, 10*time.Second, func() bool {
		_, err := live.Read(ctx, 10)
		return err == nil && !slices.Contains(consumerNames(t, rdb, "app"), "dead")
	}, "dead reaped")
}
