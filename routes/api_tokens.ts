/**
 * Per-tenant API tokens in Deno KV, behind the same {@link Authenticator} interface as
 * `staticTokens` (auth.ts), so the API middleware does not change.
 *
 * A token is `pyx_` followed by 32 random bytes as 64 hex digits. It is shown once, by
 * {@link createApiToken}, and never stored: KV holds only its SHA-256 (hex), in three keys
 * written and deleted in one atomic commit each:
 *
 * - `["api_tokens", <sha-256 hex>]` → `{ tenant, id }` — the global lookup that authenticates.
 * - `["tenants", tenant, "api_tokens", id]` → {@link ApiTokenInfo} — what users see: id, name,
 *   the token's first 8 characters (to recognise it), when it was made and last used. Never the
 *   token or its hash.
 * - `["tenants", tenant, "api_token_hashes", id]` → the hash, so that revoking can find the
 *   lookup key without keeping the hash in the record users see.
 *
 * @example
 * ```ts
 * const kv = await Deno.openKv(":memory:");
 * const { token } = await createApiToken(kv, "clinic-a", { name: "nightly export" });
 * const auth = kvTokens(kv);
 * await auth.authenticate(token); // "clinic-a"
 * ```
 * @module
 */
import { z } from "zod";
import { ConfigError } from "../etl/errors.ts";
import type { Role } from "../accounts/store.ts";
import type { Authenticator } from "./auth.ts";
import type { Principal } from "./deps.ts";

/** What a tenant sees of one of its API tokens: never the token or its hash. */
export interface ApiTokenInfo {
  id: string;
  name: string;
  /** The token's first 12 characters, e.g. `pyx_3f9a0c1d`, to tell tokens apart. */
  prefix: string;
  /** ISO time the token was made. */
  createdAt: string;
  /** Who made it (a user id), when known. */
  createdBy?: string;
  /** What the token may do (default `editor`: pipelines, connections, runs; not members). */
  role?: Role;
  /** ISO time of its last use, to the minute at best; missing when never used. */
  lastUsedAt?: string;
}

/** The answer of {@link createApiToken}: `token` is shown this once and cannot be read again. */
export interface CreatedApiToken {
  id: string;
  token: string;
  name: string;
  createdAt: string;
  role: Role;
}

/** Where the global lookup entry of a token points. */
interface TokenOwner {
  tenant: string;
  id: string;
}

/** Every API token starts with this, so leaked ones are easy to recognise and scan for. */
export const API_TOKEN_PREFIX = "pyx_";
/** The shape of a token made by {@link createApiToken}. */
const TOKEN_SHAPE = /^pyx_[0-9a-f]{64}$/;
/** `lastUsedAt` is written at most this often per token. */
const TOUCH_INTERVAL_MS = 60_000;

/** KV keys of API tokens. */
export const apiTokenKeys = {
  lookup: (hash: string): Deno.KvKey => ["api_tokens", hash],
  token: (tenant: string, id: string): Deno.KvKey => ["tenants", tenant, "api_tokens", id],
  tokens: (tenant: string): Deno.KvKey => ["tenants", tenant, "api_tokens"],
  hash: (tenant: string, id: string): Deno.KvKey => ["tenants", tenant, "api_token_hashes", id],
};

const NewToken = z.object({
  name: z.string().trim().min(1, 'is empty; give a name such as "nightly export"').max(
    100,
    "is longer than 100 characters",
  ),
  createdBy: z.string().min(1).max(200).optional(),
  role: z.enum(["owner", "editor", "viewer"]).default("editor"),
});

const hex = (bytes: Uint8Array) =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

async function sha256Hex(text: string): Promise<string> {
  const bytes = new TextEncoder().encode(text);
  return hex(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)));
}

/**
 * Make a new API token for `tenant`. The answer holds the token itself: show it once, it cannot
 * be read again. A name that is empty or longer than 100 characters throws a ConfigError.
 */
export async function createApiToken(
  kv: Deno.Kv,
  tenant: string,
  options: { name: string; createdBy?: string; role?: Role },
  now: Date = new Date(),
): Promise<CreatedApiToken> {
  const parsed = NewToken.safeParse(options);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(
      `The API token was not created: ${problems.join("; ")} (got ${JSON.stringify(options.name)})`,
      problems,
    );
  }
  const { name, createdBy, role } = parsed.data;
  const token = API_TOKEN_PREFIX + hex(crypto.getRandomValues(new Uint8Array(32)));
  const id = hex(crypto.getRandomValues(new Uint8Array(16)));
  const hash = await sha256Hex(token);
  const info: ApiTokenInfo = {
    id,
    name,
    prefix: token.slice(0, 12),
    createdAt: now.toISOString(),
    role,
    ...(createdBy === undefined ? {} : { createdBy }),
  };
  const owner: TokenOwner = { tenant, id };
  const keys = [
    apiTokenKeys.lookup(hash),
    apiTokenKeys.token(tenant, id),
    apiTokenKeys.hash(tenant, id),
  ];
  const result = await kv.atomic()
    .check(...keys.map((key) => ({ key, versionstamp: null })))
    .set(keys[0], owner).set(keys[1], info).set(keys[2], hash)
    .commit();
  // 256 and 128 random bits do not collide; a failed check means something is badly wrong.
  if (!result.ok) throw new Error("Could not save the API token; try again");
  return { id, token, name, createdAt: info.createdAt, role };
}

/** The API tokens of `tenant`, oldest first (ids are random, so sorted by `createdAt`). */
export async function listApiTokens(kv: Deno.Kv, tenant: string): Promise<ApiTokenInfo[]> {
  const entries = await Array.fromAsync(
    kv.list<ApiTokenInfo>({ prefix: apiTokenKeys.tokens(tenant) }),
  );
  return entries.map((e) => e.value).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/**
 * Revoke `tenant`'s token `id`: its record and lookup go in one commit, and the token stops
 * working at once. False when `tenant` has no token `id` (another tenant's id included).
 */
export async function revokeApiToken(kv: Deno.Kv, tenant: string, id: string): Promise<boolean> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const [record, hashEntry] = await kv.getMany<[ApiTokenInfo, string]>([
      apiTokenKeys.token(tenant, id),
      apiTokenKeys.hash(tenant, id),
    ]);
    if (record.value === null || hashEntry.value === null) return false;
    const result = await kv.atomic()
      .check(record, hashEntry)
      .delete(record.key).delete(hashEntry.key).delete(apiTokenKeys.lookup(hashEntry.value))
      .commit();
    if (result.ok) return true;
    // The record changed meanwhile (its lastUsedAt was touched): read it again.
  }
  throw new Error(`Could not revoke the API token "${id}" (it kept changing); try again`);
}

/**
 * An {@link Authenticator} over the tokens in `kv`: a token names its tenant until it is revoked.
 * Each use writes `lastUsedAt` at most once a minute, best effort: a failure there is logged and
 * never fails the request.
 */
export function kvTokens(
  kv: Deno.Kv,
  options: { now?: () => Date; log?: (line: string) => void } = {},
): Authenticator {
  const now = options.now ?? (() => new Date());
  const log = options.log ?? console.error;
  return {
    async authenticate(token: string): Promise<Principal | undefined> {
      if (!TOKEN_SHAPE.test(token)) return undefined;
      const found = await kv.get<TokenOwner>(apiTokenKeys.lookup(await sha256Hex(token)));
      if (found.value === null) return undefined;
      const { tenant, id } = found.value;
      const record = await kv.get<ApiTokenInfo>(apiTokenKeys.token(tenant, id));
      // Revoked between the two reads: the token no longer works.
      if (record.value === null) return undefined;
      const info = record.value;
      try {
        await touch(kv, record, now());
      } catch (error) {
        log(`Could not record the use of API token ${id} of tenant "${tenant}": ${error}`);
      }
      return {
        tenant,
        role: info.role ?? "editor",
        kind: "token",
        tokenId: id,
        userId: info.createdBy,
        label: `token "${info.name}"`,
      };
    },
  };
}

/** Set `lastUsedAt` when it is missing or a minute old; a token revoked meanwhile stays gone. */
async function touch(
  kv: Deno.Kv,
  record: Deno.KvEntry<ApiTokenInfo>,
  at: Date,
): Promise<void> {
  const last = record.value.lastUsedAt ? Date.parse(record.value.lastUsedAt) : NaN;
  if (at.getTime() - last < TOUCH_INTERVAL_MS) return;
  // A lost race means another request touched it just now: nothing to do.
  await kv.atomic().check(record).set(record.key, { ...record.value, lastUsedAt: at.toISOString() })
    .commit();
}
