package jobs_test

import (
	"context"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/heraldhq/herald/internal/eventually"
	"github.com/heraldhq/herald/jobs"
	"github.com/heraldhq/herald/tokens"
	"github.com/heraldhq/herald/tokens/tokenstest"
)

// An attempt that begins between Disconnect making the token unreadable
// and its cancel of the account's posts finds the account disconnected:
// the post ends canceled, not failed as reauth, and nothing is sent.
func TestAttemptMeetingADisconnectCancelsThePost(t *testing.T) {
	e := newEnv(t)
	o := tokenstest.New()
	t.Cleanup(o.Close)
	keys, err := tokens.ParseKeyring("k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	if err != nil {
		t.Fatal(err)
	}
	// The hook runs after the tombstone and before jobs cancels the
	// posts: hold it until the attempt has met the disconnect.
	v := tokens.New(e.rdb, keys, jobs.VaultHooks(e.client, tokens.Options{
		Platforms: map[string]tokens.Platform{"sandbox": {OAuth: &oauth2.Config{ClientID: "c", ClientSecret: "s", Endpoint: o.Endpoint()}}},
		OnDisconnect: func(context.Context, string, string) error {
			eventually.True(t, 20*time.Second, func() bool {
				st := e.status("race")
				return st.Attempts >= 1 && st.State != jobs.StatePublishing && st.State != jobs.StateScheduled
			}, "the attempt met the disconnect")
			return nil
		},
	}))
	if err := v.Connect(context.Background(), tokens.Account{ID: "acct-1", Platform: "sandbox", PlatformUserID: "sb-1", Token: o.Issue(time.Now().Add(time.Hour))}); err != nil {
		t.Fatal(err)
	}
	e.schedule(e.post("race", time.Now()))
	e.startWorker(e.registry(nil), func(c *jobs.WorkerConfig) {
		c.Tokens = v
		c.Sealer = keys
	})
	if err := v.Disconnect(context.Background(), "acct-1"); err != nil {
		t.Fatal(err)
	}
	st := e.status("race")
	if st.State != jobs.StateCanceled {
		t.Errorf("post is %s (%s: %s), want canceled", st.State, st.FailureClass, st.Reason)
	}
	if n := len(e.sandbox.Calls()); n != 0 {
		t.Errorf("platform called %d times", n)
	}
}
