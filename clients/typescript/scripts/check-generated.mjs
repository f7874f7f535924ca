// Fails when src/generated/openapi.ts is not what openapi-typescript makes
// of ../../api/openapi.json today: the API changed and `npm run generate`
// (or `make ts-generate`) was not run.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

// HERALD_GENERATED names another file to check (the script's own test).
const committed = process.env.HERALD_GENERATED || "src/generated/openapi.ts";
const dir = mkdtempSync(join(tmpdir(), "herald-ts-"));
try {
  const fresh = join(dir, "openapi.ts");
  execFileSync("npx", ["--no-install", "openapi-typescript", "../../api/openapi.json", "--output", fresh], { stdio: "pipe" });
  if (readFileSync(fresh, "utf8") !== readFileSync(committed, "utf8")) {
    console.error(`${committed} is stale against api/openapi.json: run "npm run generate" in clients/typescript (or "make ts-generate") and commit it.`);
    process.exit(1);
  }
  console.log(`${committed} matches api/openapi.json`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
