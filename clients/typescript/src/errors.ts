// Errors of the client. Herald answers every failure with an RFC 9457
// problem document (application/problem+json) whose `error` member says
// what went wrong in a stable code and, for bad input, names each field;
// HeraldError carries all of it so an app can branch on `code` and show
// `fields` next to the form input they belong to.

import type { components } from "./generated/openapi.js";

/** One wrong field of a request, as Herald names it (`content.media[2].url`). */
export type FieldProblem = components["schemas"]["FieldProblem"];

/** The stable error codes of Herald's problem documents. */
export type ErrorCode = components["schemas"]["Error"]["error"]["code"];

/** A failed call: the HTTP status and Herald's problem document. */
export class HeraldError extends Error {
  override readonly name = "HeraldError";
  /** HTTP status of the answer. */
  readonly status: number;
  /** Herald's error code (`invalid`, `conflict`, `not_found`, ...). */
  readonly code: ErrorCode | (string & {});
  /** The fields the request got wrong, when the code is about input. */
  readonly fields: FieldProblem[];
  /** Seconds the server asked to wait (Retry-After), when it said. */
  readonly retryAfterSeconds: number | undefined;

  constructor(init: {
    status: number;
    code: string;
    message: string;
    fields?: FieldProblem[];
    retryAfterSeconds?: number;
  }) {
    super(init.message);
    this.status = init.status;
    this.code = init.code;
    this.fields = init.fields ?? [];
    this.retryAfterSeconds = init.retryAfterSeconds;
  }

  /** The first wrong field's name (`publish_at`), if any. */
  get field(): string | undefined {
    return this.fields[0]?.field;
  }
}

/** Reads a failed answer into a HeraldError, whatever its body. */
export async function errorFromResponse(res: Response): Promise<HeraldError> {
  const retryAfterSeconds = retryAfterMs(res.headers.get("retry-after"), Date.now());
  const text = await res.text().catch(() => "");
  let problem: Partial<components["schemas"]["Error"]> | undefined;
  try {
    problem = JSON.parse(text);
  } catch {
    problem = undefined;
  }
  const e = problem?.error;
  return new HeraldError({
    status: res.status,
    code: typeof e?.code === "string" ? e.code : `http_${res.status}`,
    message:
      typeof e?.message === "string"
        ? e.message
        : `herald: ${res.status} ${res.statusText}`.trim(),
    fields: Array.isArray(e?.fields) ? e.fields : [],
    retryAfterSeconds:
      retryAfterSeconds === undefined ? undefined : Math.ceil(retryAfterSeconds / 1000),
  });
}

/**
 * The wait a Retry-After header asks for, in milliseconds: either
 * delay-seconds or an HTTP date (RFC 9110, 10.2.3). Undefined when the
 * header is absent or unreadable.
 */
export function retryAfterMs(header: string | null, nowMs: number): number | undefined {
  if (header === null) return undefined;
  const v = header.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}
