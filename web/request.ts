/**
 * What the `/auth` routes read from a request: a body sent as JSON or as an HTML form, the CSRF
 * token (header or form field), the client address for rate limits, and whether a request
 * without a session comes from a page of this server (login CSRF).
 * @module
 */
import type { Context } from "hono";
import type { z } from "zod";
import { CSRF_HEADER, sameOrigin } from "../routes/principal.ts";
import { ApiError, checked, jsonBody } from "../routes/http.ts";

/** The form field carrying the CSRF token of an HTML form. */
export const CSRF_FIELD = "_csrf";

/** Whether the body is an HTML form (URL-encoded or multipart). */
export function isForm(c: Context): boolean {
  const type = (c.req.header("Content-Type") ?? "").toLowerCase();
  return type.startsWith("application/x-www-form-urlencoded") ||
    type.startsWith("multipart/form-data");
}

async function formFields(c: Context): Promise<Record<string, string>> {
  const raw = await c.req.parseBody();
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value !== "string") {
      throw new ApiError(400, `The form field "${name}" is a file; send it as text.`);
    }
    fields[name] = value;
  }
  return fields;
}

/**
 * The body, from JSON or an HTML form, checked against `schema` (unknown fields such as
 * `_csrf` are dropped by the schema).
 */
export async function bodyOf<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  if (!isForm(c)) return await jsonBody(c, schema);
  return checked(schema, await formFields(c), "The form");
}

/** The CSRF token the request sent: the `X-CSRF-Token` header, else a form's `_csrf` field. */
export async function csrfTokenOf(c: Context): Promise<string | undefined> {
  const header = c.req.header(CSRF_HEADER);
  if (header !== undefined) return header;
  if (!isForm(c)) return undefined;
  return (await formFields(c))[CSRF_FIELD];
}

/**
 * The client's address for rate limits and the audit log. Behind a reverse proxy
 * (`trustProxy`), the last `X-Forwarded-For` entry: the one the proxy itself added, which the
 * client cannot forge. Otherwise the connection's address (`Deno.serve` passes it to Hono as
 * `c.env.remoteAddr`), or `"unknown"` (as in `app.request()` tests).
 */
export function clientIp(c: Context, trustProxy = false): string {
  if (trustProxy) {
    const forwarded = (c.req.header("X-Forwarded-For") ?? "").split(",").map((s) => s.trim())
      .filter((s) => s !== "");
    if (forwarded.length > 0) return forwarded[forwarded.length - 1].slice(0, 100);
  }
  const env = c.env as { remoteAddr?: { hostname?: unknown } } | undefined;
  const hostname = env?.remoteAddr?.hostname;
  return typeof hostname === "string" && hostname !== "" ? hostname : "unknown";
}

/**
 * Refuse a sign-up, sign-in or invite acceptance posted from another site (login CSRF: a
 * foreign page signing the visitor into the attacker's account). Browsers send `Origin` with
 * every cross-origin POST, so a foreign `Origin` is refused, and so is `Sec-Fetch-Site:
 * cross-site`; scripts and `curl` send neither and are let through, as they carry no victim's
 * browser state.
 */
export function assertSameSite(c: Context, publicUrl: string | undefined): void {
  if (!sameOrigin(c, publicUrl) || c.req.header("Sec-Fetch-Site") === "cross-site") {
    throw new ApiError(
      403,
      "This form was sent from another site; open the sign-in page of this server and try again.",
    );
  }
}

/** Whether the browser reaches this server over HTTPS (its URL or the configured public URL). */
export function isHttps(c: Context, publicUrl: string | undefined): boolean {
  return new URL(c.req.url).protocol === "https:" || (publicUrl ?? "").startsWith("https:");
}
