// Figure 7 of `go run ./bench`: BullMQ's own Worker drains n no-op jobs,
// enqueued before it starts, on the bench's redis-server, as figure 2c's
// Herald worker drains n due posts. Prints one JSON line: the jobs and
// the milliseconds from the worker's start to the last job completed.
//
//   node drain.mjs <redis unix socket> <n> <concurrency>
//
// Completed jobs are removed, as asynq deletes a finished task, so
// neither side keeps what it ran.
import { readFileSync } from 'node:fs';
import { Queue, Worker } from 'bullmq';

const [socket, nArg, concArg] = process.argv.slice(2);
const n = Number(nArg);
const concurrency = Number(concArg);
if (!socket || !(n > 0) || !(concurrency > 0)) {
  console.error('usage: node drain.mjs <redis unix socket> <n> <concurrency>');
  process.exit(2);
}
// BullMQ wants maxRetriesPerRequest null on a worker's connection.
const connection = { path: socket, maxRetriesPerRequest: null };
const name = 'bench-drain';
// A payload the size of figure 2's (about 400 bytes).
const data = { post_id: '', account_id: 'acct-0', platform: 'sandbox', text: 'x'.repeat(300) };

const queue = new Queue(name, { connection });
await queue.obliterate({ force: true }).catch(() => {});
for (let i = 0; i < n; i += 1000) {
  const batch = [];
  for (let j = i; j < Math.min(n, i + 1000); j++) {
    batch.push({ name: 'post:publish', data: { ...data, post_id: `p-${j}` }, opts: { jobId: `publish-p-${j}`, removeOnComplete: true, attempts: 13 } });
  }
  await queue.addBulk(batch);
}

let left = n;
let done;
const finished = new Promise((resolve) => { done = resolve; });
const start = process.hrtime.bigint();
const worker = new Worker(name, async () => {}, { connection, concurrency });
worker.on('completed', () => {
  if (--left === 0) done(process.hrtime.bigint());
});
worker.on('failed', (job, err) => { console.error('job failed:', err?.message); });
const end = await finished;
await worker.close();
await queue.close();
const version = JSON.parse(readFileSync(new URL('./node_modules/bullmq/package.json', import.meta.url), 'utf8')).version;
console.log(JSON.stringify({ jobs: n, elapsed_ms: Number(end - start) / 1e6, bullmq: version }));
