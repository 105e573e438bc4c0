/**
 * Rendering server-side pages, and who a dashboard page acts as. Pages are Preact components
 * rendered to HTML on the server; islands (see `web/build.ts`) add the few interactive parts.
 * Every page of `/app` needs a signed-in member: without a session the browser is sent to the
 * sign-in page (and back afterwards); a form post must carry the session's CSRF token in its
 * `_csrf` field (or the `X-CSRF-Token` header for island requests) and come from this server.
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import type { VNode } from "preact";
import { renderToString } from "preact-render-to-string";
import type { Role } from "../accounts/store.ts";
import type { AppDeps, Principal } from "../routes/deps.ts";
import { CSRF_HEADER, csrfMatches, sameOrigin, SESSION_COOKIE } from "../routes/principal.ts";
import { roleAtLeast } from "../routes/roles.ts";

/** Hono variables of dashboard pages. */
export interface PageEnv {
  Variables: { principal: Principal; tenant: string };
}

/** Answer `node` as a complete HTML page. */
export function html(c: Context, node: VNode, status: 200 | 400 | 403 | 404 | 409 | 500 = 200) {
  c.header("Cache-Control", "no-store");
  return c.html(`<!doctype html>${renderToString(node)}`, status);
}

const SAFE = new Set(["GET", "HEAD"]);

/** The signed-in member of a page request, or undefined. */
export async function sessionOf(c: Context, deps: AppDeps): Promise<Principal | undefined> {
  const cookie = getCookie(c, SESSION_COOKIE);
  if (!cookie || !deps.sessions) return undefined;
  const principal = await deps.sessions.principal(cookie);
  return principal?.kind === "session" ? principal : undefined;
}

/**
 * Middleware of `/app` pages: a signed-in member, and for posts a matching CSRF token.
 * `refused` renders the page shown when the token is missing or the role is too low.
 */
export function signedIn(
  deps: AppDeps,
  refused: (c: Context, message: string) => Response | Promise<Response>,
): MiddlewareHandler<PageEnv> {
  return async (c, next) => {
    const principal = await sessionOf(c, deps);
    if (!principal) {
      const back = c.req.method === "GET" ? `?next=${encodeURIComponent(c.req.path)}` : "";
      return c.redirect(`/signin${back}`, 303);
    }
    if (!SAFE.has(c.req.method)) {
      let token = c.req.header(CSRF_HEADER);
      const type = c.req.header("Content-Type") ?? "";
      if (!token && /form/.test(type)) {
        const form = await c.req.parseBody();
        token = typeof form._csrf === "string" ? form._csrf : undefined;
      }
      if (!sameOrigin(c, deps.publicUrl) || !csrfMatches(principal, token)) {
        return refused(c, "This form has expired. Go back, reload the page and try again.");
      }
    }
    c.set("principal", principal);
    c.set("tenant", principal.tenant);
    await next();
  };
}

/** Middleware refusing members whose role is below `needed`, with a page that says so. */
export function pageRole(
  needed: Role,
  refused: (c: Context, message: string) => Response | Promise<Response>,
): MiddlewareHandler<PageEnv> {
  return async (c, next) => {
    const { role } = c.get("principal");
    if (!roleAtLeast(role, needed)) {
      const who = needed === "owner" ? "owners" : "editors and owners";
      return refused(c, `Only ${who} can open this page; your role is ${role}.`);
    }
    await next();
  };
}

/** A form field's value as a trimmed string ("" when missing or a file). */
export function field(form: Record<string, unknown>, name: string): string {
  const v = form[name];
  return typeof v === "string" ? v.trim() : "";
}
