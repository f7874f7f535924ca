// When and how long the client waits before trying a call again. Herald
// answers 429 when an API key used up its requests for the minute and 503
// when it cannot reach Redis; both say when to come back in Retry-After,
// which wins over the client's own backoff.

import { retryAfterMs } from "./errors.js";

/** How the client retries answers 429 and 503. */
export interface RetryOptions {
  /** Tries in all, the first included (default 4; 1 turns retries off). */
  maxAttempts?: number;
  /** Backoff base: try n waits a random time up to base × 2^n (default 250 ms). */
  baseDelayMs?: number;
  /** Longest backoff when the server gives no Retry-After (default 10 s). */
  maxDelayMs?: number;
  /** Longest Retry-After the client waits; a longer one fails at once (default 60 s). */
  maxRetryAfterMs?: number;
  /** Waits ms milliseconds; tests inject a fake. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** A number in [0, 1) for the jitter; tests inject a fixed one. */
  random?: () => number;
}

export const retryStatuses: ReadonlySet<number> = new Set([429, 503]);

/** The real sleep: a timer, cut short by signal. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * The wait before try number attempt+1 after res, or undefined when
 * res is not worth another try (wrong status, no tries left, or a
 * Retry-After longer than the client will wait).
 */
export function retryDelay(
  res: Response,
  attempt: number,
  opts: Required<Omit<RetryOptions, "sleep" | "random">> & { random: () => number },
  nowMs: number,
): number | undefined {
  if (!retryStatuses.has(res.status) || attempt >= opts.maxAttempts) return undefined;
  const asked = retryAfterMs(res.headers.get("retry-after"), nowMs);
  if (asked !== undefined) return asked <= opts.maxRetryAfterMs ? asked : undefined;
  const ceiling = Math.min(opts.maxDelayMs, opts.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(opts.random() * ceiling);
}
