package main

// mdIntro opens BENCHMARKS.md.
const mdIntro = `# Benchmarks

Herald measured beside bare asynq, on the same machine, the same private
redis-server and in the same run: each figure is printed as a ratio
against its baseline, since absolute numbers say more about the machine
than about Herald. Nothing here passes or fails.

Reproduce with ` + "`go run ./bench --out BENCHMARKS.md`" + ` (a few
minutes; ` + "`--quick`" + ` for small N, ` + "`--only NAME,...`" + `
for some figures: enqueue, process, slow, burst, refresh, upload). The
program starts its own redis-server (unix socket, AOF and RDB off, so the
disk is not measured), empties it before each side of each figure, and
uses an in-process no-op platform so that Herald's own cost shows.
Redis clients are made as Herald makes them (go-redis's default pool).

| figure | Herald | baseline |
| --- | --- | --- |
| 1. Enqueue rate | ` + "`jobs.Client.SchedulePost`" + `, 10 producers | asynq ` + "`Client.Enqueue`" + ` of the same payload and options, 10 producers |
| 2. Processing rate | due posts drained by a ` + "`jobs.Worker`" + `: record, lock, token from a ` + "`tokens.Vault`" + `, no-op publisher, outcome, events | bare asynq server, no-op handler, same concurrency (50) and queues; target ≥ 0.8 |
| 3. Slow platform | publishes/s with a 200 ms platform at concurrency 1000, and the worker's peak RSS (child process) | the ideal, 1000 / 0.2 s = 5000/s; bare asynq with a 200 ms handler in the note |
| 4. Scheduled burst | 10,000 posts due in the same second: p50 / p99 / max of handler start − due time | bare asynq, same DelayedTaskCheckInterval (1s) and concurrency |
| 5. Token refresh | 1000 due jobs of one account with an expired token (token endpoint 50 ms): calls to the endpoint (must be 1), time until all reached the platform | the same jobs with a valid token |
| 6. Upload | 1 GiB through the YouTube publisher into its fake: MB/s, peak RSS | io.Copy of 1 GiB over loopback TCP |

Figure 3 cannot beat figure 2: when the machine cannot run 5000 tasks/s
at all, the slow platform's figure shows that ceiling, not the platform.
Figure 4 includes asynq's forwarder interval and idle poll (about a
second each, shared by both sides) and then the drain rate of figure 2.

Figure 2 misses its 0.8 target, and this machine shows why: both sides
are CPU-bound on two cores shared with redis-server, and each Redis round
trip costs about 90 µs of CPU (Go and Redis together). Bare asynq with a
no-op handler makes three round trips a task and touches nothing of its
own. Herald makes two more, each of which a promise needs: the attempt's
begin (record, lock and publishing event in one script, with the token
read in the same pipeline) and the finish (outcome and event in one
script). Putting the events inside the scripts and the token read beside
begin took three round trips off this figure. Reaching 0.8 would take
Herald's whole extra work under about 70 µs, less than one round trip;
the note's third figure, asynq whose handler makes a single Redis write,
shows where the floor for any durable handler lies. Sharing pipelines
between concurrent attempts (one round trip for the begin or finish of
every attempt ready at that moment) was tried and measured no gain here:
on two busy cores attempts seldom meet, and the hand-off cost what the
shared round trips saved.
What each figure means in detail: ` + "`go doc ./bench`" + `.

`
