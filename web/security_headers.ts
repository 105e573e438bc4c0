/**
 * Security headers on every answer, errors and not-found included: a Content-Security-Policy
 * that allows no inline script and no framing, `nosniff`, a same-origin referrer policy and
 * `X-Frame-Options: DENY` for browsers that predate `frame-ancestors`.
 * @module
 */
import type { MiddlewareHandler } from "hono";

/** The policy: only this server's scripts, styles and images (plus `data:` images), no plugins. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** Every header {@link securityHeaders} sets, with its value. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "Content-Security-Policy": CONTENT_SECURITY_POLICY,
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "same-origin",
  "X-Frame-Options": "DENY",
});

/**
 * Middleware setting {@link SECURITY_HEADERS} on the answer. It sets them after the handler, so
 * answers made by `onError` and `notFound` get them too, and a handler cannot weaken them.
 *
 * @example
 * ```ts
 * app.use("*", securityHeaders()); // first, before any other middleware
 * ```
 */
export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.header(name, value);
  };
}
