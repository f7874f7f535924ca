// Package sandbox publishes to the sandbox platform (package sandboxserver),
// a local fake social network: it lets Herald run end to end, in tests and
// in `herald demo`, before any real platform is connected.
//
// Its Publisher is also the reference for real ones. Publishing takes two
// steps, create a draft then publish it, and the draft's id is saved as a
// checkpoint (CheckpointDraft) before the second step. A retry after any
// failure, or after a crash, publishes the saved draft instead of creating
// another; the platform publishes a draft at most once, so a post appears
// exactly once however often Publish runs.
//
// Every failure is classified (see package publishers): 401 and 403 ask
// for the account to be connected again, 429 waits for Retry-After, 5xx
// and network errors are retried, other 4xx fail the post for good. Error
// texts name the step and carry the platform's message, never the token.
//
//	p := sandbox.New("http://127.0.0.1:8090", nil)
//	res, err := p.Publish(ctx, publishers.Request{
//		PostID: "post-1", AccountID: "acct-1",
//		Content:     publishers.Content{Text: "Hello"},
//		Token:       &oauth2.Token{AccessToken: "anything"},
//		Checkpoints: checkpoints, // saved across attempts of post-1
//	})
//
// Platform describes the sandbox for Herald (publishers.Platform): known
// always, published to only when HERALD_SANDBOX_URL names a sandbox
// (package sandboxserver, which `herald sandbox` serves).
package sandbox
