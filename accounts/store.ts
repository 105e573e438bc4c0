/**
 * Tenants and their users in Deno KV. Everything of a tenant lives under `["tenants", t, …]`:
 * its record at `["tenants", t, "info"]` and each user at `["tenants", t, "users", userId]`. One
 * global index, `["user_emails", email]` → `{ tenant, userId }`, keeps e-mail addresses unique
 * (one account per address) and is written in the same atomic commit as the user, checked with
 * `versionstamp: null`. Password hashes stay inside this module and `login.ts`: every function
 * here returns a {@link User} without one.
 * @module
 */
import { z } from "zod";
import { ConfigError, RetriableError } from "../etl/errors.ts";
import { assertPasswordAllowed, hashPassword } from "./password.ts";

/** What a member may do: owner (everything), editor (pipelines, connections), viewer (read). */
export type Role = "owner" | "editor" | "viewer";
/** Every role, most powerful first. */
export const ROLES: readonly Role[] = ["owner", "editor", "viewer"];

/** A subscriber: one organisation with its own users and data. */
export interface Tenant {
  id: string;
  name: string;
  createdAt: string;
}

/** A member of a tenant as callers see it (no password hash). */
export interface User {
  id: string;
  tenant: string;
  /** Trimmed and lower-cased. */
  email: string;
  role: Role;
  createdAt: string;
}

/** A user as stored: with the password hash. Never returned to callers outside accounts/. */
export interface UserRecord extends User {
  passwordHash: string;
}

/** What the email index holds. */
export interface EmailEntry {
  tenant: string;
  userId: string;
}

/** The message for a sign-up or invite with an address that already has an account. */
export const EMAIL_TAKEN = "An account with this email already exists";

/** KV keys of accounts; the only place they are built. */
export const accountKeys = {
  tenant: (tenant: string): Deno.KvKey => ["tenants", tenant, "info"],
  user: (tenant: string, id: string): Deno.KvKey => ["tenants", tenant, "users", id],
  users: (tenant: string): Deno.KvKey => ["tenants", tenant, "users"],
  email: (email: string): Deno.KvKey => ["user_emails", email],
  invite: (tenant: string, hash: string): Deno.KvKey => ["tenants", tenant, "invites", hash],
  inviteToken: (hash: string): Deno.KvKey => ["invite_tokens", hash],
};

/** A new random id: 16 random bytes in base64url (22 characters, URL-safe, unguessable). */
export function newAccountId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_")
    .replace(/=+$/, "");
}

/** An e-mail address as stored and looked up: trimmed and lower-cased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** A valid e-mail address, normalised. */
export const EmailInput = z.string().transform(normalizeEmail).pipe(
  z.email("is not an e-mail address; write it like name@example.org").max(320),
);

const SignUpInput = z.object({
  organisation: z.string().trim().min(1, "is empty; give the organisation's name").max(200),
  email: EmailInput,
  password: z.string(),
});

/** Parse `input` with `schema` or throw a ConfigError listing every problem as `path: message`. */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "input"}: ${i.message}`);
  throw new ConfigError(`The ${what} is not valid: ${problems.join("; ")}`, problems);
}

/** Drop the password hash. */
export function toUser(record: UserRecord): User {
  const { passwordHash: _, ...user } = record;
  return user;
}

/**
 * Create a tenant and its owner in one atomic commit. A bad address or organisation name, or a
 * password shorter than 12 characters, throws a ConfigError naming the field; an address that
 * already has an account throws a ConfigError with {@link EMAIL_TAKEN} and nothing else.
 *
 * @example
 * ```ts
 * const { tenant, user } = await signUp(kv, {
 *   organisation: "Clinic A", email: "ann@clinic-a.example", password: "a long passphrase",
 * });
 * ```
 */
export async function signUp(
  kv: Deno.Kv,
  input: { organisation: string; email: string; password: string },
  now: Date = new Date(),
): Promise<{ tenant: Tenant; user: User }> {
  const data = parseInput(SignUpInput, input, "sign-up");
  assertPasswordAllowed(data.password);
  // Hash before looking at the index, so a taken address answers no faster than a free one.
  const passwordHash = await hashPassword(data.password);
  const tenant: Tenant = {
    id: newAccountId(),
    name: data.organisation,
    createdAt: now.toISOString(),
  };
  const record: UserRecord = {
    id: newAccountId(),
    tenant: tenant.id,
    email: data.email,
    role: "owner",
    createdAt: tenant.createdAt,
    passwordHash,
  };
  const tenantKey = accountKeys.tenant(tenant.id);
  const userKey = accountKeys.user(tenant.id, record.id);
  const emailKey = accountKeys.email(record.email);
  const result = await kv.atomic()
    .check(
      { key: emailKey, versionstamp: null },
      { key: tenantKey, versionstamp: null },
      { key: userKey, versionstamp: null },
    )
    .set(tenantKey, tenant).set(userKey, record)
    .set(emailKey, { tenant: tenant.id, userId: record.id } satisfies EmailEntry)
    .commit();
  if (!result.ok) {
    if ((await kv.get(emailKey)).versionstamp !== null) throw new ConfigError(EMAIL_TAKEN);
    throw new RetriableError("Could not create the account; try again");
  }
  return { tenant, user: toUser(record) };
}

/** A tenant's record, or undefined when there is none with that id. */
export async function getTenant(kv: Deno.Kv, tenant: string): Promise<Tenant | undefined> {
  return (await kv.get<Tenant>(accountKeys.tenant(tenant))).value ?? undefined;
}

/** The stored user (with password hash) for an address; for `login.ts` only. */
export async function findUserRecordByEmail(
  kv: Deno.Kv,
  email: string,
): Promise<Deno.KvEntry<UserRecord> | undefined> {
  const normalized = normalizeEmail(email);
  if (normalized.length === 0 || normalized.length > 320) return undefined;
  const index = (await kv.get<EmailEntry>(accountKeys.email(normalized))).value;
  if (!index) return undefined;
  const entry = await kv.get<UserRecord>(accountKeys.user(index.tenant, index.userId));
  return entry.value ? entry as Deno.KvEntry<UserRecord> : undefined;
}

/** The user with this e-mail address (any case, surrounding spaces ignored), or undefined. */
export async function findUserByEmail(kv: Deno.Kv, email: string): Promise<User | undefined> {
  const entry = await findUserRecordByEmail(kv, email);
  return entry?.value ? toUser(entry.value) : undefined;
}

/** One member of `tenant`; undefined when this tenant has no user with that id. */
export async function getUser(kv: Deno.Kv, tenant: string, id: string): Promise<User | undefined> {
  const value = (await kv.get<UserRecord>(accountKeys.user(tenant, id))).value;
  return value ? toUser(value) : undefined;
}

async function listRecords(kv: Deno.Kv, tenant: string): Promise<Deno.KvEntry<UserRecord>[]> {
  const out: Deno.KvEntry<UserRecord>[] = [];
  for await (const e of kv.list<UserRecord>({ prefix: accountKeys.users(tenant) })) out.push(e);
  return out;
}

/** The members of `tenant`, oldest first (then by address). */
export async function listMembers(kv: Deno.Kv, tenant: string): Promise<User[]> {
  return (await listRecords(kv, tenant)).map((e) => toUser(e.value))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.email.localeCompare(b.email));
}

/**
 * Apply `change` to member `id` of `tenant` in a commit that also checks another owner is still
 * an owner, so two owners demoting each other at once cannot leave the tenant without one.
 * Undefined when there is no such member; retried when the members changed meanwhile.
 */
async function changeMember(
  kv: Deno.Kv,
  tenant: string,
  id: string,
  losesOwner: (user: UserRecord) => boolean,
  apply: (op: Deno.AtomicOperation, entry: Deno.KvEntry<UserRecord>) => void,
  refusal: (user: UserRecord) => string,
): Promise<Deno.KvEntry<UserRecord> | undefined> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const records = await listRecords(kv, tenant);
    const entry = records.find((e) => e.value.id === id);
    if (!entry) return undefined;
    const op = kv.atomic().check(entry);
    if (entry.value.role === "owner" && losesOwner(entry.value)) {
      const other = records.find((e) => e.value.id !== id && e.value.role === "owner");
      if (!other) throw new ConfigError(refusal(entry.value));
      op.check(other);
    }
    apply(op, entry);
    if ((await op.commit()).ok) return entry;
  }
  throw new RetriableError("The members kept changing while saving; try again");
}

/**
 * Give member `id` of `tenant` a new role; undefined when there is no such member. The last
 * owner cannot be demoted: that throws a ConfigError saying to make another member owner first.
 */
export async function setRole(
  kv: Deno.Kv,
  tenant: string,
  id: string,
  role: Role,
): Promise<User | undefined> {
  if (!ROLES.includes(role)) {
    throw new ConfigError(`Unknown role "${role}"; use one of ${ROLES.join(", ")}`);
  }
  const entry = await changeMember(
    kv,
    tenant,
    id,
    () => role !== "owner",
    (op, e) => op.set(e.key, { ...e.value, role }),
    (u) =>
      `Cannot make ${u.email} ${role}: they are the last owner of this organisation; make another member owner first`,
  );
  return entry ? toUser({ ...entry.value, role }) : undefined;
}

/**
 * Remove member `id` from `tenant` (their e-mail address becomes free again); false when there is
 * no such member. The last owner cannot be removed: that throws a ConfigError.
 */
export async function removeMember(kv: Deno.Kv, tenant: string, id: string): Promise<boolean> {
  const entry = await changeMember(
    kv,
    tenant,
    id,
    () => true,
    (op, e) => op.delete(e.key).delete(accountKeys.email(e.value.email)),
    (u) =>
      `Cannot remove ${u.email}: they are the last owner of this organisation; make another member owner first`,
  );
  return entry !== undefined;
}
