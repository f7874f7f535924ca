// Fails when src/generated/openapi.ts is not what openapi-typescript makes
// of ../../api/openapi.json today: the API changed and `npm run generate`
// (or `make ts-generate`) was not run.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const dir = mkdtempSync(join(tmpdir(), "herald-ts-"));
try {
  const fresh = join(dir, "openapi.ts");
  execFileSync("npx", ["--no-install", "openapi-typescript", "../../api/openapi.json", "--output", fresh], { stdio: "pipe" });
  if (readFileSync(fresh, "utf8") !== readFileSync("src/generated/openapi.ts", "utf8")) {
    console.error("src/generated/openapi.ts is stale against api/openapi.json: run `npm run generate` in clients/typescript (or `make ts-generate`) and commit it.");
    process.exit(1);
  }
  console.log("src/generated/openapi.ts matches api/openapi.json");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
