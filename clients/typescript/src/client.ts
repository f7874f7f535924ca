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
export type BatchResult = components["schemas"]["BatchResult"];
export type StartConnection = components["schemas"]["StartConnection"];
export type Connection = components["schemas"]["Connection"];
export type CreatorInfo = components["schemas"]["CreatorInfo"];
export type Group = components["schemas"]["Group"];
export type GroupCancelResult = components["schemas"]["GroupCancelResult"];
/** Where a post's first comment is (content.first_comment). */
export type CommentState = NonNullable<PostStatus["comment_state"]>;

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
  /** States that end the wait (default: published, failed, canceled, removed). */
  states?: PostState[];
  /** Ends the wait when it returns true; given, it replaces states. */
  until?: (st: PostStatus) => boolean;
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
  /**
   * Starts Herald's OAuth consent for an account: send the user's browser
   * to the answer's authorize_url; the platform sends it back to Herald,
   * which stores the tokens and redirects to return_url with
   * status=connected (or status=error&error=<code>). Not retried after a
   * lost answer: each call starts another consent.
   */
  startConnection(c: StartConnection, o?: CallOptions): Promise<Connection> {
    return this.request<"startConnection">("POST", "/v1/connections", { body: c, ...o });
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
  /**
   * What the account's creator may post now, as the platform says
   * (TikTok's creator_info: show privacy_level_options before each post).
   * Another platform's account is a HeraldError with code `unsupported`.
   */
  getCreatorInfo(accountId: string, o?: CallOptions): Promise<CreatorInfo> {
    return this.request<"getCreatorInfo">("GET", `/v1/accounts/${enc(accountId)}/creator-info`, o);
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
  /**
   * Schedules up to 500 posts in one request, each as schedulePost would:
   * a result per post, in order (created, unchanged, conflict, or invalid
   * with error.fields naming why); a refused post does not refuse the
   * others. Idempotent like schedulePost, so retried when the network
   * fails; a post the lost try stored then reads `unchanged`.
   */
  schedulePosts(posts: Post[], o?: CallOptions): Promise<Success<"schedulePosts">> {
    return this.request<"schedulePosts">("POST", "/v1/posts/batch", { body: { posts }, idempotent: true, ...o });
  }
  getPost(postId: string, o?: CallOptions): Promise<PostStatus> {
    return this.request<"getPost">("GET", `/v1/posts/${enc(postId)}`, o);
  }
  reschedulePost(postId: string, patch: PostPatch, o?: CallOptions): Promise<PostStatus> {
    return this.request<"reschedulePost">("PATCH", `/v1/posts/${enc(postId)}`, { body: patch, ...o });
  }
  /**
   * Cancels a post that has not gone out (canceled, or cancel_requested
   * when the platform may have it). A published post is a HeraldError with
   * code `already_published` (take it down with unpublishPost), a failed
   * one `final`.
   */
  cancelPost(postId: string, o?: CallOptions): Promise<PostStatus> {
    return this.request<"cancelPost">("DELETE", `/v1/posts/${enc(postId)}`, o);
  }
  /**
   * Takes a published post down at its platform (DELETE ?remote=true):
   * answers it `removing` (or `removed` once done); it ends `removed`, or
   * `published` again with last_error when the platform refuses, so wait
   * with waitForPost(id, { states: ["removed", "published"] }). Errors
   * (HeraldError, 409): `cannot_remove` for a platform whose API cannot
   * delete posts (Instagram, TikTok), `not_published` for a post not yet
   * out (cancel it instead). Asking again changes nothing, so a lost
   * answer is sent again.
   */
  unpublishPost(postId: string, o?: CallOptions): Promise<PostStatus> {
    return this.request<"cancelPost">("DELETE", `/v1/posts/${enc(postId)}`, { query: { remote: "true" }, idempotent: true, ...o });
  }

  // Groups: the posts that name one group_id (a campaign on several platforms).

  /** Every post of the group, by publish time; not_found when no post names it. */
  getGroup(groupId: string, o?: CallOptions): Promise<Group> {
    return this.request<"getGroup">("GET", `/v1/groups/${enc(groupId)}`, o);
  }
  /**
   * Cancels every post of the group not yet published, each as cancelPost
   * would, and answers a result per post by publish time: `canceled`,
   * `cancel_requested`, or `refused` (error.code `already_published` or
   * `final`); a refused post does not stop the others.
   */
  cancelGroup(groupId: string, o?: CallOptions): Promise<Success<"cancelGroup">> {
    return this.request<"cancelGroup">("DELETE", `/v1/groups/${enc(groupId)}`, o);
  }

  /** One page of an account's posts by publish time, filtered by state and publish time (from, to). */
  async listPosts(q: Query<"listPosts">, o?: CallOptions): Promise<Page<PostStatus>> {
    const page = await this.request<"listPosts">("GET", "/v1/posts", { query: q, ...o });
    return { items: page.posts, nextCursor: page.next_cursor };
  }
  /**
   * Every post listPosts finds, fetching page after page as the loop asks.
   * A page may be short (even empty) before the last one, so only the
   * absent cursor ends it.
   */
  posts(q: Omit<Query<"listPosts">, "cursor">, o?: CallOptions): AsyncGenerator<PostStatus> {
    return paginate((cursor) => this.listPosts({ ...q, cursor }, o));
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
   * state), or opts.until says so, and returns that status; a HeraldError
   * with code `timeout` when it does not in time.
   */
  async waitForPost(postId: string, opts: WaitOptions = {}): Promise<PostStatus> {
    const states = opts.states ?? ["published", "failed", "canceled", "removed"];
    const done = opts.until ?? ((st: PostStatus) => states.includes(st.state));
    const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
    for (;;) {
      const st = await this.getPost(postId, opts);
      if (done(st)) return st;
      if (Date.now() >= deadline) {
        const want = opts.until ? "what until waits for" : states.join(" or ");
        throw new HeraldError({ status: 0, code: "timeout", message: `herald: post ${postId} still ${st.state}, not ${want}` });
      }
      await this.#sleep(opts.intervalMs ?? 500, opts.signal);
    }
  }
  /**
   * Waits for the post and then its first comment (content.first_comment):
   * returns once comment_state is `posted` (comment_id) or `failed`
   * (warning says why; the post stays published), or once the post ends
   * without a comment to come (failed, canceled, removed, or published
   * with none). Reads as waitForPost; opts.states and opts.until are not used.
   */
  waitForComment(postId: string, opts: Omit<WaitOptions, "states" | "until"> = {}): Promise<PostStatus> {
    return this.waitForPost(postId, { ...opts, until: commentSettled });
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

/**
 * Whether a post's first comment is settled: posted or failed, or none is
 * coming (the post ended unpublished, was taken down, or has no comment).
 * Herald sets comment_state `pending` when the post is published.
 */
export function commentSettled(st: PostStatus): boolean {
  switch (st.state) {
    case "failed":
    case "canceled":
    case "removing":
    case "removed":
      return true;
    case "published":
      return st.comment_state !== "pending";
    default:
      return false;
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
