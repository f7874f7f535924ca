package publishers_test

import (
	"context"
	"fmt"

	"github.com/heraldhq/herald/publishers"
)

// echo is a stand-in publisher.
type echo struct{}

func (echo) Publish(context.Context, publishers.Request) (publishers.Result, error) {
	return publishers.Result{RemoteID: "1"}, nil
}

func (echo) Analytics(context.Context, publishers.AnalyticsRequest) (publishers.Analytics, error) {
	return publishers.Analytics{}, nil
}

// A deployment lists its platforms once; the worker's registry and the
// list of names derive from it. A platform without a publisher is known
// (its accounts connect) but not published to.
func ExampleRegistryOf() {
	ps := []publishers.Platform{
		{Name: "myplatform", Publisher: echo{}, Notices: "", Doctor: publishers.Check{Configured: true}},
		{Name: "sandbox"}, // no HERALD_SANDBOX_URL
	}
	fmt.Println(publishers.Names(ps))
	fmt.Println(publishers.RegistryOf(ps).Names())
	// Output:
	// [myplatform sandbox]
	// [myplatform]
}
