/**
 * What the HTTP app runs with, shared by `app.ts` and the routes, and who a request acts as.
 * @module
 */
import type { Role } from "../accounts/store.ts";
import type { EngineDeps } from "../runs/engine.ts";
import type { Vault } from "../vault/vault.ts";
import type { Authenticator } from "./auth.ts";

/**
 * Who a request acts as: a signed-in member (session cookie) or an API token. Routes read the
 * tenant and role from here only; nothing in a request body or path names the tenant.
 */
export interface Principal {
  tenant: string;
  role: Role;
  /** `session`: a signed-in member's cookie; `token`: an API token (or the operator token). */
  kind: "session" | "token";
  /** The member's user id (sessions, and tokens made by a member). */
  userId?: string;
  /** The API token's id (kind `token`, KV tokens only). */
  tokenId?: string;
  /** Who this is, for the audit log: the member's email or `token "<name>"`. */
  label: string;
  /** The session's CSRF token (kind `session`): unsafe requests must send it back. */
  csrf?: string;
}

/** Server-side sessions, as the API middleware needs them (implemented in `web/sessions.ts`). */
export interface SessionLookup {
  /** The principal of a session cookie value, or undefined when unknown, expired or revoked. */
  principal(cookieValue: string): Promise<Principal | undefined>;
}

/** Server-side sessions: lookup plus start and end (implemented in `web/sessions.ts`). */
export interface SessionStore extends SessionLookup {
  /** Start a session for `user` in `tenant`; `cookieValue` goes in the cookie and nowhere else. */
  create(
    user: { id: string; email: string; role: Role },
    tenant: string,
  ): Promise<{ cookieValue: string; csrf: string }>;
  /** End the session of this cookie value (nothing happens for an unknown one). */
  revoke(cookieValue: string): Promise<void>;
  /** End every session of member `userId` of `tenant`; returns how many there were. */
  revokeAllOf(tenant: string, userId: string): Promise<number>;
}

/** Dependencies of {@link createApp} (app.ts). */
export interface AppDeps {
  /** The run engine (KV, queue, roots); `engine.kv` also holds pipelines and accounts. */
  engine: EngineDeps;
  /** Bearer token → principal. */
  auth: Authenticator;
  /** Session cookie → principal, and sign-in; without it only bearer tokens work. */
  sessions?: SessionStore;
  /** Behind a reverse proxy: client addresses (rate limits, audit) from `X-Forwarded-For`. */
  trustProxy?: boolean;
  /** Seals and opens tenants' secrets (connections, spec secrets). */
  vault?: Vault;
  /** Base of the absolute URLs in answers, e.g. `https://portal.example.org`; default: the request's origin. */
  publicUrl?: string;
  /** Where unexpected errors are logged; default `console.error`. */
  log?: (line: string) => void;
}

/** Hono variables of authenticated API requests. */
export interface ApiEnv {
  Variables: { tenant: string; principal: Principal };
}
