/**
 * Outbound GET requests to user-supplied URLs, safe for a multi-tenant service: every request
 * and every redirect hop is checked against the private-network policy after DNS resolution,
 * redirects are followed by hand (at most 5), each attempt has a deadline and a response-size
 * cap, and 429 / 5xx / network failures are retried with exponential backoff and jitter,
 * honouring `Retry-After`. Credentials go only to the origin they belong to, and no message
 * ever shows one: URLs are masked, and secret values are scrubbed from every message.
 *
 * Policy: `allowPrivateNetwork` (the run's setting) allows every private range; `allowLoopback`
 * allows exactly loopback (127/8, ::1) while 10/8, 172.16/12, 192.168/16, 169.254/16 and the
 * rest stay refused, so a test can serve from 127.0.0.1 and still see a redirect to the cloud
 * metadata address refused. Known limit: the address is checked, then `fetch` resolves the name
 * again, so a DNS-rebinding host could answer differently the second time.
 * @module
 */
import { ConfigError, RetriableError } from "../errors.ts";
import { quote, readCapped, readSnippet } from "./_body.ts";
import { networkReason, retryAfter, sleep } from "./_retry.ts";
import { checkTarget } from "./_policy.ts";
import { Redactor } from "./_redact.ts";

export { Redactor } from "./_redact.ts";
export { retryAfter } from "./_retry.ts";

/** How a request proves who it is. */
export type HttpAuth =
  | { kind: "none" }
  | { kind: "bearer"; token: string }
  | { kind: "basic"; user: string; password: string }
  | { kind: "apiKeyHeader"; name: string; key: string }
  | { kind: "apiKeyQuery"; name: string; key: string };

/** Options of {@link safeGet}; everything but the network policy has a default. */
export interface SafeGetOptions {
  /** The run's signal: cancelling it stops the request and any backoff wait. */
  signal?: AbortSignal;
  /** The run's policy (`RunContext.allowPrivateNetwork`): private addresses allowed. */
  allowPrivateNetwork: boolean;
  /** Allow loopback only, other private ranges still refused (tests). */
  allowLoopback?: boolean;
  headers?: Record<string, string>;
  auth?: HttpAuth;
  /** The origin credentials belong to (default: the URL's); other hosts never get them. */
  credentialsOrigin?: string;
  /** Deadline of one request, body included (default 30 s). */
  timeoutMs?: number;
  /** Largest body accepted (default 20 MB). */
  maxBytes?: number;
  /** Attempts before giving up on 429, 5xx and network errors (default 4). */
  maxAttempts?: number;
  /** First backoff delay; doubled each attempt, with jitter (default 500 ms). */
  backoffMs?: number;
  /** Cap on any wait, `Retry-After` included (default 30 s). */
  maxDelayMs?: number;
  /** Config field names the messages tell the user to raise. */
  settings?: { timeout: string; size: string };
  /** A readable detail from an error body (e.g. a FHIR OperationOutcome), or undefined. */
  describeError?: (body: string) => string | undefined;
  /** Told of each retry before its wait, in words (for the run's record). */
  onRetry?: (message: string) => void;
  /** Waits between attempts (tests record them instead). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Milliseconds since the epoch, for `Retry-After` dates. */
  now?: () => number;
  /** 0 ≤ x < 1, for the jitter. */
  random?: () => number;
}

/** A successful (2xx) response with its whole body. */
export interface HttpResponse {
  status: number;
  headers: Headers;
  body: Uint8Array;
  /** The body as UTF-8 text. */
  text(): string;
}

const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

type Settings = Required<
  Omit<SafeGetOptions, "auth" | "credentialsOrigin" | "describeError" | "onRetry">
>;

/** What one attempt ended with when it did not succeed but may on another try. */
interface Retry {
  status?: number;
  statusText?: string;
  detail?: string;
  reason?: string;
  timedOut?: boolean;
  retryAfterMs?: number;
}

/**
 * GET `url` under the network policy, with retries, redirects, deadline and size cap. Throws
 * a ConfigError for what the user must fix (4xx, refused host, too large) and a RetriableError
 * when the server stayed unreachable or failing through every attempt.
 *
 * @example
 * ```ts
 * const res = await safeGet("https://api.example.org/v1/patients?page=2", {
 *   allowPrivateNetwork: false,
 *   auth: { kind: "bearer", token },
 *   signal: ctx.signal,
 * });
 * const body = JSON.parse(res.text());
 * ```
 */
export async function safeGet(url: string, options: SafeGetOptions): Promise<HttpResponse> {
  const s = withDefaults(options);
  const redact = redactorFor(options.auth);
  const start = addressOf(url, undefined, "The address to read", redact);
  const origin = options.credentialsOrigin ?? start.origin;
  const headers = requestHeaders(options, redact);
  for (let attempt = 1;; attempt++) {
    const outcome = await attemptOnce(start, origin, headers, s, options, redact);
    if (!("retry" in outcome)) return outcome;
    if (attempt >= s.maxAttempts) {
      throw new RetriableError(redact.text(giveUp(outcome.retry, redact.show(start), attempt, s)));
    }
    const backoff = Math.min(s.maxDelayMs, s.backoffMs * 2 ** (attempt - 1));
    const wait = outcome.retry.retryAfterMs !== undefined
      ? Math.min(outcome.retry.retryAfterMs, s.maxDelayMs)
      : backoff / 2 + s.random() * backoff / 2;
    options.onRetry?.(
      redact.text(retryNote(outcome.retry, redact.show(start), attempt, s.maxAttempts, wait)),
    );
    try {
      await s.sleep(wait, s.signal);
    } catch {
      throw cancelled();
    }
  }
}

function withDefaults(o: SafeGetOptions): Settings {
  return {
    signal: o.signal ?? new AbortController().signal,
    allowPrivateNetwork: o.allowPrivateNetwork,
    allowLoopback: o.allowLoopback ?? false,
    headers: o.headers ?? {},
    timeoutMs: o.timeoutMs ?? 30_000,
    maxBytes: o.maxBytes ?? 20_000_000,
    maxAttempts: Math.max(1, o.maxAttempts ?? 4),
    backoffMs: o.backoffMs ?? 500,
    maxDelayMs: o.maxDelayMs ?? 30_000,
    settings: o.settings ?? { timeout: "timeoutSeconds", size: "maxResponseMB" },
    sleep: o.sleep ?? sleep,
    now: o.now ?? Date.now,
    random: o.random ?? Math.random,
  };
}

function requestHeaders(o: SafeGetOptions, redact: Redactor): Headers {
  const headers = new Headers({ accept: "application/json" });
  for (const [name, value] of Object.entries(o.headers ?? {})) {
    try {
      headers.set(name, value);
    } catch {
      // The value is left out: it may be a credential.
      throw new ConfigError(
        redact.text(`The request header "${name}" has an invalid name or value`),
      );
    }
  }
  return headers;
}

/** Auth for `url` when it is on the credentials' origin; other hosts get none. */
function withAuth(url: URL, headers: Headers, origin: string, auth?: HttpAuth): [URL, Headers] {
  // An upgrade from http to https on the same host keeps them; a downgrade never gets them.
  const upgraded = url.protocol === "https:" && origin === `http://${url.host}`;
  if (!auth || auth.kind === "none" || (url.origin !== origin && !upgraded)) return [url, headers];
  const out = new Headers(headers);
  const target = new URL(url);
  if (auth.kind === "bearer") out.set("authorization", `Bearer ${auth.token}`);
  if (auth.kind === "basic") out.set("authorization", `Basic ${basic(auth.user, auth.password)}`);
  if (auth.kind === "apiKeyHeader") out.set(auth.name, auth.key);
  if (auth.kind === "apiKeyQuery") target.searchParams.set(auth.name, auth.key);
  return [target, out];
}

/**
 * The redactor for a source's credentials: its secret values (and their encoded forms) and the
 * API key's query parameter.
 */
export function redactorFor(auth?: HttpAuth): Redactor {
  if (!auth || auth.kind === "none") return new Redactor([]);
  if (auth.kind === "bearer") return new Redactor([auth.token]);
  if (auth.kind === "basic") return new Redactor([auth.password, basic(auth.user, auth.password)]);
  return new Redactor([auth.key], auth.kind === "apiKeyQuery" ? auth.name : undefined);
}

/** `user:password` in base64, UTF-8 first. */
export function basic(user: string, password: string): string {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  return btoa(String.fromCharCode(...bytes));
}

async function attemptOnce(
  start: URL,
  origin: string,
  headers: Headers,
  s: Settings,
  o: SafeGetOptions,
  redact: Redactor,
): Promise<HttpResponse | { retry: Retry }> {
  let current = start;
  for (let hop = 0;; hop++) {
    try {
      await checkTarget(current, s.allowPrivateNetwork, s.allowLoopback);
    } catch (err) {
      if (err instanceof RetriableError) {
        return { retry: { reason: "its host name could not be looked up" } };
      }
      if (hop === 0 || !(err instanceof Error)) throw err;
      throw new ConfigError(
        redact.text(
          `The server at ${redact.show(start)} redirected to ${
            redact.show(current)
          }, which is refused: ${lowerFirst(err.message)}`,
        ),
      );
    }
    const [target, sent] = withAuth(current, headers, origin, o.auth);
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), s.timeoutMs);
    const signal = AbortSignal.any([s.signal, deadline.signal]);
    try {
      let res: Response;
      try {
        res = await fetch(target, { headers: sent, redirect: "manual", signal });
      } catch (err) {
        if (s.signal.aborted) throw cancelled();
        return {
          retry: deadline.signal.aborted ? { timedOut: true } : { reason: networkReason(err) },
        };
      }
      if (REDIRECTS.has(res.status) && res.headers.has("location")) {
        await res.body?.cancel();
        if (hop >= MAX_REDIRECTS) {
          throw new ConfigError(
            `The server at ${
              redact.show(start)
            } redirected more than ${MAX_REDIRECTS} times; use the final address instead`,
          );
        }
        const where = `The server at ${redact.show(start)} redirected`;
        current = addressOf(res.headers.get("location")!, current, where, redact);
        continue;
      }
      if (res.status === 429 || res.status >= 500) {
        const body = await readSnippet(res);
        return {
          retry: {
            status: res.status,
            statusText: res.statusText,
            detail: o.describeError?.(body),
            retryAfterMs: retryAfter(res.headers.get("retry-after"), s.now()),
          },
        };
      }
      if (res.status < 200 || res.status >= 300) {
        const body = await readSnippet(res);
        const detail = o.describeError?.(body) ?? quote(body);
        const hint = res.status === 401 || res.status === 403
          ? "; check the credentials (token, user and password, or API key)"
          : "";
        throw new ConfigError(redact.text(
          `The server at ${redact.show(current)} answered HTTP ${statusLine(res)}${
            detail ? `: ${detail}` : ""
          }${hint}`,
        ));
      }
      try {
        const body = await readCapped(res, s.maxBytes, () => tooLarge(redact.show(current), s));
        const decoded = () => new TextDecoder().decode(body);
        return { status: res.status, headers: res.headers, body, text: decoded };
      } catch (err) {
        if (err instanceof ConfigError) throw err;
        if (s.signal.aborted) throw cancelled();
        return {
          retry: deadline.signal.aborted ? { timedOut: true } : { reason: networkReason(err) },
        };
      }
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * `text` as a URL (relative to `base`), or a ConfigError starting with `context` when it is
 * not one. The text is shown with secrets masked.
 */
export function addressOf(
  text: string,
  base: string | URL | undefined,
  context: string,
  redact: Redactor,
): URL {
  try {
    return new URL(text, base);
  } catch {
    const shown = redact.text(text.length > 200 ? `${text.slice(0, 200)}…` : text);
    throw new ConfigError(`${context}: "${shown}" is not a valid address`);
  }
}

function tooLarge(shown: string, s: Settings): ConfigError {
  const n = s.maxBytes;
  const size = n >= 1e6
    ? `${+(n / 1e6).toFixed(2)} MB`
    : n >= 1e3
    ? `${+(n / 1e3).toFixed(2)} KB`
    : `${n} bytes`;
  return new ConfigError(
    `The response from ${shown} is larger than ${size}, the limit; ask for smaller pages (page size) or raise ${s.settings.size}`,
  );
}

function statusLine(res: { status: number; statusText?: string }): string {
  return res.statusText ? `${res.status} (${res.statusText})` : String(res.status);
}

function giveUp(r: Retry, shown: string, attempts: number, s: Settings): string {
  const tries = attempts === 1 ? "1 attempt" : `${attempts} attempts`;
  if (r.timedOut) {
    const secs = +(s.timeoutMs / 1000).toFixed(3);
    return `The server at ${shown} did not answer within ${secs} seconds (${tries}); try again later or raise ${s.settings.timeout}`;
  }
  if (r.status === undefined) {
    return `Could not reach ${shown} after ${tries}: ${r.reason}; try again later`;
  }
  const detail = r.detail ? `: ${r.detail}` : "";
  const why = r.status === 429
    ? "the API is limiting the request rate; try again later or ask for fewer, larger pages"
    : "the server is failing or overloaded; try again later";
  return `The server at ${shown} answered HTTP ${
    statusLine({ status: r.status, statusText: r.statusText })
  }${detail} after ${tries}: ${why}`;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function cancelled(): ConfigError {
  return new ConfigError("The run was cancelled");
}

/** `GET <url> answered HTTP 503 Service Unavailable; retry 1 of 3 in 0.8 s`. */
function retryNote(r: Retry, shown: string, attempt: number, max: number, waitMs: number): string {
  const what = r.timedOut
    ? "got no answer in time"
    : r.status !== undefined
    ? `answered HTTP ${r.status}${r.statusText ? ` ${r.statusText}` : ""}`
    : `failed: ${r.reason ?? "a network error"}`;
  return `GET ${shown} ${what}; retry ${attempt} of ${max - 1} in ${(waitMs / 1000).toFixed(1)} s`;
}
