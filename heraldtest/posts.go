package heraldtest

import (
	"context"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/events"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/publishers/sandbox/sandboxserver"
	"github.com/heraldhq/herald/tokens"
)

// Fault is how the sandbox fails an API call, for h.Sandbox.FailRef and
// FailNext: a 503 is retried, a 429 waits for RetryAfter, a 422 fails
// the post for good, a 401 asks for the account to be connected again.
type Fault = sandboxserver.Fault

// SandboxAccessToken is the access token ConnectAccount stores: the
// sandbox takes any token but "revoked", and its tokens never expire.
const SandboxAccessToken = "heraldtest-token"

// ConnectAccount connects account id to the sandbox through the Vault,
// as the product app does once its user granted access. Its platform
// user id is "sandbox-" + id. It fails t if the Vault refuses.
func (h *Herald) ConnectAccount(t testing.TB, id string) {
	t.Helper()
	err := h.Vault.Connect(context.Background(), tokens.Account{
		ID: id, Platform: "sandbox", PlatformUserID: "sandbox-" + id,
		Token: &oauth2.Token{AccessToken: SandboxAccessToken, TokenType: "Bearer"},
	})
	if err != nil {
		t.Fatalf("heraldtest: connect %s: %v", id, err)
	}
}

// SchedulePost schedules p through the Client and returns its status;
// it fails t if the Client refuses. An empty Platform means the sandbox;
// a zero PublishAt means now, by the earlier of the real clock (which
// asynq and the Worker's due check go by) and the Clock option's (which
// the Client checks lateness by), so the post is due for both at once.
func (h *Herald) SchedulePost(t testing.TB, p jobs.Post) jobs.PostStatus {
	t.Helper()
	if p.Platform == "" {
		p.Platform = "sandbox"
	}
	if p.PublishAt.IsZero() {
		p.PublishAt = h.opts.now()
		if real := time.Now(); real.Before(p.PublishAt) {
			p.PublishAt = real
		}
	}
	st, err := h.Client.SchedulePost(context.Background(), p)
	if err != nil {
		t.Fatalf("heraldtest: schedule %s: %v", p.ID, err)
	}
	return st
}

// Published returns the posts the sandbox platform holds, oldest first:
// what the platform's users would see. Post.Ref is Herald's post id.
// h.Sandbox.Published(ref) counts the posts of one Herald post (exactly
// once is 1) and h.Sandbox.Calls() lists every API call.
func (h *Herald) Published() []sandboxserver.Post { return h.Sandbox.Posts() }

// Events returns the events Herald appended so far, oldest first, as a
// product app's events.Reader or webhook receiver gets them.
func (h *Herald) Events(t testing.TB) []events.Event {
	t.Helper()
	msgs, err := h.Redis.XRange(context.Background(), events.Stream, "-", "+").Result()
	if err != nil {
		t.Fatalf("heraldtest: read events: %v", err)
	}
	evs := make([]events.Event, 0, len(msgs))
	for _, m := range msgs {
		e, err := events.Parse(m)
		if err != nil {
			t.Fatalf("heraldtest: event %s: %v", m.ID, err)
		}
		evs = append(evs, e)
	}
	return evs
}
