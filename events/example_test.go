package events_test

import (
	"context"
	"fmt"
	"log"
	"os/signal"
	"syscall"

	"github.com/redis/go-redis/v9"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/tenant"
)

// A product app follows its tenant's events as the consumer group
// "my-app": each of its processes runs this, and every event is handed to
// one of them. Events the handler fails are handed out again later. (An
// app that is tenant "shop" of a shared Herald passes "shop".)
func ExampleReader_Consume() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	rdb := redis.NewClient(&redis.Options{Addr: "localhost:6379"})
	defer rdb.Close()

	r, err := events.NewReader(ctx, rdb, tenant.Default, "my-app", "")
	if err != nil {
		log.Fatal(err)
	}
	// Leave the group on the way out, so restarts leave no consumers.
	defer r.Close(context.Background())

	err = r.Consume(ctx, func(ctx context.Context, e events.Event) error {
		switch e.Type {
		case events.PostPublished:
			fmt.Printf("post %s is live at %s\n", e.PostID, e.URL)
		case events.PostFailed:
			fmt.Printf("post %s failed (%s): %s\n", e.PostID, e.Class, e.Reason)
		case events.AccountReauthRequired:
			fmt.Printf("ask the owner of %s to connect it again: %s\n", e.AccountID, e.Reason)
		}
		return nil // acknowledged: not handed out again
	})
	if err != nil && ctx.Err() == nil {
		log.Fatal(err)
	}
}

// Read and Ack give a consumer control over batches: here, the events
// are stored in the app's own database before they are acknowledged.
func ExampleReader_Read() {
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: "localhost:6379"})
	defer rdb.Close()

	r, err := events.NewReader(ctx, rdb, tenant.Default, "my-app-archive", "archiver-1")
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close(ctx)
	for {
		batch, err := r.Read(ctx, 100) // waits up to r.Block for new events
		if err != nil {
			log.Fatal(err)
		}
		ids := make([]string, 0, len(batch))
		for _, e := range batch {
			// store(e) in the app's database, keyed by e.ID (idempotent).
			ids = append(ids, e.ID)
		}
		if err := r.Ack(ctx, ids...); err != nil {
			log.Fatal(err)
		}
	}
}

// Each tenant has a stream of its own; the default tenant's is the one
// Herald always had.
func ExampleStreamOf() {
	fmt.Println(events.StreamOf(tenant.Default))
	fmt.Println(events.StreamOf("shop"))
	// Output:
	// herald:events
	// herald:events:shop
}

// Herald builds events with the ids it stores; what the stream holds and
// webhooks deliver is the event as the tenant's app knows it.
func ExampleEvent_Local() {
	e := events.Event{Type: events.PostPublished, AccountID: "shop~acct-1", PostID: "shop~launch-42"}
	l := e.Local()
	fmt.Println(l.Tenant, l.AccountID, l.PostID, e.Stream())
	// Output:
	// shop acct-1 launch-42 herald:events:shop
}
