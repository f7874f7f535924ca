// The staleness check (scripts/check-generated.mjs) fails on generated
// types that differ from what api/openapi.json makes, and passes on the
// committed ones.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const pkg = fileURLToPath(new URL("..", import.meta.url));
const check = (file) =>
  spawnSync(process.execPath, ["scripts/check-generated.mjs"], { cwd: pkg, encoding: "utf8", env: { ...process.env, HERALD_GENERATED: file } });

test("the staleness check fails on stale types", () => {
  const dir = mkdtempSync(join(tmpdir(), "herald-ts-gen-"));
  try {
    const stale = join(dir, "openapi.ts");
    const current = readFileSync(join(pkg, "src/generated/openapi.ts"), "utf8");
    writeFileSync(stale, current.replace('"/v1/posts": {', '"/v1/postz": {'));
    const r = check(stale);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /stale against api\/openapi.json/);
    writeFileSync(stale, current);
    assert.equal(check(stale).status, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
