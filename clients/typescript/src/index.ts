// @heraldhq/client: a typed client of Herald's HTTP API and a verifier of
// its webhooks. The types come from api/openapi.json (npm run generate);
// the rest is the small hand-written layer in client.ts, errors.ts,
// retry.ts and webhook.ts.

export * from "./client.js";
export { HeraldError, type FieldProblem, type ErrorCode } from "./errors.js";
export type { RetryOptions } from "./retry.js";
export * from "./webhook.js";
export type { components, operations, paths } from "./generated/openapi.js";
