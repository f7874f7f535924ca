// The client against a real Herald (herald api + herald worker + the
// sandbox platform, see harness.mjs): connect, schedule, watch publish,
// cancel, schedule a batch, list, verify the webhooks the worker sends,
// run the connect flow through the sandbox's consent page, and a group,
// a first comment and a take-down on a second account.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { HeraldClient, HeraldError, verifyWebhook } from "../dist/index.js";
import { eventually, missingTools, startHerald } from "./harness.mjs";

const missing = missingTools();
if (missing) console.log(`# integration tests skip: ${missing}`);

describe("against a real herald", { skip: missing, timeout: 120_000 }, () => {
  let h;
  let client;
  const account = `ts-${process.pid}`;
  const iso = (ms) => new Date(ms).toISOString();

  before(async () => {
    h = await startHerald();
    client = new HeraldClient({ baseUrl: h.baseUrl, apiKey: h.apiKey });
  });
  after(() => h?.stop());

  test("connect an account", async () => {
    const acct = await client.connectAccount({
      account_id: account, platform: "sandbox", platform_user_id: `sb-${account}`,
      access_token: "sandbox-access-token", token_type: "Bearer", expiry: iso(Date.now() + 3_600_000), scopes: ["publish"],
    });
    assert.equal(acct.account_id, account);
    assert.ok(!JSON.stringify(acct).includes("sandbox-access-token"), "the answer shows the token");
  });

  test("a wrong key is a HeraldError", async () => {
    const bad = new HeraldClient({ baseUrl: h.baseUrl, apiKey: "not-a-key-0123456789abcdef" });
    await assert.rejects(bad.getAccount(account), (e) => e instanceof HeraldError && e.status === 401 && e.code === "unauthorized");
  });

  test("bad input names the field", async () => {
    const err = await client
      .schedulePost({ post_id: `${account}-bad`, account_id: account, platform: "sandbox", publish_at: "1999-01-01T00:00:00Z", content: { text: "x" } })
      .catch((e) => e);
    assert.ok(err instanceof HeraldError, String(err));
    assert.equal(err.status, 400);
    assert.equal(err.field, "publish_at");
  });

  test("schedule (twice: idempotent), watch it publish, and get its webhook", async () => {
    const post = { post_id: `${account}-now`, account_id: account, platform: "sandbox", publish_at: iso(Date.now()), content: { title: "Hello", text: "from TypeScript" } };
    const first = await client.schedulePost(post);
    const again = await client.schedulePost(post);
    assert.equal(first.post_id, post.post_id);
    assert.equal(again.post_id, post.post_id);
    const conflict = await client.schedulePost({ ...post, content: { text: "other" } }).catch((e) => e);
    assert.equal(conflict.code, "conflict");

    const st = await client.waitForPost(post.post_id, { timeoutMs: 30_000, intervalMs: 100 });
    assert.equal(st.state, "published", JSON.stringify(st));
    assert.ok(st.url, "a published post has its URL");

    const d = await eventually("the post.published webhook", () =>
      h.deliveries.find((d) => d.headers["herald-event-type"] === "post.published" && JSON.parse(d.rawBody).post_id === post.post_id),
    30_000);
    const { signedAt } = await verifyWebhook(d.headers, d.rawBody, h.webhookSecret);
    assert.ok(Math.abs(signedAt.getTime() - Date.now()) < 60_000);
    await assert.rejects(verifyWebhook(d.headers, d.rawBody, "another-secret-0123456789"), { reason: "bad_signature" });
    await assert.rejects(verifyWebhook(d.headers, Buffer.concat([d.rawBody, Buffer.from(" ")]), h.webhookSecret), { reason: "bad_signature" });
  });

  test("cancel a later post, then cancelling again is refused", async () => {
    const id = `${account}-later`;
    await client.schedulePost({ post_id: id, account_id: account, platform: "sandbox", publish_at: iso(Date.now() + 86_400_000), content: { text: "never" } });
    await client.cancelPost(id);
    assert.equal((await client.getPost(id)).state, "canceled");
    const again = await client.reschedulePost(id, { publish_at: iso(Date.now() + 3_600_000) }).catch((e) => e);
    assert.ok(again instanceof HeraldError && again.status === 409, String(again));
  });

  test("a batch: a result per post, the invalid one naming its field", async () => {
    const good = { post_id: `${account}-batch`, account_id: account, platform: "sandbox", publish_at: iso(Date.now() + 2 * 86_400_000), content: { text: "batched" } };
    const bad = { ...good, post_id: `${account}-batch-bad`, publish_at: "1999-01-01T00:00:00Z" };
    const first = await client.schedulePosts([good, bad]);
    assert.deepEqual(first.results.map((r) => [r.post_id, r.result]), [[good.post_id, "created"], [bad.post_id, "invalid"]]);
    assert.equal(first.results[0].status?.state, "scheduled");
    assert.equal(first.results[1].error?.fields?.[0]?.field, "publish_at", JSON.stringify(first.results[1]));
    const again = await client.schedulePosts([good, { ...good, post_id: `${account}-now` }]);
    assert.deepEqual(again.results.map((r) => r.result), ["unchanged", "conflict"]);
    assert.equal((await client.getPost(bad.post_id).catch((e) => e)).status, 404, "the invalid post was stored");
  });

  test("list the account's posts page by page, filtered", async () => {
    const all = [`${account}-batch`, `${account}-later`, `${account}-now`];
    const ids = [];
    for await (const p of client.accountPosts(account, { limit: 1 })) ids.push(p.post_id);
    assert.deepEqual(ids.sort(), all);

    const first = await client.listPosts({ account_id: account, limit: 2 });
    assert.equal(first.items.length, 2);
    assert.ok(first.nextCursor, "a first page of two out of three has a next cursor");
    const rest = await client.listPosts({ account_id: account, limit: 2, cursor: first.nextCursor });
    assert.deepEqual([...first.items, ...rest.items].map((p) => p.post_id).sort(), all);
    assert.equal(rest.nextCursor, undefined);

    const collect = async (q) => {
      const out = [];
      for await (const p of client.posts({ account_id: account, limit: 1, ...q })) out.push(p.post_id);
      return out.sort();
    };
    assert.deepEqual(await collect({}), all);
    assert.deepEqual(await collect({ state: "canceled" }), [`${account}-later`]);
    const hour = iso(Date.now() + 3_600_000);
    assert.deepEqual(await collect({ from: hour }), [`${account}-batch`, `${account}-later`]);
    assert.deepEqual(await collect({ to: hour }), [`${account}-now`]);
    const err = await client.listPosts({ account_id: account, limit: 0 }).catch((e) => e);
    assert.equal(err.field, "limit", String(err));
  });

  test("startConnection answers an authorize URL; Allow on the sandbox connects the account", async () => {
    const id = `${account}-oauth`;
    const conn = await client.startConnection({ platform: "sandbox", account_id: id, return_url: `${h.returnUrl}?from=ts` });
    assert.ok(conn.authorize_url.startsWith(`${h.sandboxUrl}/oauth/authorize?`), conn.authorize_url);
    const ttl = Date.parse(conn.expires_at) - Date.now();
    assert.ok(ttl > 0 && ttl <= 600_000, `expires in ${ttl} ms`);

    const page = await fetch(conn.authorize_url);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /name="decision" value="allow"/);
    // Allow posts decision=allow to the page's own URL; the sandbox sends
    // the browser to Herald's callback, which redirects to return_url.
    const allowed = await fetch(conn.authorize_url, { method: "POST", body: new URLSearchParams({ decision: "allow" }), redirect: "manual" });
    assert.equal(allowed.status, 303);
    const callback = allowed.headers.get("location");
    assert.ok(callback.startsWith(`${h.baseUrl}/v1/oauth/sandbox/callback?`), callback);
    const back = await fetch(callback, { redirect: "manual" });
    assert.equal(back.status, 303, await back.text());
    const ret = new URL(back.headers.get("location"));
    assert.equal(`${ret.origin}${ret.pathname}`, h.returnUrl);
    assert.equal(ret.searchParams.get("status"), "connected", ret.search);
    assert.equal(ret.searchParams.get("account_id"), id);
    assert.equal(ret.searchParams.get("from"), "ts");
    assert.equal((await client.getAccount(id)).platform, "sandbox");

    const bad = await client.startConnection({ platform: "sandbox", account_id: id, return_url: "https://elsewhere.example/back" }).catch((e) => e);
    assert.ok(bad instanceof HeraldError && bad.status === 400, String(bad));
    assert.equal(bad.field, "return_url");
  });

  describe("groups, first comments and take-downs", () => {
    const other = `${account}-2`;
    const at = (ms) => ({ account_id: other, platform: "sandbox", publish_at: iso(Date.now() + ms) });

    before(async () => {
      await client.connectAccount({
        account_id: other, platform: "sandbox", platform_user_id: `sb-${other}`,
        access_token: "sandbox-access-token", token_type: "Bearer", expiry: iso(Date.now() + 3_600_000), scopes: ["publish"],
      });
    });

    test("a group: read it, cancel it, the published post refused", async () => {
      const group = `${other}-launch`;
      const now = { ...at(0), post_id: `${group}-now`, group_id: group, content: { text: "out now" } };
      const later = { ...at(86_400_000), post_id: `${group}-later`, group_id: group, content: { text: "tomorrow" } };
      await client.schedulePosts([later, now]);
      assert.equal((await client.waitForPost(now.post_id, { timeoutMs: 30_000, intervalMs: 100 })).state, "published");

      const g = await client.getGroup(group);
      assert.equal(g.group_id, group);
      assert.deepEqual(g.posts.map((p) => [p.post_id, p.state, p.group_id]), [[now.post_id, "published", group], [later.post_id, "scheduled", group]]);

      const c = await client.cancelGroup(group);
      assert.deepEqual(c.results.map((r) => [r.post_id, r.result, r.error?.code]), [[now.post_id, "refused", "already_published"], [later.post_id, "canceled", undefined]]);
      assert.equal((await client.getPost(later.post_id)).state, "canceled");

      const missing = await client.getGroup(`${other}-no-such-group`).catch((e) => e);
      assert.ok(missing instanceof HeraldError && missing.status === 404 && missing.code === "not_found", String(missing));
      const bad = await client.cancelGroup("not a group id").catch((e) => e);
      assert.ok(bad instanceof HeraldError && bad.status === 400, String(bad));
      assert.equal(bad.field, "group_id");
    });

    test("a first comment: posted after the post, or refused naming content.first_comment", async () => {
      const post = { ...at(0), post_id: `${other}-commented`, content: { text: "links below", first_comment: "https://example.com #launch" } };
      await client.schedulePost(post);
      const st = await client.waitForComment(post.post_id, { timeoutMs: 60_000, intervalMs: 100 });
      assert.equal(st.state, "published", JSON.stringify(st));
      assert.equal(st.comment_state, "posted", JSON.stringify(st));
      assert.ok(st.comment_id, "a posted comment has its id");

      const long = { ...at(3_600_000), post_id: `${other}-long-comment`, content: { text: "x", first_comment: "c".repeat(2001) } };
      const err = await client.schedulePost(long).catch((e) => e);
      assert.ok(err instanceof HeraldError && err.status === 400, String(err));
      assert.equal(err.field, "content.first_comment");
    });

    test("take a published post down; a post not published is refused", async () => {
      const id = `${other}-commented`;
      const first = await client.unpublishPost(id);
      assert.ok(["removing", "removed"].includes(first.state), JSON.stringify(first));
      const st = await client.waitForPost(id, { states: ["removed", "published"], timeoutMs: 30_000, intervalMs: 100 });
      assert.equal(st.state, "removed", JSON.stringify(st));
      assert.ok(st.removed_at, "a removed post says when");
      assert.equal((await client.unpublishPost(id)).state, "removed", "asking again answers the same");
      await eventually("the post.removed webhook", () =>
        h.deliveries.find((d) => d.headers["herald-event-type"] === "post.removed" && JSON.parse(d.rawBody).post_id === id),
      30_000);

      const later = { ...at(86_400_000), post_id: `${other}-not-yet`, content: { text: "tomorrow" } };
      await client.schedulePost(later);
      const err = await client.unpublishPost(later.post_id).catch((e) => e);
      assert.ok(err instanceof HeraldError && err.status === 409, String(err));
      assert.equal(err.code, "not_published");
      assert.equal((await client.getPost(later.post_id)).state, "scheduled", "a refused take-down changes nothing");
    });
  });
});
