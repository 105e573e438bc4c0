/**
 * Server-side sessions in Deno KV. The cookie holds a random id (32 bytes, base64url); KV holds
 * only its SHA-256, so a copy of the database signs nobody in:
 *
 * - `["sessions", <sha-256 hex>]` → {@link SessionRecord}, with a KV `expireIn` that follows the
 *   idle timeout (KV expiry is lazy: the times in the record are what count).
 * - `["tenants", t, "user_sessions", userId, <sha-256 hex>]` → `{ createdAt }`, so every session
 *   of a member can be revoked when they are removed.
 *
 * A session ends after `idleMs` without a request (default 30 minutes, sliding) or `maxMs` after
 * sign-in (default 12 hours), whichever comes first. The role is read from the member record on
 * every request, so a role change or a removal takes effect at once.
 *
 * @example
 * ```ts
 * const sessions = createSessionStore(kv);
 * const { cookieValue, csrf } = await sessions.create(user, user.tenant);
 * const principal = await sessions.principal(cookieValue); // { kind: "session", role, csrf, … }
 * await sessions.revoke(cookieValue);
 * ```
 * @module
 */
import { getUser, type Role } from "../accounts/store.ts";
import type { Principal, SessionStore } from "../routes/deps.ts";

/** A session as stored (never its id). Times are ISO strings. */
export interface SessionRecord {
  tenant: string;
  userId: string;
  email: string;
  /** The role when last seen; a hint only: the member record decides. */
  role?: Role;
  /** The token unsafe requests must send back (`X-CSRF-Token` or the form field `_csrf`). */
  csrf: string;
  createdAt: string;
  lastSeenAt: string;
}

/** The full store: what the API middleware needs plus what sign-in and member changes need. */
export type { SessionStore };

/** Options of {@link createSessionStore}. */
export interface SessionOptions {
  /** Inactivity after which a session ends; default 30 minutes. */
  idleMs?: number;
  /** Lifetime of a session however active; default 12 hours. */
  maxMs?: number;
  /** The clock (tests move it). */
  now?: () => Date;
  /** Where a failed "last seen" write is reported; default `console.error`. */
  log?: (line: string) => void;
}

/** 30 minutes. */
export const SESSION_IDLE_MS = 30 * 60 * 1000;
/** 12 hours. */
export const SESSION_MAX_MS = 12 * 60 * 60 * 1000;
/** `lastSeenAt` is written at most this often, so reading pages does not mean a write each. */
const TOUCH_INTERVAL_MS = 60_000;
/** 32 random bytes in base64url. */
const COOKIE_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** KV keys of sessions. */
export const sessionKeys = {
  session: (hash: string): Deno.KvKey => ["sessions", hash],
  userSessions: (tenant: string, userId: string): Deno.KvKey => [
    "tenants",
    tenant,
    "user_sessions",
    userId,
  ],
  userSession: (tenant: string, userId: string, hash: string): Deno.KvKey => [
    ...sessionKeys.userSessions(tenant, userId),
    hash,
  ],
};

function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_")
    .replace(/=+$/, "");
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A {@link SessionStore} over `kv`. */
export function createSessionStore(kv: Deno.Kv, options: SessionOptions = {}): SessionStore {
  const idleMs = options.idleMs ?? SESSION_IDLE_MS;
  const maxMs = options.maxMs ?? SESSION_MAX_MS;
  const now = options.now ?? (() => new Date());
  const log = options.log ?? ((line: string) => console.error(line));

  /** How long KV should keep the record from `at`: to the idle or the absolute end. */
  const expireIn = (record: SessionRecord, at: number) =>
    Math.max(1, Math.min(idleMs, Date.parse(record.createdAt) + maxMs - at));

  const hashOf = async (cookieValue: string) =>
    typeof cookieValue === "string" && COOKIE_SHAPE.test(cookieValue)
      ? await sha256Hex(cookieValue)
      : undefined;

  const remove = (hash: string, record: SessionRecord) =>
    kv.atomic().delete(sessionKeys.session(hash))
      .delete(sessionKeys.userSession(record.tenant, record.userId, hash)).commit();

  return {
    async create(user, tenant) {
      const cookieValue = randomToken();
      const csrf = randomToken();
      const hash = await sha256Hex(cookieValue);
      const at = now();
      const record: SessionRecord = {
        tenant,
        userId: user.id,
        email: user.email,
        role: user.role,
        csrf,
        createdAt: at.toISOString(),
        lastSeenAt: at.toISOString(),
      };
      const key = sessionKeys.session(hash);
      const result = await kv.atomic()
        .check({ key, versionstamp: null })
        .set(key, record, { expireIn: expireIn(record, at.getTime()) })
        .set(sessionKeys.userSession(tenant, user.id, hash), { createdAt: record.createdAt }, {
          expireIn: maxMs,
        })
        .commit();
      // 256 random bits do not collide; a failed check means something is badly wrong.
      if (!result.ok) throw new Error("Could not save the session; try signing in again");
      return { cookieValue, csrf };
    },

    async principal(cookieValue): Promise<Principal | undefined> {
      const hash = await hashOf(cookieValue);
      if (hash === undefined) return undefined;
      const entry = await kv.get<SessionRecord>(sessionKeys.session(hash));
      const record = entry.value;
      if (record === null) return undefined;
      const at = now().getTime();
      const idle = at - Date.parse(record.lastSeenAt) >= idleMs;
      const old = at - Date.parse(record.createdAt) >= maxMs;
      const user = idle || old ? undefined : await getUser(kv, record.tenant, record.userId);
      if (user === undefined) {
        // Expired, or the member was removed: the session is over for good.
        await remove(hash, record);
        return undefined;
      }
      if (at - Date.parse(record.lastSeenAt) >= TOUCH_INTERVAL_MS || record.role !== user.role) {
        const next = { ...record, role: user.role, lastSeenAt: new Date(at).toISOString() };
        try {
          // A lost race means another request touched it just now: nothing to do.
          await kv.atomic().check(entry).set(entry.key, next, { expireIn: expireIn(next, at) })
            .commit();
        } catch (error) {
          log(`Could not record the use of a session of user ${record.userId}: ${error}`);
        }
      }
      return {
        tenant: record.tenant,
        role: user.role,
        kind: "session",
        userId: user.id,
        label: user.email,
        csrf: record.csrf,
      };
    },

    async revoke(cookieValue) {
      const hash = await hashOf(cookieValue);
      if (hash === undefined) return;
      const entry = await kv.get<SessionRecord>(sessionKeys.session(hash));
      if (entry.value !== null) await remove(hash, entry.value);
    },

    async revokeAllOf(tenant, userId) {
      const index = await Array.fromAsync(
        kv.list({ prefix: sessionKeys.userSessions(tenant, userId) }),
      );
      // A few keys per commit keeps each well under KV's limit on mutations.
      for (let i = 0; i < index.length; i += 20) {
        const op = kv.atomic();
        for (const e of index.slice(i, i + 20)) {
          const hash = String(e.key[e.key.length - 1]);
          op.delete(sessionKeys.session(hash)).delete(e.key);
        }
        await op.commit();
      }
      return index.length;
    },
  };
}
