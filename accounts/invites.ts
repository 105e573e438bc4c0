/**
 * Invite links: an owner creates a random token (shown once), the invitee accepts it with an
 * address and password and becomes a member with the invite's role. Only the SHA-256 of a token
 * is stored, at `["tenants", t, "invites", hash]`, with the index `["invite_tokens", hash]` →
 * `{ tenant }` for lookup; both go away in the commit that creates the member, so a token works
 * once. Invites expire after {@link INVITE_TTL_MS}.
 * @module
 */
import { z } from "zod";
import { ConfigError, RetriableError } from "../etl/errors.ts";
import { assertPasswordAllowed, hashPassword } from "./password.ts";
import {
  accountKeys,
  EMAIL_TAKEN,
  EmailEntry,
  EmailInput,
  getUser,
  newAccountId,
  parseInput,
  type Role,
  ROLES,
  toUser,
  type User,
  type UserRecord,
} from "./store.ts";

/** How long an invite can be used: 7 days. */
export const INVITE_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** An invite as stored (without its token). */
export interface InviteRecord {
  tenant: string;
  role: Role;
  invitedBy: string;
  createdAt: string;
  expiresAt: string;
}

/** A new invite: `token` exists only here; show it once (as a link) and forget it. */
export interface NewInvite {
  token: string;
  role: Role;
  expiresAt: string;
}

/** The message for a token that is unknown or already used. */
export const INVITE_INVALID =
  "This invite link is not valid or has already been used; ask an owner for a new one";

async function tokenHash(token: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Invite someone into `tenant` with `role`. `byUserId` must be an owner of that tenant, or a
 * ConfigError is thrown.
 *
 * @example
 * ```ts
 * const invite = await createInvite(kv, tenant.id, "editor", owner.id);
 * const link = `https://portal.example/invite/${invite.token}`;
 * ```
 */
export async function createInvite(
  kv: Deno.Kv,
  tenant: string,
  role: Role,
  byUserId: string,
  now: Date = new Date(),
): Promise<NewInvite> {
  if (!ROLES.includes(role)) {
    throw new ConfigError(`Unknown role "${role}"; use one of ${ROLES.join(", ")}`);
  }
  const by = await getUser(kv, tenant, byUserId);
  if (by?.role !== "owner") {
    throw new ConfigError(
      `Only an owner can invite members; user "${byUserId}" is ${
        by ? `a ${by.role}` : "not a member"
      } of this organisation`,
    );
  }
  const token = newAccountId() + newAccountId();
  const hash = await tokenHash(token);
  const record: InviteRecord = {
    tenant,
    role,
    invitedBy: byUserId,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + INVITE_TTL_MS).toISOString(),
  };
  // KV expiry is lazy; `expiresAt` is what acceptInvite checks.
  const expireIn = INVITE_TTL_MS + 24 * 60 * 60 * 1000;
  const result = await kv.atomic()
    .check({ key: accountKeys.inviteToken(hash), versionstamp: null })
    .set(accountKeys.invite(tenant, hash), record, { expireIn })
    .set(accountKeys.inviteToken(hash), { tenant }, { expireIn })
    .commit();
  if (!result.ok) throw new RetriableError("Could not save the invite; try again");
  return { token, role, expiresAt: record.expiresAt };
}

const AcceptInput = z.object({ email: EmailInput, password: z.string() });

/**
 * Use an invite: creates a member of the invite's tenant with its role, and consumes the invite
 * in the same commit. Throws a ConfigError for an unknown, used or expired token, a bad address
 * or password, or an address that already has an account ({@link EMAIL_TAKEN}).
 */
export async function acceptInvite(
  kv: Deno.Kv,
  token: string,
  input: { email: string; password: string },
  now: Date = new Date(),
): Promise<User> {
  const data = parseInput(AcceptInput, input, "invite acceptance");
  assertPasswordAllowed(data.password);
  if (typeof token !== "string" || token.length === 0 || token.length > 200) {
    throw new ConfigError(INVITE_INVALID);
  }
  const hash = await tokenHash(token);
  const index = await kv.get<{ tenant: string }>(accountKeys.inviteToken(hash));
  if (!index.value) throw new ConfigError(INVITE_INVALID);
  const invite = await kv.get<InviteRecord>(accountKeys.invite(index.value.tenant, hash));
  if (!invite.value) throw new ConfigError(INVITE_INVALID);
  if (now.getTime() >= Date.parse(invite.value.expiresAt)) {
    throw new ConfigError(
      `This invite link expired on ${invite.value.expiresAt}; ask an owner for a new one`,
    );
  }
  const passwordHash = await hashPassword(data.password);
  const record: UserRecord = {
    id: newAccountId(),
    tenant: invite.value.tenant,
    email: data.email,
    role: invite.value.role,
    createdAt: now.toISOString(),
    passwordHash,
  };
  const userKey = accountKeys.user(record.tenant, record.id);
  const emailKey = accountKeys.email(record.email);
  const result = await kv.atomic()
    .check(index, invite, { key: emailKey, versionstamp: null }, {
      key: userKey,
      versionstamp: null,
    })
    .delete(index.key).delete(invite.key)
    .set(userKey, record)
    .set(emailKey, { tenant: record.tenant, userId: record.id } satisfies EmailEntry)
    .commit();
  if (!result.ok) {
    if ((await kv.get(index.key)).versionstamp === null) throw new ConfigError(INVITE_INVALID);
    if ((await kv.get(emailKey)).versionstamp !== null) throw new ConfigError(EMAIL_TAKEN);
    throw new RetriableError("Could not accept the invite; try again");
  }
  return toUser(record);
}
