// Verifying Herald's webhook deliveries: the Herald-Signature scheme of
// webhook.Verify (webhook/webhook.go), reimplemented to accept and refuse
// exactly what Go does. Both are held to the vectors of
// webhook/testdata/signature_vectors.json, which a Go test makes from
// webhook.Sign.
//
//   Herald-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + raw body)>[,v1=...]

/** The header that signs a delivery. */
export const signatureHeader = "Herald-Signature";

/** How old (or how far ahead) a signature may be by default: 5 minutes. */
export const defaultToleranceSeconds = 300;

/** Why a delivery was refused. */
export type WebhookFailure = "no_signature" | "bad_signature" | "expired";

/** A refused delivery; reason says why, as webhook.Verify's errors do. */
export class WebhookVerificationError extends Error {
  override readonly name = "WebhookVerificationError";
  constructor(
    readonly reason: WebhookFailure,
    message: string,
  ) {
    super(message);
  }
}

/** What verifyWebhook accepts as headers: fetch's Headers, node's IncomingHttpHeaders, or a plain map. */
export type HeadersLike =
  | Headers
  | Record<string, string | string[] | undefined>
  | { get(name: string): string | null };

export interface VerifyOptions {
  /** Seconds a signature may be off from now either way (default 300). */
  toleranceSeconds?: number;
  /** The time to check against (default: now). */
  now?: Date;
}

const int64Max = 9223372036854775807n;
const sha256Size = 32;

/**
 * Checks that the delivery's Herald-Signature header signs rawBody (the
 * bytes as received, before any JSON parsing) under secret, within the
 * tolerance of now. Resolves with the signing time; rejects with a
 * WebhookVerificationError otherwise. Deduplicate deliveries by the
 * Herald-Event-Id header: delivery is at least once.
 */
export async function verifyWebhook(
  headers: HeadersLike,
  rawBody: string | Uint8Array,
  secret: string,
  opts: VerifyOptions = {},
): Promise<{ signedAt: Date }> {
  const tol = opts.toleranceSeconds && opts.toleranceSeconds > 0 ? opts.toleranceSeconds : defaultToleranceSeconds;
  const { t, sigs } = parseHeader(headerValue(headers, signatureHeader));
  const signedAt = new Date(Number(t) * 1000);
  // In milliseconds, as Go compares time.Durations; t is within int64, and
  // far-off values only need to land on the right side of the tolerance.
  const d = (opts.now ?? new Date()).getTime() - Number(t) * 1000;
  if (d > tol * 1000 || d < -tol * 1000) {
    throw new WebhookVerificationError("expired", "webhook: signature timestamp outside the tolerance");
  }
  const enc = new TextEncoder();
  const body = typeof rawBody === "string" ? enc.encode(rawBody) : rawBody;
  const signed = concat(enc.encode(`${t}.`), body);
  const want = await hmacSHA256(enc.encode(secret), signed);
  let ok = false;
  for (const sig of sigs) ok = constantTimeEqual(sig, want) || ok;
  if (!ok) throw new WebhookVerificationError("bad_signature", "webhook: signature does not match the body");
  return { signedAt };
}

function headerValue(headers: HeadersLike, name: string): string {
  if (typeof (headers as { get?: unknown }).get === "function") {
    return (headers as { get(n: string): string | null }).get(name) ?? "";
  }
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    if (k.toLowerCase() === lower) return (Array.isArray(v) ? v[0] : v) ?? "";
  }
  return "";
}

const noSignature = () => new WebhookVerificationError("no_signature", "webhook: no valid Herald-Signature header");

// Go's strings.TrimSpace trims unicode.IsSpace, which is White_Space.
const trimSpace = (s: string) => s.replace(/^\p{White_Space}+|\p{White_Space}+$/gu, "");

/**
 * Reads "t=<unix>,v1=<hex>[,v1=<hex>...]" as Go's parseHeader does: t as
 * strconv.ParseInt reads it (an optional sign, decimal, within int64),
 * signed as its canonical decimal; other keys skipped; any malformed part
 * refuses the whole header.
 */
function parseHeader(h: string): { t: bigint; sigs: Uint8Array[] } {
  let t: bigint | undefined;
  const sigs: Uint8Array[] = [];
  for (const part of h.split(",")) {
    const p = trimSpace(part);
    const eq = p.indexOf("=");
    if (eq < 0) throw noSignature();
    const k = p.slice(0, eq);
    const v = p.slice(eq + 1);
    if (k === "t") {
      if (!/^[+-]?[0-9]+$/.test(v) || t !== undefined) throw noSignature();
      const n = BigInt(v);
      if (n <= 0n || n > int64Max) throw noSignature();
      t = n;
    } else if (k === "v1") {
      const s = decodeHex(v);
      if (s === undefined || s.length !== sha256Size) throw noSignature();
      sigs.push(s);
    }
  }
  if (t === undefined || sigs.length === 0) throw noSignature();
  return { t, sigs };
}

function decodeHex(s: string): Uint8Array | undefined {
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) return undefined;
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

async function subtle(): Promise<SubtleCrypto> {
  if (globalThis.crypto?.subtle) return globalThis.crypto.subtle;
  // Node 18 has Web Crypto only under node:crypto. The name is a variable
  // and marked ignored so that bundlers for browsers (which have
  // crypto.subtle) leave the import alone.
  const name = "node:crypto";
  const nodeCrypto = (await import(/* webpackIgnore: true */ /* @vite-ignore */ name)) as { webcrypto: Crypto };
  return nodeCrypto.webcrypto.subtle;
}

async function hmacSHA256(key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const s = await subtle();
  // An empty secret is a valid HMAC key in Go; Web Crypto refuses a
  // zero-length key, and HMAC pads keys with zeros, so one zero byte is
  // the same key.
  const k = await s.importKey("raw", key.length ? new Uint8Array(key) : new Uint8Array(1), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await s.sign("HMAC", k, new Uint8Array(data)));
}
