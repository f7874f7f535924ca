// Package chaos proves Herald's promises under faults: real worker
// processes (the built herald binary), a real redis-server with its
// append-only file, and the sandbox platform, while the tests kill
// workers, crash and freeze Redis, make the platform fail and disconnect
// accounts mid-run, let every retry fail, freeze a worker past its lock
// (SIGSTOP, SIGCONT), and cancel posts or disconnect their accounts
// while answers are lost. Each
// scenario ends with a check over the platform's call log and Herald's
// records: every post published exactly once (or failed, or canceled and
// not on the platform, as the scenario says), nothing lost, nothing
// published for a disconnected account. Every scenario runs with two
// tenants that use the same account and post ids (harness_test.go), and
// checks isolation beside exactly-once: each post is a post of its own
// tenant, published with its own tenant's account. The workers-killed scenario
// prints the orphan recovery time, kill to next attempt; under make chaos
// TestChaosBareAsynqRecovery measures bare asynq's the same way, with the
// test binary itself as a bare asynq worker.
//
// `make test` runs a short version of each scenario; `make chaos` (or
// HERALD_CHAOS=full) runs them at full size. The package has only tests.
//
// Timing: asynq recovers the tasks of a worker killed with SIGKILL only
// after their 30 s lease has expired and a recoverer has run (every
// minute), so scenarios that kill processes take one to three minutes.
package chaos
