// Command bench measures Herald beside bare asynq, on one private
// redis-server, and prints each figure as a ratio against a baseline
// measured in the same run. It asserts nothing: numbers depend on the
// machine, so only ratios taken in one run mean much.
//
//	go run ./bench                       # every figure, full size (a few minutes)
//	go run ./bench --quick               # small N, for trying a change
//	go run ./bench --only process,burst  # some figures (names: see --help)
//	go run ./bench --out BENCHMARKS.md   # also write the markdown report
//
// The program starts its own redis-server (internal/redisserver: a unix
// socket, AOF and RDB off, noeviction, hash-max-listpack-value 1024 as
// Herald's Redis runs) and empties it before each side of
// each figure. Every Redis client is made as Herald's processes make them
// (config.ParseRedisURL, go-redis's default pool of 10 connections per
// core) and is shared by Herald's code and the asynq server or client
// built on it, as in cmd/herald. The platform is in process: a no-op
// publishers.Publisher registered as "sandbox", so Herald's own cost is
// what is measured. Tokens come from a real tokens.Vault.
//
// The figures (issue 5):
//
//  1. Enqueue rate. jobs.Client.SchedulePost against asynq's
//     Client.Enqueue of the same payload bytes with the same options
//     (TaskID, queue, ProcessAt, MaxRetry, Timeout), 10 producers each,
//     posts an hour ahead. The difference is Herald's publication record,
//     the account index, the event, and the status read it returns.
//  2. Processing rate. N posts already due (enqueued before the server
//     starts), drained by a jobs.Worker (record read, lock, state
//     transitions, token from the Vault, the no-op publisher, events,
//     outcome) against a bare asynq server whose handler does nothing,
//     with the same concurrency (50, Herald's default) and Herald's four
//     weighted queues. Time from server start to the last task handled.
//     Target: at least 0.8. It is measured in two CPU layouts: 2a with
//     redis-server pinned to the last CPU and this process to the others
//     (GOMAXPROCS set to match, Linux only, two CPUs or more), as in a
//     deployment where Redis has cores of its own; 2b with all CPUs
//     shared. The sides run in turn three times in each layout and each
//     side's median run is reported (rates move by a tenth between runs
//     on a shared machine), with a third side: asynq whose handler makes
//     two plain Redis writes, the floor for a handler that records an
//     attempt's start and end. The run then repeats both sides at
//     concurrency 1 to say where the extra time goes: wall and CPU time
//     per task (this process and redis-server, from getrusage and INFO
//     cpu), and, in a traced repeat, every Redis round trip per task by
//     command, script and key shape, counted by a go-redis hook (tracer)
//     on the client given to jobs, tokens and asynq. 2c (issue 28) is
//     the layout of a publish worker, CPUs shared as in 2b, one run of
//     each side: a jobs.Worker serving the publish queue alone against
//     bare asynq with one queue, and, in its note, Herald with
//     docker-compose's publish layout (critical and publish) and what
//     Herald's four queues cost bare asynq itself (2b's baseline against
//     2c's).
//  3. Slow platform. A publisher that takes 200 ms, at worker concurrency
//     1000: achieved publishes/s as a fraction of the ideal 1000/0.2s =
//     5000/s, over a window after a warm-up, and the peak RSS (VmHWM) of
//     the worker, which runs as a child process of this program so that
//     the figure is its own. Bare asynq with a handler that sleeps 200 ms
//     is run the same way for comparison. When the machine cannot do 5000
//     tasks/s at all (figure 2b says what it can), this figure is capped by
//     that, not by the platform.
//  4. Scheduled burst. 10,000 posts due in the same second, a running
//     idle server with DelayedTaskCheckInterval 1s, concurrency 50: p50,
//     p99 and max of handler start minus due time (Outcome.Lag through
//     WorkerConfig.Observe for Herald, the handler's own clock for
//     asynq). It includes asynq's forwarder interval and idle poll
//     (TaskCheckInterval, about 1s), which both sides share, and then
//     the drain rate of figure 2b.
//  5. Token refresh. 1000 due jobs of one account whose access token has
//     expired, concurrency 1000, a tokenstest endpoint answering after
//     50 ms: calls to the token endpoint (must be 1: singleflight in the
//     process, a Redis lock across processes) and the time from worker
//     start until every job reached the platform with a token, against
//     the same jobs with a valid token.
//  6. Upload. A 1 GiB video streamed from a local media server through
//     the YouTube publisher into publishers/youtube/youtubetest, as MB/s
//     and as a ratio of io.Copy of the same bytes over loopback TCP, with
//     the peak RSS of the process doing it (a child, as in figure 3).
//  7. BullMQ (issue 28's stretch). Herald's publish-only worker (as in
//     2c) against BullMQ's own Worker, in Node (bench/bullmq/drain.mjs),
//     draining as many no-op jobs enqueued beforehand on the same
//     redis-server at the same concurrency, one run each. It is skipped,
//     with the reason in its row, when node is missing or BullMQ is not
//     installed (`npm ci --prefix bench/bullmq`, which make bench runs).
//
// Figure 2's breakdown is the input for optimising jobs: the rows of the
// Herald table that bare asynq does not have are Herald's round trips.
package main
