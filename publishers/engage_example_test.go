package publishers_test

import (
	"context"
	"fmt"

	"github.com/heraldhq/herald/publishers"
)

// commenting is a publisher whose platform takes first comments of up
// to 500 characters, and cannot delete posts.
type commenting struct{ echo }

func (commenting) CommentLimit() int { return 500 }

func (commenting) Comment(context.Context, publishers.CommentRequest) (publishers.CommentResult, error) {
	return publishers.CommentResult{ID: "c1"}, nil
}

func (commenting) FindComment(context.Context, publishers.CommentRequest) (publishers.CommentResult, bool, error) {
	return publishers.CommentResult{}, false, nil
}

// What a platform can do after publishing comes from the optional
// interfaces its publisher implements; jobs.Client checks first comments
// and take-downs against it before anything is queued.
func ExampleCapabilitiesByName() {
	caps := publishers.CapabilitiesByName([]publishers.Platform{
		{Name: "chatty", Publisher: commenting{}},
		{Name: "plain", Publisher: echo{}},
	})
	fmt.Printf("chatty: %+v\n", caps["chatty"])
	fmt.Printf("plain: %+v\n", caps["plain"])
	// Output:
	// chatty: {CommentLimit:500 Remove:false}
	// plain: {CommentLimit:0 Remove:false}
}
