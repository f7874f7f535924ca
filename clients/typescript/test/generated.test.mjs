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

test("the document's error codes include every code api/errors.go answers", () => {
  // ErrorCode (errors.ts) is what apps branch on; a code the Go API
  // answers but the document omits would be typed out of it.
  const goSrc = readFileSync(join(pkg, "../../api/errors.go"), "utf8");
  const block = goSrc.match(/\/\/ Error codes:[\s\S]*?const \(([\s\S]*?)\n\)/);
  assert.ok(block, "api/errors.go has no `// Error codes:` const block");
  const goCodes = [...block[1].matchAll(/^\s*code\w+\s*=\s*"([a-z_]+)"/gm)].map((m) => m[1]);
  assert.ok(goCodes.length >= 15, `read only ${goCodes.length} codes from api/errors.go`);
  const doc = JSON.parse(readFileSync(join(pkg, "../../api/openapi.json"), "utf8"));
  const documented = new Set(doc.components.schemas.Error.properties.error.properties.code.enum);
  assert.deepEqual(goCodes.filter((c) => !documented.has(c)), []);
});
