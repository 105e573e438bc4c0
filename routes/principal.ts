/**
 * Who an API request acts as: a bearer token (`Authorization: Bearer …`) or a signed-in
 * member's session cookie. Requests that change something with a session cookie must carry the
 * session's CSRF token (`X-CSRF-Token` header) and, when the browser sends one, an `Origin` of
 * this server; bearer tokens are not sent by browsers on their own, so they need neither.
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { timingSafeEqual } from "../triggers/signature.ts";
import { bearerToken } from "./auth.ts";
import type { ApiEnv, AppDeps, Principal } from "./deps.ts";
import { ApiError } from "./http.ts";

/** The session cookie's name. */
export const SESSION_COOKIE = "pyx_session";
/** The header (or form field `_csrf`) carrying the CSRF token. */
export const CSRF_HEADER = "X-CSRF-Token";

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);
const encoder = new TextEncoder();

/** Whether `given` is the session's CSRF token, compared in constant time. */
export function csrfMatches(principal: Principal, given: string | undefined): boolean {
  if (!principal.csrf || !given) return false;
  return timingSafeEqual(encoder.encode(principal.csrf), encoder.encode(given));
}

/** Whether the request's `Origin` (when sent) is this server. */
export function sameOrigin(c: Context, publicUrl: string | undefined): boolean {
  const origin = c.req.header("Origin");
  if (origin === undefined) return true;
  const own = new URL(publicUrl ?? c.req.url).origin;
  return origin === own || origin === new URL(c.req.url).origin;
}

/** The principal of a request, from its bearer token or session cookie; undefined when neither. */
export async function principalOf(c: Context, deps: AppDeps): Promise<Principal | undefined> {
  const token = bearerToken(c.req.header("Authorization"));
  if (token !== undefined) return await deps.auth.authenticate(token);
  const cookie = getCookie(c, SESSION_COOKIE);
  if (cookie && deps.sessions) return await deps.sessions.principal(cookie);
  return undefined;
}

/** API middleware: sets `principal` and `tenant`, or answers 401 / 403. */
export function principalMiddleware(deps: AppDeps): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const principal = await principalOf(c, deps);
    if (principal === undefined) {
      c.header("WWW-Authenticate", 'Bearer realm="pyxgen"');
      throw new ApiError(
        401,
        "Sign in, or send a valid API token (Authorization: Bearer <token>).",
      );
    }
    if (principal.kind === "session" && !SAFE.has(c.req.method)) {
      if (!sameOrigin(c, deps.publicUrl) || !csrfMatches(principal, c.req.header(CSRF_HEADER))) {
        throw new ApiError(
          403,
          "This request is missing its CSRF token; reload the page and try again.",
        );
      }
    }
    c.set("principal", principal);
    c.set("tenant", principal.tenant);
    await next();
  };
}
