package publishers_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/heraldhq/herald/publishers"
)

// A publisher classifies its failures; the worker reads the class.
func ExampleClassOf() {
	errs := []error{
		publishers.Transient(errors.New("youtube: upload chunk 3/40: 503")),
		publishers.RateLimited(30*time.Second, errors.New("quota exceeded")),
		publishers.Reauth(errors.New("invalid_grant")),
		publishers.Permanent(errors.New("video longer than 15 minutes")),
		errors.New("connection reset"),
	}
	for _, err := range errs {
		after, _ := publishers.RetryAfter(err)
		fmt.Println(publishers.ClassOf(err), after)
	}
	// Output:
	// transient 0s
	// rate_limited 30s
	// reauth 0s
	// permanent 0s
	// transient 0s
}
