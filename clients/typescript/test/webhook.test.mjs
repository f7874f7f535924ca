// verifyWebhook against the vectors webhook.Verify is held to in Go
// (webhook/vectors_test.go writes and checks the file).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { verifyWebhook, WebhookVerificationError } from "../dist/index.js";

const vectors = JSON.parse(readFileSync(new URL("../../../webhook/testdata/signature_vectors.json", import.meta.url), "utf8"));

test("the shared vectors cover every outcome", () => {
  const outcomes = new Set(vectors.map((v) => v.want));
  assert.deepEqual([...outcomes].sort(), ["bad_signature", "expired", "no_signature", "ok"]);
});

for (const v of vectors) {
  test(`vector: ${v.name} -> ${v.want}`, async () => {
    const body = Buffer.from(v.body_base64, "base64");
    const got = await verifyWebhook({ "herald-signature": v.header }, new Uint8Array(body), v.secret, {
      toleranceSeconds: v.tolerance_seconds,
      now: new Date(v.now_unix_ms),
    }).then(
      () => "ok",
      (err) => {
        assert.ok(err instanceof WebhookVerificationError, `not a WebhookVerificationError: ${err}`);
        return err.reason;
      },
    );
    assert.equal(got, v.want);
  });
}

test("headers of every shape, and a string body", async () => {
  const v = vectors.find((x) => x.name === "valid");
  const body = Buffer.from(v.body_base64, "base64").toString("utf8");
  const opts = { now: new Date(v.now_unix_ms) };
  for (const h of [new Headers({ "Herald-Signature": v.header }), { "Herald-Signature": v.header }, { "herald-signature": [v.header] }]) {
    const { signedAt } = await verifyWebhook(h, body, v.secret, opts);
    assert.equal(signedAt.getTime(), 1767225600000);
  }
  await assert.rejects(verifyWebhook({}, body, v.secret, opts), { reason: "no_signature" });
});

test("without a global crypto (Node 18) it falls back to node:crypto", async () => {
  const { execFileSync } = await import("node:child_process");
  const v = vectors.find((x) => x.name === "valid");
  const script = `
    Object.defineProperty(globalThis, "crypto", { value: undefined, configurable: true });
    const { verifyWebhook } = await import(${JSON.stringify(new URL("../dist/index.js", import.meta.url).href)});
    const r = await verifyWebhook({ "herald-signature": ${JSON.stringify(v.header)} }, Buffer.from(${JSON.stringify(v.body_base64)}, "base64"), ${JSON.stringify(v.secret)}, { now: new Date(${v.now_unix_ms}) });
    console.log(r.signedAt.getTime());`;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  assert.equal(out.trim(), "1767225600000");
});
