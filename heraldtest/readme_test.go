package heraldtest_test

import (
	"testing"

	"github.com/heraldhq/herald/heraldtest"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers"
)

// README's "Testing your app against Herald (Go)" example, as written
// there: transient faults are retried within the test's patience and the
// post goes out once.
func TestLaunchPostGoesOut(t *testing.T) {
	t.Parallel()
	h := heraldtest.Start(t)      // options: Clock, MaxLateness, Retry, Platform, Worker, ...
	h.ConnectAccount(t, "acct-1") // through h.Vault, on the sandbox
	// The platform is down twice, then takes the post.
	h.Sandbox.FailRef("launch-42", 2, heraldtest.Fault{Status: 503})

	h.SchedulePost(t, jobs.Post{ID: "launch-42", AccountID: "acct-1",
		Content: publishers.Content{Text: "We launched"}}) // platform sandbox, now

	st := h.WaitPublished(t, "launch-42") // fails t at once if the post fails
	if st.Attempts != 3 || len(h.Published()) != 1 {
		t.Errorf("status %+v, the platform has %+v", st, h.Published())
	}
}
