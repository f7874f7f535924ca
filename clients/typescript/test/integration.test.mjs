// The client against a real Herald (herald api + herald worker + the
// sandbox platform, see harness.mjs): connect, schedule, watch publish,
// cancel, list, and verify the webhooks the worker sends.
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

  test("list the account's posts page by page", async () => {
    const ids = [];
    for await (const p of client.accountPosts(account, { limit: 1 })) ids.push(p.post_id);
    assert.deepEqual(ids.sort(), [`${account}-later`, `${account}-now`]);
  });
});
