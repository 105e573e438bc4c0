/**
 * Signed webhooks, both ways: a request to `POST /hooks/<pipeline-id>` and every outbound run
 * notification carry two headers (Stripe-style):
 *
 * - `X-PyxGen-Timestamp: <unix seconds>` — when the request was signed.
 * - `X-PyxGen-Signature: v1=<hex>` — lowercase hex of HMAC-SHA256, keyed with the UTF-8 bytes of
 *   the pipeline's secret exactly as shown (including its `whsec_` prefix), over the bytes of
 *   `<timestamp>.<raw body>`: the timestamp header's digits, one ASCII dot, then the request body
 *   byte for byte as sent (sign the bytes you send, not a re-serialized object). Several
 *   comma-separated `v1=` entries are allowed (secret rotation); one matching entry is enough, and
 *   other schemes (`v0=…`) are ignored.
 *
 * A request is refused when a header is missing or garbled, when its timestamp is more than the
 * tolerance (5 minutes) away from the server's clock either way, or when no signature matches.
 * Within the window, `ReplayGuard` (replay.ts) stops a replayed request, and the `Idempotency-Key`
 * header (`claimIdempotencyKey`, `admitWebhook`) maps a retried request to the run it started.
 *
 * @example Signing a request from a shell
 * ```sh
 * ts=$(date +%s); body='{"note":"nightly"}'
 * sig=$(printf '%s.%s' "$ts" "$body" | openssl dgst -sha256 -hmac "$SECRET" -hex | sed 's/^.* //')
 * curl -X POST "$PORTAL/hooks/$PIPELINE" -H "X-PyxGen-Timestamp: $ts" \
 *   -H "X-PyxGen-Signature: v1=$sig" -H "Content-Type: application/json" -d "$body"
 * ```
 * @module
 */
import { ConfigError } from "../etl/errors.ts";

/** Header holding the signing time in Unix seconds. */
export const TIMESTAMP_HEADER = "X-PyxGen-Timestamp";
/** Header holding `v1=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`. */
export const SIGNATURE_HEADER = "X-PyxGen-Signature";
/** Seconds a signed request stays acceptable either side of the server's clock. */
export const DEFAULT_TOLERANCE_SECONDS = 300;

const encoder = new TextEncoder();

/** The outcome of {@link verifyWebhook}; `reason` is for logs only, never for the caller. */
export type WebhookVerification =
  | {
    ok: true;
    /** The signed Unix timestamp (seconds). */
    timestamp: number;
    /** The matching signature (hex): the key of the replay record. */
    signature: string;
    /** When the request leaves the acceptance window: the replay record may expire then. */
    expiresAt: Date;
  }
  | { ok: false; reason: string };

/** Request headers as a `Headers` object or a plain record (looked up case-insensitively). */
export type HeaderSource = Headers | Record<string, string | undefined>;

/** A new per-pipeline secret: `whsec_` then 32 random bytes in base64url. */
export function generateWebhookSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `whsec_${base64Url(bytes)}`;
}

/**
 * The two signature headers for `body` sent at `now`, for clients, notifications and tests.
 *
 * @example
 * ```ts
 * const headers = await signWebhook(secret, JSON.stringify(payload));
 * await fetch(url, { method: "POST", headers: { ...headers, "Content-Type": "application/json" }, body });
 * ```
 */
export async function signWebhook(
  secret: string,
  body: string | Uint8Array,
  now: Date = new Date(),
): Promise<Record<string, string>> {
  if (secret.length === 0) throw new ConfigError("The webhook secret is empty; generate a new one");
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const mac = await hmac(secret, signedBytes(timestamp, body));
  return { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: `v1=${toHex(mac)}` };
}

/**
 * Check a request's signature headers against the pipeline's secret and `rawBody` (the bytes
 * received, before any JSON parsing). Never throws; the route answers a bare 401 when not ok.
 */
export async function verifyWebhook(
  secret: string,
  headers: HeaderSource,
  rawBody: string | Uint8Array,
  now: Date = new Date(),
  { toleranceSeconds = DEFAULT_TOLERANCE_SECONDS }: { toleranceSeconds?: number } = {},
): Promise<WebhookVerification> {
  if (secret.length === 0) return { ok: false, reason: "the pipeline has no webhook secret" };
  const stamp = header(headers, TIMESTAMP_HEADER);
  const signature = header(headers, SIGNATURE_HEADER);
  if (stamp === undefined) return { ok: false, reason: `missing ${TIMESTAMP_HEADER} header` };
  if (signature === undefined) return { ok: false, reason: `missing ${SIGNATURE_HEADER} header` };
  const timestamp = stamp.trim();
  if (!/^\d{1,12}$/.test(timestamp)) {
    return { ok: false, reason: `garbled ${TIMESTAMP_HEADER} header (not Unix seconds)` };
  }
  const candidates = signature.split(",").map((part) => part.trim())
    .filter((part) => part.startsWith("v1=")).map((part) => part.slice(3).toLowerCase());
  if (candidates.length === 0 || candidates.some((hex) => !/^[0-9a-f]{64}$/.test(hex))) {
    return { ok: false, reason: `garbled ${SIGNATURE_HEADER} header (expected v1=<64 hex>)` };
  }
  const seconds = Number(timestamp);
  const skew = Math.floor(now.getTime() / 1000) - seconds;
  if (skew > toleranceSeconds) return { ok: false, reason: `stale timestamp (${skew} s old)` };
  if (-skew > toleranceSeconds) {
    return { ok: false, reason: `timestamp ${-skew} s in the future` };
  }
  const expected = await hmac(secret, signedBytes(timestamp, rawBody));
  // Compare against every entry so the time taken does not tell which one (or which byte) failed.
  let match: string | undefined;
  for (const hex of candidates) {
    if (timingSafeEqual(expected, fromHex(hex)) && match === undefined) match = hex;
  }
  if (match === undefined) return { ok: false, reason: "signature does not match" };
  return {
    ok: true,
    timestamp: seconds,
    signature: match,
    expiresAt: new Date((seconds + toleranceSeconds) * 1000),
  };
}

/** Equal-length byte arrays compared without stopping at the first difference. */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

function header(headers: HeaderSource, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  }
  return undefined;
}

function signedBytes(timestamp: string, body: string | Uint8Array): Uint8Array<ArrayBuffer> {
  const head = encoder.encode(`${timestamp}.`);
  const tail = typeof body === "string" ? encoder.encode(body) : body;
  const out = new Uint8Array(head.length + tail.length);
  out.set(head);
  out.set(tail, head.length);
  return out;
}

async function hmac(secret: string, data: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, data));
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function base64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_")
    .replace(/=+$/, "");
}
