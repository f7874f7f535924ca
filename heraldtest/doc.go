// Package heraldtest runs Herald inside a Go test, as rivertest is to
// River and httptest to net/http: a product app's test starts Herald,
// connects an account, schedules posts through the real Client and
// asserts on what the platform received, in a few lines.
//
// Start runs, for one test, what a deployment runs: a private
// redis-server (a unix socket in a temp dir, nothing on disk; it needs
// redis-server in PATH), the sandbox platform (package sandboxserver, a
// local social network that speaks HTTP), a Vault with a key generated
// for the test, a Client and a Worker, wired as cmd/herald wires them
// (the Vault's disconnects cancel posts through jobs.VaultHooks, the
// platforms' descriptors fill the Worker's registry and the Vault). Only
// the timings differ: retries come within milliseconds, not minutes, so
// a failing post reaches its end while the test waits. t.Cleanup stops
// everything.
//
//	func TestLaunchPostGoesOut(t *testing.T) {
//		h := heraldtest.Start(t)
//		h.ConnectAccount(t, "acct-1")
//
//		h.SchedulePost(t, jobs.Post{ID: "launch-42", AccountID: "acct-1",
//			Content: publishers.Content{Text: "We launched"}})
//
//		st := h.WaitPublished(t, "launch-42")
//		if got := h.Published(); len(got) != 1 || got[0].Text != "We launched" {
//			t.Errorf("the platform has %+v", got)
//		}
//		_ = st.URL // the post's address at the platform
//	}
//
// The Wait methods read the post's record until it reaches the state
// asked for, with a deadline (the Within option), never by sleeping; a
// post that ends otherwise fails the test at once with its reason.
//
// Faults are the sandbox's: h.Sandbox.FailRef(postID, n, heraldtest.Fault{...})
// makes the platform answer a 503 (retried), a 429 (waited for), a 422
// (the post fails) or a 401 (the account must be connected again), and
// h.Sandbox.Calls lists every call it answered. Options set the clock,
// the lateness allowed, the retry policy, extra platforms (a real
// platform's publisher pointed at its fake in publishers/<p>/<p>test) and
// anything else of the Worker's configuration.
//
// Scheduled posts run by the real time (asynq's scheduler does not read
// the Clock option): schedule for now, or seconds ahead, not hours.
// An idle worker looks for new tasks about once a second, so a post
// takes up to a second or two to go out; tests of several posts can run
// in parallel (t.Parallel), each Herald being private.
//
// New and Close do the same without a testing.TB, for a TestMain that
// shares one Herald between a package's tests, or an Example.
package heraldtest
