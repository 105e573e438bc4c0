/**
 * Outbound run notifications: when a run ends, POST a signed JSON document to the pipeline's
 * notification URL. Signed like inbound webhooks (`X-PyxGen-Timestamp`, `X-PyxGen-Signature`,
 * see signature.ts), so receivers check it with the same code, with a fresh timestamp on each
 * attempt. `X-PyxGen-Delivery: <run>:<status>` stays the same across retries so a receiver can
 * drop duplicates. Network errors, timeouts, 408, 429 and 5xx are retried with backoff; other
 * answers are final; redirects are not followed (the target must not move to a private host).
 * Failing to notify never fails the run: {@link notifyRun} never throws and returns what happened.
 * @module
 */
import { ConfigError, userMessage } from "../etl/errors.ts";
import { assertPublicHost } from "../etl/net/guard.ts";
import type { StageCounts } from "../etl/types.ts";
import { signWebhook } from "./signature.ts";

/** The JSON document a notification carries. */
export interface RunNotification {
  tenant: string;
  pipeline: string;
  run: string;
  status: "succeeded" | "failed" | "cancelled";
  /** Rows per stage. */
  counts: StageCounts | Record<string, number>;
  /** Where the output went (path, `s3://` URI or table), when the run published one. */
  output: { location: string; records?: number; bytes?: number; checksum?: string } | null;
  /** Link to the run's report in the dashboard. */
  reportUrl: string | null;
  /** When the run ended, ISO 8601. */
  at: string;
  /** The message users read when the run failed. */
  error?: string;
}

/** Options of {@link notifyRun}. */
export interface NotifyOptions {
  /** Tries in all, the first included. */
  attempts?: number;
  /** Whether the URL may point to a private, loopback or link-local address. */
  allowPrivateNetwork?: boolean;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  /** Per attempt. */
  timeoutMs?: number;
  /** First backoff; doubles on each retry (with jitter), at most 30 s. */
  baseDelayMs?: number;
  now?: () => Date;
}

/** What happened, for the run record. `lastError` never holds the URL's path or a secret. */
export interface NotifyResult {
  delivered: boolean;
  /** Requests sent. */
  attempts: number;
  /** HTTP status of the last answer, if any. */
  status?: number;
  lastError?: string;
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Send `payload` to `url`, signed with `secret`, retrying passing failures. Never throws. */
export async function notifyRun(
  url: string,
  secret: string,
  payload: RunNotification,
  options: NotifyOptions = {},
): Promise<NotifyResult> {
  const { attempts = 4, fetch: send = fetch, sleep = wait, timeoutMs = 10_000 } = options;
  const { baseDelayMs = 1_000, now = () => new Date() } = options;
  let target: URL;
  try {
    target = new URL(url);
    if (target.protocol !== "http:" && target.protocol !== "https:") throw new Error();
  } catch {
    return {
      delivered: false,
      attempts: 0,
      lastError:
        "The notification URL is not a valid http(s) URL; check the pipeline's notification settings",
    };
  }
  if (secret.length === 0) {
    return {
      delivered: false,
      attempts: 0,
      lastError: "The pipeline has no signing secret for notifications; generate one",
    };
  }
  const host = target.hostname;
  const body = JSON.stringify(payload);
  let sent = 0;
  let status: number | undefined;
  let lastError: string | undefined;
  let delay = 0;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (attempt > 1) await sleep(delay);
    delay = Math.min(30_000, baseDelayMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2));
    try {
      // Checked before every attempt: the name may resolve elsewhere by the next one.
      await assertPublicHost(host, options.allowPrivateNetwork ?? false);
    } catch (err) {
      lastError = userMessage(err);
      if (err instanceof ConfigError) break;
      continue;
    }
    const headers = {
      ...await signWebhook(secret, body, now()),
      "Content-Type": "application/json",
      "User-Agent": "PyxGen-Portal",
      "X-PyxGen-Delivery": `${payload.run}:${payload.status}`,
    };
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeoutMs);
    let res: Response;
    try {
      sent++;
      res = await send(target, {
        method: "POST",
        headers,
        body,
        redirect: "manual",
        signal: abort.signal,
      });
      await res.body?.cancel();
    } catch (err) {
      status = undefined;
      lastError = abort.signal.aborted
        ? `The notification to ${host} got no answer within ${timeoutMs / 1000} s`
        : `The notification to ${host} could not be sent (${networkCause(err)})`;
      continue;
    } finally {
      clearTimeout(timer);
    }
    status = res.status;
    if (status >= 200 && status < 300) return { delivered: true, attempts: sent, status };
    lastError = `The notification to ${host} was answered with HTTP ${status}${
      res.statusText ? ` ${res.statusText}` : ""
    }`;
    if (status === 0 || (status >= 300 && status < 400)) {
      lastError += "; notifications do not follow redirects, so set the final URL";
      break;
    }
    if (status !== 408 && status !== 429 && status < 500) break;
    const retryAfter = Number(res.headers.get("retry-after"));
    if (Number.isFinite(retryAfter) && retryAfter > 0) {
      delay = Math.max(delay, Math.min(60_000, retryAfter * 1000));
    }
  }
  return { delivered: false, attempts: sent, status, lastError };
}

/** A short cause without the URL (its path may hold a token). */
function networkCause(err: unknown): string {
  const text = err instanceof Error ? `${err.message} ${String(err.cause ?? "")}` : String(err);
  if (/refused/i.test(text)) return "connection refused";
  if (/dns|lookup|resolve|not known/i.test(text)) return "host name not found";
  if (/certificate|tls|ssl/i.test(text)) return "TLS certificate problem";
  if (/reset|closed|broken pipe|eof/i.test(text)) return "connection closed";
  return "network error";
}
