// The hand-written layer over the generated types: one method per API
// operation, each a line or two, and the one place that speaks HTTP
// (auth, problem documents, retries). A new route of api/openapi.json is
// `npm run generate` and one method here.

import type { components, operations } from "./generated/openapi.js";
import { errorFromResponse, HeraldError } from "./errors.js";
import { retryDelay, sleep, type RetryOptions } from "./retry.js";

export type ConnectAccount = components["schemas"]["ConnectAccount"];
export type Account = components["schemas"]["Account"];
export type Receipt = components["schemas"]["Receipt"];
export type Post = components["schemas"]["Post"];
export type Content = components["schemas"]["Content"];
export type PostPatch = components["schemas"]["PostPatch"];
export type PostStatus = components["schemas"]["PostStatus"];
export type PostState = PostStatus["state"];
export type Analytics = components["schemas"]["Analytics"];
export type RefreshAccepted = components["schemas"]["RefreshAccepted"];

type JSONBody<R> = R extends { content: { "application/json": infer T } } ? T : never;
/** The JSON of an operation's 2xx answers. */
export type Success<K extends keyof operations> = {
  [S in keyof operations[K]["responses"]]: S extends 200 | 201 | 202
    ? JSONBody<operations[K]["responses"][S]>
    : never;
}[keyof operations[K]["responses"]];
/** The JSON body an operation takes. */
export type RequestBody<K extends keyof operations> =
  operations[K] extends { requestBody?: { content: { "application/json": infer B } } } ? B : never;
/** The query parameters an operation takes. */
export type Query<K extends keyof operations> = NonNullable<operations[K]["parameters"]["query"]>;

/** How a HeraldClient reaches Herald. */
export interface ClientOptions {
  /** Where `herald api` listens, like http://127.0.0.1:8081. */
  baseUrl: string;
  /** One of the tokens of HERALD_API_TOKENS (sent as a bearer token). */
  apiKey: string;
  /** The fetch to use (default: the global fetch). */
  fetch?: typeof fetch;
  /** Retries of answers 429 and 503. */
  retry?: RetryOptions;
}

/** Options every call takes. */
export interface CallOptions {
  signal?: AbortSignal;
}

/** One page of a listing, and the cursor of the next (absent after the last). */
export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

/** What waitForPost waits for. */
export interface WaitOptions extends CallOptions {
  /** States that end the wait (default: published, failed, canceled). */
  states?: PostState[];
  /** Give up after this long (default 60 s). */
  timeoutMs?: number;
  /** Time between two reads of the post (default 500 ms). */
  intervalMs?: number;
}

const enc = encodeURIComponent;

/** A client of Herald's HTTP API (/v1). */
export class HeraldClient {
  readonly #base: string;
  readonly #auth: string;
  readonly #fetch: typeof fetch;
  readonly #retry: Required<Omit<RetryOptions, "sleep" | "random">> & { random: () => number };
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(opts: ClientOptions) {
    if (!opts.baseUrl) throw new TypeError("HeraldClient: baseUrl is required");
    if (!opts.apiKey) throw new TypeError("HeraldClient: apiKey is required");
    this.#base = opts.baseUrl.replace(/\/+$/, "");
    this.#auth = `Bearer ${opts.apiKey}`;
    this.#fetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
    const r = opts.retry ?? {};
    this.#retry = {
      maxAttempts: Math.max(1, r.maxAttempts ?? 4),
      baseDelayMs: r.baseDelayMs ?? 250,
      maxDelayMs: r.maxDelayMs ?? 10_000,
      maxRetryAfterMs: r.maxRetryAfterMs ?? 60_000,
      random: r.random ?? Math.random,
    };
    this.#sleep = r.sleep ?? sleep;
  }

  // Accounts.

  /** Hands Herald an account's tokens (the app did the OAuth consent). */
  connectAccount(account: ConnectAccount, o?: CallOptions): Promise<Account> {
    return this.request<"connectAccount">("POST", "/v1/accounts", { body: account, ...o });
  }
  getAccount(accountId: string, o?: CallOptions): Promise<Account> {
    return this.request<"getAccount">("GET", `/v1/accounts/${enc(accountId)}`, o);
  }
  /** Deletes and revokes the account's tokens and cancels its pending posts. */
  disconnectAccount(accountId: string, o?: CallOptions): Promise<Success<"disconnectAccount">> {
    return this.request<"disconnectAccount">("POST", `/v1/accounts/${enc(accountId)}/disconnect`, o);
  }
  /** Disconnects and deletes every record that names the account. */
  eraseAccount(accountId: string, o?: CallOptions): Promise<Receipt> {
    return this.request<"eraseAccount">("DELETE", `/v1/accounts/${enc(accountId)}`, o);
  }
  getAnalytics(accountId: string, o?: CallOptions): Promise<Analytics> {
    return this.request<"getAnalytics">("GET", `/v1/accounts/${enc(accountId)}/analytics`, o);
  }
  refreshAnalytics(accountId: string, o?: CallOptions): Promise<RefreshAccepted> {
    return this.request<"refreshAnalytics">("POST", `/v1/accounts/${enc(accountId)}/analytics/refresh`, o);
  }

  // Posts.

  /**
   * Schedules a post. Idempotent on post_id: sending the same post again
   * (after a lost answer, a crash, a retry) answers its current status and
   * changes nothing, so this call is also retried when the network fails.
   * A different post under a used post_id is a HeraldError with code
   * `conflict`.
   */
  schedulePost(post: Post, o?: CallOptions): Promise<PostStatus> {
    return this.request<"schedulePost">("POST", "/v1/posts", { body: post, idempotent: true, ...o });
  }
  getPost(postId: string, o?: CallOptions): Promise<PostStatus> {
    return this.request<"getPost">("GET", `/v1/posts/${enc(postId)}`, o);
  }
  reschedulePost(postId: string, patch: PostPatch, o?: CallOptions): Promise<PostStatus> {
    return this.request<"reschedulePost">("PATCH", `/v1/posts/${enc(postId)}`, { body: patch, ...o });
  }
  cancelPost(postId: string, o?: CallOptions): Promise<Success<"cancelPost">> {
    return this.request<"cancelPost">("DELETE", `/v1/posts/${enc(postId)}`, o);
  }

  /** One page of an account's posts, by publish time. */
  async listAccountPosts(
    accountId: string,
    q: Query<"listAccountPosts"> = {},
    o?: CallOptions,
  ): Promise<Page<PostStatus>> {
    const page = await this.request<"listAccountPosts">("GET", `/v1/accounts/${enc(accountId)}/posts`, { query: q, ...o });
    return { items: page.posts, nextCursor: page.next_cursor };
  }
  /** Every post of an account, fetching page after page as the loop asks. */
  accountPosts(accountId: string, q: Omit<Query<"listAccountPosts">, "cursor"> = {}, o?: CallOptions): AsyncGenerator<PostStatus> {
    return paginate((cursor) => this.listAccountPosts(accountId, { ...q, cursor }, o));
  }

  /**
   * Reads the post until it reaches one of opts.states (default: an end
   * state) and returns that status; a HeraldError with code `timeout`
   * when it does not in time.
   */
  async waitForPost(postId: string, opts: WaitOptions = {}): Promise<PostStatus> {
    const states = opts.states ?? ["published", "failed", "canceled"];
    const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
    for (;;) {
      const st = await this.getPost(postId, opts);
      if (states.includes(st.state)) return st;
      if (Date.now() >= deadline) {
        throw new HeraldError({ status: 0, code: "timeout", message: `herald: post ${postId} still ${st.state}, not ${states.join(" or ")}` });
      }
      await this.#sleep(opts.intervalMs ?? 500, opts.signal);
    }
  }

  /**
   * Calls operation K at path and returns its JSON answer; every method
   * above is one call of it. A non-2xx answer is thrown as a HeraldError.
   */
  async request<K extends keyof operations>(
    method: string,
    path: string,
    init: CallOptions & { body?: RequestBody<K>; query?: Query<K>; idempotent?: boolean } = {},
  ): Promise<Success<K>> {
    const url = new URL(this.#base + path);
    for (const [k, v] of Object.entries(init.query ?? {})) {
      if (v !== undefined && v !== null) url.searchParams.set(k, String(v));
    }
    const headers: Record<string, string> = { authorization: this.#auth, accept: "application/json" };
    let body: string | undefined;
    if (init.body !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(init.body);
    }
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await this.#fetch(url, { method, headers, body, signal: init.signal });
      } catch (err) {
        // A lost answer is retried only where sending twice is harmless.
        if (!init.idempotent || init.signal?.aborted || attempt >= this.#retry.maxAttempts) throw err;
        await this.#sleep(this.#backoff(attempt), init.signal);
        continue;
      }
      if (res.ok) return (res.status === 204 ? undefined : await res.json()) as Success<K>;
      const wait = retryDelay(res, attempt, this.#retry, Date.now());
      if (wait === undefined) throw await errorFromResponse(res);
      await res.body?.cancel();
      await this.#sleep(wait, init.signal);
    }
  }

  #backoff(attempt: number): number {
    const r = this.#retry;
    return Math.floor(r.random() * Math.min(r.maxDelayMs, r.baseDelayMs * 2 ** (attempt - 1)));
  }
}

/** Iterates the items of a cursor-paged listing, one page at a time. */
export async function* paginate<T>(
  fetchPage: (cursor: string | undefined) => Promise<Page<T>>,
): AsyncGenerator<T> {
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor);
    yield* page.items;
    cursor = page.nextCursor;
  } while (cursor);
}
