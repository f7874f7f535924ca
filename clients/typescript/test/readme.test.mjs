// The READMEs' TypeScript examples type-check against the package, so the
// documentation cannot drift from the API it shows: the repository's
// "From TypeScript" example and this package's "Examples".
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const pkg = fileURLToPath(new URL("..", import.meta.url));

/** The first ```ts block after heading in the README at path. */
function example(path, heading) {
  const readme = readFileSync(join(pkg, path), "utf8");
  const at = readme.indexOf(heading);
  assert.ok(at >= 0, `${path} has no ${heading}`);
  const m = readme.slice(at).match(/```ts\n([\s\S]*?)```/);
  assert.ok(m, `${path} has no \`\`\`ts block under ${heading}`);
  return m[1];
}

function typeCheck(code) {
  const dir = mkdtempSync(join(pkg, ".readme-"));
  try {
    const prelude = [
      "declare const process: { env: Record<string, string | undefined> };",
      "declare const req: { headers: Record<string, string | string[] | undefined> };",
      "declare const rawBody: Uint8Array;",
    ].join("\n");
    writeFileSync(join(dir, "example.ts"), `${prelude}\n${code.replace('"@heraldhq/client"', '"../dist/index.js"')}\nexport {};\n`);
    const tsc = join(pkg, "node_modules/typescript/bin/tsc");
    try {
      execFileSync(process.execPath, [tsc, "--noEmit", "--strict", "--noUncheckedIndexedAccess", "--target", "ES2022", "--module", "NodeNext", "--moduleResolution", "NodeNext", "--lib", "ES2022,DOM", "--skipLibCheck", join(dir, "example.ts")], { encoding: "utf8" });
    } catch (err) {
      assert.fail(`README example: ${err.stdout}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("README's TypeScript example compiles", () => {
  typeCheck(example("../../README.md", "## From TypeScript"));
});

test("the package README's examples compile", () => {
  typeCheck(example("README.md", "## Examples"));
});
