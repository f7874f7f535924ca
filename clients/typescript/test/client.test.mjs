// The hand layer against a fake fetch: auth, problem documents, retries
// and their waits (an injected sleep records them), pagination.
import { test } from "node:test";
import assert from "node:assert/strict";
import { commentSettled, HeraldClient, HeraldError, paginate } from "../dist/index.js";

const problem = (status, code, message, fields, headers = {}) =>
  new Response(JSON.stringify({ type: "about:blank", title: "x", status, detail: message, error: { code, message, fields } }), {
    status,
    headers: { "content-type": "application/problem+json", ...headers },
  });
const json = (status, v) => new Response(JSON.stringify(v), { status, headers: { "content-type": "application/json" } });

function fake(answers) {
  const calls = [];
  const slept = [];
  const client = new HeraldClient({
    baseUrl: "http://herald.test/",
    apiKey: "key-0123456789abcdef01234567",
    fetch: async (url, init) => {
      calls.push({ url: String(url), ...init });
      const a = answers.shift();
      if (a instanceof Error) throw a;
      return a;
    },
    retry: { sleep: async (ms) => void slept.push(ms), random: () => 0.5, baseDelayMs: 100 },
  });
  return { client, calls, slept };
}

const status = { post_id: "p1", account_id: "a1", platform: "sandbox", state: "scheduled", publish_at: "2026-01-01T00:00:00Z", attempts: 0, updated_at: "2026-01-01T00:00:00Z" };
const post = { post_id: "p1", account_id: "a1", platform: "sandbox", publish_at: "2026-01-01T00:00:00Z", content: { text: "hi" } };

test("bearer auth, JSON body, path escaping", async () => {
  const { client, calls } = fake([json(201, status), json(200, status)]);
  await client.schedulePost(post);
  await client.getPost("a/b c");
  assert.equal(calls[0].headers.authorization, "Bearer key-0123456789abcdef01234567");
  assert.equal(calls[0].headers["content-type"], "application/json");
  assert.deepEqual(JSON.parse(calls[0].body), post);
  assert.equal(calls[0].url, "http://herald.test/v1/posts");
  assert.equal(calls[1].url, "http://herald.test/v1/posts/a%2Fb%20c");
});

test("a problem document is a HeraldError with its code and fields", async () => {
  const { client } = fake([problem(400, "invalid", "publish_at: not a time", [{ field: "publish_at", problem: "not a time" }])]);
  const err = await client.schedulePost(post).catch((e) => e);
  assert.ok(err instanceof HeraldError);
  assert.equal(err.status, 400);
  assert.equal(err.code, "invalid");
  assert.equal(err.field, "publish_at");
  assert.deepEqual(err.fields, [{ field: "publish_at", problem: "not a time" }]);
  assert.equal(err.message, "publish_at: not a time");
});

test("an answer that is no problem document still is a HeraldError", async () => {
  const { client } = fake([new Response("<html>bad gateway</html>", { status: 502, statusText: "Bad Gateway" })]);
  const err = await client.getPost("p1").catch((e) => e);
  assert.ok(err instanceof HeraldError);
  assert.equal(err.code, "http_502");
  assert.deepEqual(err.fields, []);
});

test("429 and 503 are retried after Retry-After", async () => {
  const date = new Date(Date.now() + 30_000).toUTCString();
  const { client, calls, slept } = fake([
    problem(429, "rate_limited", "slow down", undefined, { "retry-after": "7" }),
    problem(503, "unavailable", "redis", undefined, { "retry-after": date }),
    json(200, status),
  ]);
  assert.deepEqual(await client.getPost("p1"), status);
  assert.equal(calls.length, 3);
  assert.equal(slept[0], 7000);
  assert.ok(slept[1] > 25_000 && slept[1] <= 30_000, `HTTP-date Retry-After waited ${slept[1]} ms`);
});

test("without Retry-After the wait backs off exponentially with jitter", async () => {
  const { client, slept } = fake([problem(503, "unavailable", "x"), problem(503, "unavailable", "x"), problem(503, "unavailable", "x"), problem(503, "unavailable", "x")]);
  const err = await client.getPost("p1").catch((e) => e);
  assert.equal(err.status, 503, "after maxAttempts (4) the last answer is thrown");
  assert.deepEqual(slept, [50, 100, 200]);
});

test("other errors, and a Retry-After beyond the limit, are not retried", async () => {
  for (const res of [problem(409, "conflict", "used", undefined, { "retry-after": "1" }), problem(429, "rate_limited", "x", undefined, { "retry-after": "3600" })]) {
    const { client, calls, slept } = fake([res, json(200, status)]);
    const err = await client.getPost("p1").catch((e) => e);
    assert.ok(err instanceof HeraldError);
    assert.equal(calls.length, 1);
    assert.deepEqual(slept, []);
  }
});

test("a lost answer is retried for schedulePost (idempotent) only", async () => {
  const lost = () => new TypeError("fetch failed");
  const s = fake([lost(), json(200, status)]);
  assert.deepEqual(await s.client.schedulePost(post), status);
  assert.equal(s.calls.length, 2);
  const c = fake([lost(), json(200, status)]);
  await assert.rejects(c.client.cancelPost("p1"), TypeError);
  assert.equal(c.calls.length, 1);
});

test("accountPosts follows next_cursor to the last page", async () => {
  const page = (ids, next) => json(200, { posts: ids.map((id) => ({ ...status, post_id: id })), ...(next ? { next_cursor: next } : {}) });
  const { client, calls } = fake([page(["a", "b"], "c1"), page(["c"], "c2"), page([], undefined)]);
  const ids = [];
  for await (const p of client.accountPosts("a1", { limit: 2 })) ids.push(p.post_id);
  assert.deepEqual(ids, ["a", "b", "c"]);
  assert.equal(calls[0].url, "http://herald.test/v1/accounts/a1/posts?limit=2");
  assert.equal(calls[1].url, "http://herald.test/v1/accounts/a1/posts?limit=2&cursor=c1");
  assert.equal(calls.length, 3);
});

test("paginate stops when the loop does", async () => {
  let fetched = 0;
  const pages = paginate(async (c) => (fetched++, { items: [c ?? "first"], nextCursor: "more" }));
  for await (const _ of pages) break;
  assert.equal(fetched, 1);
});

test("waitForPost reads until an end state, sleeping between reads", async () => {
  const { client, slept } = fake([json(200, status), json(200, { ...status, state: "publishing" }), json(200, { ...status, state: "published" })]);
  const st = await client.waitForPost("p1", { intervalMs: 20 });
  assert.equal(st.state, "published");
  assert.deepEqual(slept, [20, 20]);
});

test("a client without baseUrl or apiKey is refused, naming it", () => {
  assert.throws(() => new HeraldClient({ baseUrl: "", apiKey: "k" }), /baseUrl/);
  assert.throws(() => new HeraldClient({ baseUrl: "http://x", apiKey: "" }), /apiKey/);
});

test("waitForPost ends on removed by default: a post taken down is at an end", async () => {
  const { client, calls } = fake([json(200, { ...status, state: "removing" }), json(200, { ...status, state: "removed" })]);
  const st = await client.waitForPost("p1", { intervalMs: 1, timeoutMs: 60_000 });
  assert.equal(st.state, "removed");
  assert.equal(calls.length, 2);
});

test("waitForPost with until waits for what until says, not for states", async () => {
  const published = { ...status, state: "published", remote_id: "r1" };
  const { client, calls } = fake([json(200, published), json(200, { ...published, comment_state: "posted", comment_id: "c1" })]);
  const st = await client.waitForPost("p1", { intervalMs: 1, states: ["published"], until: (s) => s.comment_id !== undefined });
  assert.equal(st.comment_id, "c1");
  assert.equal(calls.length, 2, "until replaces states: published alone did not end the wait");
});

test("waitForPost's timeout is a HeraldError with code timeout", async () => {
  const { client } = fake([json(200, status)]);
  const err = await client.waitForPost("p1", { timeoutMs: 0 }).catch((e) => e);
  assert.ok(err instanceof HeraldError, String(err));
  assert.equal(err.code, "timeout");
  assert.match(err.message, /still scheduled/);
});

test("waitForComment reads past publish until the first comment is posted or failed", async () => {
  const published = { ...status, state: "published", remote_id: "r1" };
  const { client, calls } = fake([
    json(200, { ...status, state: "publishing" }),
    json(200, { ...published, comment_state: "pending" }),
    json(200, { ...published, comment_state: "failed", warning: "sandbox: comments are off" }),
  ]);
  const st = await client.waitForComment("p1", { intervalMs: 1 });
  assert.equal(st.comment_state, "failed");
  assert.equal(st.warning, "sandbox: comments are off");
  assert.equal(calls.length, 3);
});

test("commentSettled: posted, failed, no comment, or a post that ended without one", () => {
  const pub = { ...status, state: "published" };
  const cases = [
    [{ ...status, state: "scheduled" }, false],
    [{ ...status, state: "publishing" }, false],
    [{ ...status, state: "cancel_requested" }, false],
    [{ ...status, state: "unknown" }, false],
    [{ ...pub, comment_state: "pending" }, false],
    [{ ...pub, comment_state: "posted", comment_id: "c1" }, true],
    [{ ...pub, comment_state: "failed" }, true],
    [pub, true], // published without a first comment
    [{ ...status, state: "failed" }, true],
    [{ ...status, state: "canceled" }, true],
    [{ ...status, state: "removing" }, true],
    [{ ...status, state: "removed" }, true],
  ];
  for (const [st, want] of cases) assert.equal(commentSettled(st), want, `${st.state}/${st.comment_state}`);
});
