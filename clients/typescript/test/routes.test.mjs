// The routes of the listing, the batch, the connect flow, groups,
// take-downs and creator info against a fake fetch: what each sends, what
// it answers, and which are retried after a lost answer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { HeraldClient, HeraldError } from "../dist/index.js";

const json = (status, v) => new Response(JSON.stringify(v), { status, headers: { "content-type": "application/json" } });
const lost = () => new TypeError("fetch failed");

function fake(answers) {
  const calls = [];
  const client = new HeraldClient({
    baseUrl: "http://herald.test",
    apiKey: "key-0123456789abcdef01234567",
    fetch: async (url, init) => {
      calls.push({ url: String(url), ...init });
      const a = answers.shift();
      if (a instanceof Error) throw a;
      return a;
    },
    retry: { sleep: async () => {}, random: () => 0 },
  });
  return { client, calls };
}

const status = { post_id: "p1", account_id: "a1", platform: "sandbox", state: "scheduled", publish_at: "2026-01-01T00:00:00Z", attempts: 0, updated_at: "2026-01-01T00:00:00Z" };
const post = { post_id: "p1", account_id: "a1", platform: "sandbox", publish_at: "2026-01-01T00:00:00Z", content: { text: "hi" } };
const page = (ids, next) => json(200, { posts: ids.map((id) => ({ ...status, post_id: id })), ...(next ? { next_cursor: next } : {}) });

test("listPosts sends its filters and answers a page", async () => {
  const { client, calls } = fake([page(["a", "b"], "c1")]);
  const p = await client.listPosts({ account_id: "a/1", state: "scheduled", from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z", limit: 2 });
  assert.deepEqual(p.items.map((s) => s.post_id), ["a", "b"]);
  assert.equal(p.nextCursor, "c1");
  const u = new URL(calls[0].url);
  assert.equal(u.pathname, "/v1/posts");
  assert.equal(calls[0].method, "GET");
  assert.deepEqual(Object.fromEntries(u.searchParams), { account_id: "a/1", state: "scheduled", from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z", limit: "2" });
});

test("posts follows next_cursor through short and empty pages to the last", async () => {
  const { client, calls } = fake([page(["a"], "c1"), page([], "c2"), page(["b"], undefined)]);
  const ids = [];
  for await (const p of client.posts({ account_id: "a1", state: "failed" })) ids.push(p.post_id);
  assert.deepEqual(ids, ["a", "b"]);
  assert.deepEqual(calls.map((c) => new URL(c.url).search), ["?account_id=a1&state=failed", "?account_id=a1&state=failed&cursor=c1", "?account_id=a1&state=failed&cursor=c2"]);
});

test("schedulePosts sends {posts} to /v1/posts/batch and answers a result per post", async () => {
  const results = [
    { post_id: "p1", result: "created", status },
    { post_id: "p2", result: "invalid", error: { code: "invalid", message: "publish_at: not a time", fields: [{ field: "publish_at", problem: "not a time" }] } },
  ];
  const { client, calls } = fake([json(200, { results })]);
  const out = await client.schedulePosts([post, { ...post, post_id: "p2", publish_at: "soon" }]);
  assert.deepEqual(out.results, results);
  assert.equal(calls[0].url, "http://herald.test/v1/posts/batch");
  assert.equal(calls[0].method, "POST");
  assert.equal(calls[0].headers["content-type"], "application/json");
  assert.deepEqual(JSON.parse(calls[0].body), { posts: [post, { ...post, post_id: "p2", publish_at: "soon" }] });
});

test("a lost answer is retried for schedulePosts (idempotent), not for startConnection", async () => {
  const b = fake([lost(), json(200, { results: [{ post_id: "p1", result: "unchanged", status }] })]);
  assert.equal((await b.client.schedulePosts([post])).results[0].result, "unchanged");
  assert.equal(b.calls.length, 2);
  assert.equal(b.calls[1].body, b.calls[0].body, "the retry sends the same batch");

  const c = fake([lost(), json(201, { authorize_url: "http://sandbox.test/oauth/authorize", expires_at: "2026-01-01T00:10:00Z" })]);
  await assert.rejects(c.client.startConnection({ platform: "sandbox", account_id: "a1", return_url: "https://app.test/back" }), TypeError);
  assert.equal(c.calls.length, 1, "each startConnection starts another consent, so a lost one is not sent again");
});

test("startConnection posts the request and answers the authorize URL", async () => {
  const conn = { authorize_url: "http://sandbox.test/oauth/authorize?state=s", expires_at: "2026-01-01T00:10:00Z" };
  const { client, calls } = fake([json(201, conn)]);
  const req = { platform: "sandbox", account_id: "a1", return_url: "https://app.test/back", scopes: ["publish"], login_hint: "me" };
  assert.deepEqual(await client.startConnection(req), conn);
  assert.equal(calls[0].url, "http://herald.test/v1/connections");
  assert.equal(calls[0].method, "POST");
  assert.deepEqual(JSON.parse(calls[0].body), req);
});

const problem = (status, code, message) =>
  new Response(JSON.stringify({ type: "about:blank", title: "x", status, detail: message, error: { code, message } }), {
    status,
    headers: { "content-type": "application/problem+json" },
  });

test("getGroup reads /v1/groups/{id}, the id escaped", async () => {
  const group = { group_id: "spring/launch", posts: [status, { ...status, post_id: "p2", group_id: "spring/launch" }] };
  const { client, calls } = fake([json(200, group)]);
  assert.deepEqual(await client.getGroup("spring/launch"), group);
  assert.equal(calls[0].url, "http://herald.test/v1/groups/spring%2Flaunch");
  assert.equal(calls[0].method, "GET");
  assert.equal(calls[0].body, undefined);
});

test("cancelGroup deletes /v1/groups/{id}, answers a result per post, and is not sent again after a lost answer", async () => {
  const answer = {
    group_id: "g1",
    results: [
      { post_id: "p1", result: "canceled", status: { ...status, state: "canceled" } },
      { post_id: "p2", result: "refused", status: { ...status, post_id: "p2", state: "published" }, error: { code: "already_published", message: "post p2 is already published" } },
    ],
  };
  const { client, calls } = fake([json(200, answer)]);
  assert.deepEqual(await client.cancelGroup("g1"), answer);
  assert.equal(calls[0].url, "http://herald.test/v1/groups/g1");
  assert.equal(calls[0].method, "DELETE");

  const l = fake([lost(), json(200, answer)]);
  await assert.rejects(l.client.cancelGroup("g1"), TypeError);
  assert.equal(l.calls.length, 1, "cancelGroup is retried like cancelPost: not after a network failure");
});

test("unpublishPost is DELETE ?remote=true; cancelPost never sends remote", async () => {
  const removing = { ...status, state: "removing", remote_id: "r1", url: "http://sandbox.test/p/r1" };
  const { client, calls } = fake([json(202, removing), json(200, { ...status, state: "canceled" })]);
  assert.deepEqual(await client.unpublishPost("a/b"), removing);
  assert.equal(calls[0].url, "http://herald.test/v1/posts/a%2Fb?remote=true");
  assert.equal(calls[0].method, "DELETE");
  assert.equal(calls[0].body, undefined);
  assert.equal((await client.cancelPost("a/b")).state, "canceled");
  assert.equal(calls[1].url, "http://herald.test/v1/posts/a%2Fb", "a cancel must not take the post down");
});

test("a lost answer is retried for unpublishPost (asking again changes nothing)", async () => {
  const removed = { ...status, state: "removed", removed_at: "2026-01-02T00:00:00Z" };
  const { client, calls } = fake([lost(), json(200, removed)]);
  assert.deepEqual(await client.unpublishPost("p1"), removed);
  assert.equal(calls.length, 2);
  assert.equal(calls[1].url, "http://herald.test/v1/posts/p1?remote=true");
});

test("unpublishPost's refusals are HeraldErrors with their codes", async () => {
  const { client } = fake([problem(409, "cannot_remove", "post p1: instagram: the platform's API cannot take posts down"), problem(409, "not_published", "post p1 is not published (it is scheduled): cancel it instead")]);
  const cannot = await client.unpublishPost("p1").catch((e) => e);
  assert.ok(cannot instanceof HeraldError, String(cannot));
  assert.equal(cannot.status, 409);
  assert.equal(cannot.code, "cannot_remove");
  assert.match(cannot.message, /instagram/);
  const not = await client.unpublishPost("p1").catch((e) => e);
  assert.equal(not.code, "not_published");
});

test("getCreatorInfo reads /v1/accounts/{id}/creator-info", async () => {
  const info = { account_id: "a1", platform: "tiktok", creator_username: "u", creator_nickname: "n", privacy_level_options: ["SELF_ONLY"], comment_disabled: false, duet_disabled: false, stitch_disabled: false, max_video_post_duration_sec: 600 };
  const { client, calls } = fake([json(200, info)]);
  assert.deepEqual(await client.getCreatorInfo("a 1"), info);
  assert.equal(calls[0].url, "http://herald.test/v1/accounts/a%201/creator-info");
  assert.equal(calls[0].method, "GET");
});
