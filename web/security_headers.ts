/**
 * Security headers on every answer, errors and not-found included: a Content-Security-Policy
 * that allows no inline script and no framing, `nosniff`, a same-origin referrer policy and
 * `X-Frame-Options: DENY` for browsers that predate `frame-ancestors`; and, when the portal is
 * reached over HTTPS, `Strict-Transport-Security` so browsers never try plain HTTP again.
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { isHttps } from "./request.ts";

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
 * HSTS for a year, on HTTPS answers only (browsers ignore it over HTTP, and a plain-HTTP local
 * portal must stay reachable). Without `includeSubDomains`: the portal's host may share its
 * domain with sites it does not own.
 */
export const STRICT_TRANSPORT_SECURITY = "max-age=31536000";

/**
 * Middleware setting {@link SECURITY_HEADERS} on the answer, and HSTS when the browser reaches
 * the portal over HTTPS (its own URL, or `publicUrl` behind a TLS-terminating proxy). It sets
 * them after the handler, so answers made by `onError` and `notFound` get them too, and a
 * handler cannot weaken them.
 *
 * @example
 * ```ts
 * app.use("*", securityHeaders({ publicUrl: "https://portal.example.org" })); // first
 * ```
 */
export function securityHeaders(options: { publicUrl?: string } = {}): MiddlewareHandler {
  return async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.header(name, value);
    if (isHttps(c, options.publicUrl)) {
      c.header("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY);
    }
  };
}
