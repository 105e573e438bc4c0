/**
 * The pieces of retrying: how long a server asks us to wait, a readable reason for a network
 * failure, and an abortable sleep.
 * @module
 */

/** `Retry-After` as milliseconds from `now`: delta-seconds or an HTTP date; undefined if absent or bad. */
export function retryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * What went wrong on the wire, in words. The runtime's own message is never shown: it holds the
 * full request URL, credentials included.
 */
export function networkReason(err: unknown): string {
  // Deno puts the socket's error in `cause`: "fetch failed" alone says nothing.
  const e = err as { message?: unknown; cause?: { message?: unknown } } | undefined;
  const text = `${e?.message ?? err} ${e?.cause?.message ?? ""}`;
  if (/connection refused/i.test(text)) return "the connection was refused";
  if (/dns|lookup|name or service not known|no address/i.test(text)) {
    return "its host name could not be looked up";
  }
  if (/certificate|tls|ssl|handshake/i.test(text)) {
    return "the secure (TLS) connection failed; check the server's certificate";
  }
  if (/reset|closed|broken pipe|eof|incomplete/i.test(text)) {
    return "the server closed the connection";
  }
  return "a network error";
}

/** Wait `ms`, or reject with the signal's reason when it aborts first. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const done = () => {
      signal.removeEventListener("abort", stop);
      resolve();
    };
    const timer = setTimeout(done, ms);
    const stop = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", stop, { once: true });
  });
}
