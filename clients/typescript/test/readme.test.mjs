// README's "From TypeScript" example type-checks against the package, so
// the documentation cannot drift from the API it shows.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const pkg = fileURLToPath(new URL("..", import.meta.url));

test("README's TypeScript example compiles", () => {
  const readme = readFileSync(join(pkg, "../../README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## From TypeScript"));
  const m = section.match(/```ts\n([\s\S]*?)```/);
  assert.ok(m, "README has no ```ts block under ## From TypeScript");
  const dir = mkdtempSync(join(pkg, ".readme-"));
  try {
    const prelude = [
      "declare const process: { env: Record<string, string | undefined> };",
      "declare const req: { headers: Record<string, string | string[] | undefined> };",
      "declare const rawBody: Uint8Array;",
    ].join("\n");
    const code = m[1].replace('"@heraldhq/client"', '"../dist/index.js"');
    writeFileSync(join(dir, "example.ts"), `${prelude}\n${code}\nexport {};\n`);
    const tsc = join(pkg, "node_modules/typescript/bin/tsc");
    try {
      execFileSync(process.execPath, [tsc, "--noEmit", "--strict", "--target", "ES2022", "--module", "NodeNext", "--moduleResolution", "NodeNext", "--lib", "ES2022,DOM", "--skipLibCheck", join(dir, "example.ts")], { encoding: "utf8" });
    } catch (err) {
      assert.fail(`README example: ${err.stdout}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
