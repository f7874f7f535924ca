// Package e2e holds tests that cross Herald's packages the way an operator
// meets them, rather than the way one package sees itself.
//
// The monitor test drives headless Chromium (github.com/chromedp/chromedp)
// against asynqmon as the monitor serves it, behind its login, with posts
// scheduled through jobs.Client: it proves that an operator's browser sees
// Herald's queues and their counts, and leaves a screenshot behind (in
// $HERALD_TEST_ARTIFACTS when set). It skips when no Chromium is
// installed; `make test` installs it on Debian.
//
// The connect test drives headless Chromium through Herald's OAuth
// consent (package connect) on every platform's fake: the authorize
// URL, the consent page, a click on Allow, Herald's callback, the app's
// return page; then a post goes out with the sandbox account it
// connected.
//
// The log scan test runs a whole cycle in one process (a token refreshed
// by the Vault, posts published, retried, refused and needing
// reauthorization) with the JSON logger the real processes use, and
// checks that no token, client secret or encryption key of the run
// appears anywhere in what was logged, while the job lines carry the ids
// an operator searches by.
//
// Tests get a real Redis from internal/redistest:
//
//	go test -race ./internal/e2e/
//	HERALD_TEST_ARTIFACTS=/tmp/shots go test -run Browser -v ./internal/e2e/
package e2e
