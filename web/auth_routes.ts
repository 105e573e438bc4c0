/**
 * Sign-up, sign-in, sign-out, the current session and invite acceptance, as JSON or HTML form
 * posts (a form sends its CSRF token in the `_csrf` field).
 *
 * - Every sign-in (sign-up and invite acceptance included) makes a new session id and revokes
 *   the session cookie the browser had, so an id planted before sign-in is worth nothing.
 * - The cookie `pyx_session` is `HttpOnly`, `SameSite=Lax`, `Path=/`, and `Secure` when the
 *   request or the configured public URL is HTTPS. It has no `Max-Age`: the browser drops it
 *   when closed, and the server ends it after inactivity or its lifetime (`sessions.ts`).
 * - Requests made before there is a session (sign-up, sign-in, invite acceptance) cannot carry
 *   a CSRF token; they are refused when posted from another site (`assertSameSite`), which
 *   stops a foreign page from signing the visitor into an account of the attacker's.
 * - Sign-out is cookie-authenticated, so it needs the session's CSRF token.
 * @module
 */
import type { Context } from "hono";
import { Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import { acceptInvite } from "../accounts/invites.ts";
import { LOGIN_FAILED, LoginError, LoginRateLimitedError, verifyLogin } from "../accounts/login.ts";
import { MAX_PASSWORD_LENGTH } from "../accounts/password.ts";
import { EMAIL_TAKEN, findUserByEmail, getTenant, signUp, type User } from "../accounts/store.ts";
import { recordAudit } from "../audit/log.ts";
import { ConfigError } from "../etl/errors.ts";
import type { AppDeps } from "../routes/deps.ts";
import { ApiError } from "../routes/http.ts";
import { csrfMatches, sameOrigin, SESSION_COOKIE } from "../routes/principal.ts";
import { assertSameSite, bodyOf, clientIp, csrfTokenOf, isHttps } from "./request.ts";
import type { SessionStore } from "../routes/deps.ts";

const Text = (max: number) => z.string().max(max, `is longer than ${max} characters`);

/** Body of `POST /auth/signup`. */
export const SignUpBody = z.object({
  organisation: Text(200),
  email: Text(320),
  password: Text(MAX_PASSWORD_LENGTH),
});

/** Body of `POST /auth/signin`. */
export const SignInBody = z.object({ email: Text(320), password: Text(MAX_PASSWORD_LENGTH) });

/** Body of `POST /auth/invites/accept`. */
export const AcceptInviteBody = z.object({
  token: z.string().min(1, "is empty; open the invite link again").max(200),
  email: Text(320),
  password: Text(MAX_PASSWORD_LENGTH),
  name: Text(200).optional(),
});

/** The `/auth` routes. */
export function authRoutes(deps: AppDeps): Hono {
  const auth = new Hono();
  const kv = deps.engine.kv;
  const ip = (c: Context) => clientIp(c, deps.trustProxy);

  const storeOf = (): SessionStore => {
    if (!deps.sessions) {
      throw new ApiError(503, "Sign-in is not set up on this server.");
    }
    return deps.sessions;
  };

  const cookieOptions = (c: Context) => ({
    httpOnly: true,
    sameSite: "Lax" as const,
    path: "/",
    secure: isHttps(c, deps.publicUrl),
  });

  /** Sign `user` in: a new session (the browser's old one revoked), its cookie, and the answer. */
  const signedIn = async (c: Context, store: SessionStore, user: User, status: 200 | 201) => {
    const old = getCookie(c, SESSION_COOKIE);
    if (old) await store.revoke(old);
    const { cookieValue, csrf } = await store.create(user, user.tenant);
    setCookie(c, SESSION_COOKIE, cookieValue, cookieOptions(c));
    const tenant = await getTenant(kv, user.tenant);
    c.header("Cache-Control", "no-store");
    return c.json({
      tenant: { id: user.tenant, name: tenant?.name ?? null },
      user: { id: user.id, email: user.email, role: user.role },
      role: user.role,
      csrf,
    }, status);
  };

  /** `make` the account; an address that has one already is a 409. */
  const newAccount = async <T>(make: () => Promise<T>): Promise<T> => {
    try {
      return await make();
    } catch (error) {
      if (error instanceof ConfigError && error.message === EMAIL_TAKEN) {
        throw new ApiError(409, `${EMAIL_TAKEN}; sign in with it, or use another address.`);
      }
      throw error;
    }
  };

  auth.post("/signup", async (c) => {
    assertSameSite(c, deps.publicUrl);
    const store = storeOf();
    const input = await bodyOf(c, SignUpBody);
    const { user } = await newAccount(() => signUp(kv, input));
    await recordAudit(kv, user.tenant, {
      actor: user.email,
      action: "signup",
      target: user.id,
      detail: { organisation: input.organisation.trim() },
      ip: ip(c),
    });
    return await signedIn(c, store, user, 201);
  });

  auth.post("/signin", async (c) => {
    assertSameSite(c, deps.publicUrl);
    const store = storeOf();
    const { email, password } = await bodyOf(c, SignInBody);
    const address = ip(c);
    let user: User;
    try {
      user = await verifyLogin(kv, email, password, { ip: address });
    } catch (error) {
      if (error instanceof LoginRateLimitedError) {
        c.header("Retry-After", String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))));
        throw new ApiError(429, `${error.message}, then try again.`);
      }
      if (!(error instanceof LoginError)) throw error;
      // An unknown address has no tenant to log in; a known one gets the failure in its own.
      const known = await findUserByEmail(kv, email);
      if (known) {
        await recordAudit(kv, known.tenant, {
          actor: known.email,
          action: "signin.failed",
          target: known.id,
          ip: address,
        });
      }
      throw new ApiError(401, LOGIN_FAILED);
    }
    await recordAudit(kv, user.tenant, {
      actor: user.email,
      action: "signin.succeeded",
      target: user.id,
      ip: address,
    });
    return await signedIn(c, store, user, 200);
  });

  auth.post("/signout", async (c) => {
    const store = storeOf();
    const cookie = getCookie(c, SESSION_COOKIE);
    const principal = cookie ? await store.principal(cookie) : undefined;
    if (cookie && principal) {
      if (!sameOrigin(c, deps.publicUrl) || !csrfMatches(principal, await csrfTokenOf(c))) {
        throw new ApiError(
          403,
          "This request is missing its CSRF token; reload the page and try again.",
        );
      }
      await store.revoke(cookie);
      await recordAudit(kv, principal.tenant, {
        actor: principal.label,
        action: "signout",
        target: principal.userId,
        ip: ip(c),
      });
    }
    // Without a live session there is nothing to protect: just forget the cookie.
    deleteCookie(c, SESSION_COOKIE, cookieOptions(c));
    return c.body(null, 204);
  });

  auth.get("/session", async (c) => {
    const store = storeOf();
    const cookie = getCookie(c, SESSION_COOKIE);
    const principal = cookie ? await store.principal(cookie) : undefined;
    c.header("Cache-Control", "no-store");
    if (!principal?.userId) throw new ApiError(401, "You are not signed in; sign in first.");
    const tenant = await getTenant(kv, principal.tenant);
    return c.json({
      tenant: { id: principal.tenant, name: tenant?.name ?? null },
      user: { id: principal.userId, email: principal.label, role: principal.role },
      role: principal.role,
      csrf: principal.csrf,
    });
  });

  auth.post("/invites/accept", async (c) => {
    assertSameSite(c, deps.publicUrl);
    const store = storeOf();
    const { token, email, password } = await bodyOf(c, AcceptInviteBody);
    const user = await newAccount(() => acceptInvite(kv, token, { email, password }));
    await recordAudit(kv, user.tenant, {
      actor: user.email,
      action: "member.joined",
      target: user.id,
      detail: { role: user.role },
      ip: ip(c),
    });
    return await signedIn(c, store, user, 201);
  });

  return auth;
}
