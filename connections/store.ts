/**
 * Saved connections of a tenant, in KV under `["tenants", tenant, "connections", id]`. A record
 * holds the step settings without `type` (so `{ type, ...config }` is a source or repository
 * step of a pipeline spec), with the secret fields its registry entry names sealed by the vault
 * as `{ $sealed }`. Secrets are write-only: answers use {@link maskedConnection}; only
 * {@link openConnection} gives them back, for use inside the server (tests, runs).
 *
 * Settings are checked with the entry's schema made partial (see `validate.ts`): a connection
 * keeps how to reach a server, a pipeline adds what to read or write.
 *
 * @example
 * ```ts
 * const saved = await createConnection(kv, vault, "clinic-a", {
 *   name: "EMR", kind: "source", type: "mysql",
 *   config: { host: "db.clinic.org", user: "etl", password: "s3cret", database: "emr" },
 * });
 * maskedConnection(saved).config.password; // "••••••"
 * await openConnection(kv, vault, "clinic-a", saved.id); // { type: "mysql", host: …, password: "s3cret", … }
 * ```
 * @module
 */
import { ConfigError, RetriableError } from "../etl/errors.ts";
import { isSealed, keepSecrets, mask } from "../vault/fields.ts";
import type { Vault } from "../vault/vault.ts";
import {
  checkChange,
  checkNewConnection,
  configProblems,
  connectionEntry,
  type ConnectionKind,
  refuse,
} from "./validate.ts";

/** A saved connection as stored: secret fields sealed. */
export interface ConnectionRecord {
  /** 32 hex digits. */
  id: string;
  name: string;
  kind: ConnectionKind;
  /** The registry type, e.g. `postgres`, `mysql`, `rest`, `fhir-server`, `s3`. */
  type: string;
  /** The step settings without `type`; secret fields as `{ $sealed }`. */
  config: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
  /** Who made it (the audit log's actor), when known. */
  createdBy?: string;
}

/** What {@link updateConnection} did. */
export interface ConnectionUpdate {
  connection: ConnectionRecord;
  /** Names of the fields that changed (`name`, `config.host`, `config.password`); never values. */
  changed: string[];
}

/** KV keys of saved connections. */
export const connectionKeys = {
  connection: (tenant: string, id: string): Deno.KvKey => ["tenants", tenant, "connections", id],
  connections: (tenant: string): Deno.KvKey => ["tenants", tenant, "connections"],
};

/** A random connection id: 16 random bytes as 32 hex digits. */
export function newConnectionId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The record's secret field names: its entry's, plus any sealed field (belt and braces). */
export function secretNames(record: Pick<ConnectionRecord, "kind" | "type" | "config">): string[] {
  const named = connectionEntry(record.kind, record.type)?.secrets ?? [];
  const sealed = Object.keys(record.config).filter((k) => isSealed(record.config[k]));
  return [...new Set([...named, ...sealed])];
}

/** Secrets left empty count as not given: nothing to seal, nothing to show. */
function withoutEmpty(config: Record<string, unknown>, names: readonly string[]) {
  const out = { ...config };
  for (const name of names) if (out[name] === "") delete out[name];
  return out;
}

/**
 * Save a new connection for `tenant`. The input is checked first (name, kind, a type of that
 * kind's registry that has something to connect to, settings valid for its entry): a bad one
 * throws a ConfigError listing every problem with its path, and nothing is saved.
 */
export async function createConnection(
  kv: Deno.Kv,
  vault: Vault,
  tenant: string,
  input: unknown,
  actor?: string,
): Promise<ConnectionRecord> {
  const { name, kind, type, config, entry } = checkNewConnection(input);
  const now = new Date().toISOString();
  const record: ConnectionRecord = {
    id: newConnectionId(),
    name,
    kind,
    type,
    config: await vault.sealFields(tenant, withoutEmpty(config, entry.secrets), entry.secrets),
    createdAt: now,
    updatedAt: now,
    ...(actor === undefined ? {} : { createdBy: actor }),
  };
  const key = connectionKeys.connection(tenant, record.id);
  const done = await kv.atomic().check({ key, versionstamp: null }).set(key, record).commit();
  // 128 random bits do not collide; a failed check means something is badly wrong.
  if (!done.ok) throw new RetriableError("Could not save the connection; try again.");
  return record;
}

/** The stored connection (secrets sealed), or undefined when `tenant` has none with `id`. */
export async function getConnection(
  kv: Deno.Kv,
  tenant: string,
  id: string,
): Promise<ConnectionRecord | undefined> {
  return (await kv.get<ConnectionRecord>(connectionKeys.connection(tenant, id))).value ?? undefined;
}

/** Every connection of `tenant`, by name. */
export async function listConnections(kv: Deno.Kv, tenant: string): Promise<ConnectionRecord[]> {
  const entries = await Array.fromAsync(
    kv.list<ConnectionRecord>({ prefix: connectionKeys.connections(tenant) }),
  );
  return entries.map((e) => e.value).sort((a, b) =>
    a.name.localeCompare(b.name) || a.createdAt.localeCompare(b.createdAt)
  );
}

/**
 * The pipeline step of `record` (`{ type, ...config }`) with its secrets opened. For use inside
 * the server only: never put the answer in a response, a log, a run record or a manifest.
 */
export async function openRecord(
  vault: Vault,
  tenant: string,
  record: ConnectionRecord,
): Promise<Record<string, unknown>> {
  const config = await vault.openFields(tenant, record.config, secretNames(record));
  return { type: record.type, ...config };
}

/**
 * The saved connection's pipeline step (`{ type, ...config }`) with its secrets opened, or
 * undefined when `tenant` has none with `id`. For use inside the server only (connection tests,
 * runs resolving `source.connection`); a VaultError when a secret cannot be opened.
 */
export async function openConnection(
  kv: Deno.Kv,
  vault: Vault,
  tenant: string,
  id: string,
): Promise<Record<string, unknown> | undefined> {
  const record = await getConnection(kv, tenant, id);
  return record && await openRecord(vault, tenant, record);
}

/** `record` as answers show it: every secret that is set as `MASK`, other settings as they are. */
export function maskedConnection(record: ConnectionRecord): ConnectionRecord {
  return { ...record, config: mask(record.config, secretNames(record)) };
}

function changedFields(before: ConnectionRecord, after: ConnectionRecord): string[] {
  const out = before.name === after.name ? [] : ["name"];
  const keys = new Set([...Object.keys(before.config), ...Object.keys(after.config)]);
  for (const key of [...keys].sort()) {
    if (JSON.stringify(before.config[key]) !== JSON.stringify(after.config[key])) {
      out.push(`config.${key}`);
    }
  }
  return out;
}

/**
 * Rename a connection and/or replace its settings. `change.config` is the whole new settings,
 * as an edit form sends them; a secret in it that is missing, empty or still the mask keeps its
 * stored sealed value (vault `keepSecrets`), `null` removes it, and new text is sealed. The
 * merged settings are checked again with the secrets opened; a ConfigError lists every problem
 * and nothing changes. Undefined when `tenant` has no connection `id`.
 */
export async function updateConnection(
  kv: Deno.Kv,
  vault: Vault,
  tenant: string,
  id: string,
  change: unknown,
): Promise<ConnectionUpdate | undefined> {
  const { name, config } = checkChange(change);
  const key = connectionKeys.connection(tenant, id);
  for (let attempt = 0; attempt < 3; attempt++) {
    const entry = await kv.get<ConnectionRecord>(key);
    const stored = entry.value;
    if (!stored) return undefined;
    const next: ConnectionRecord = { ...stored, updatedAt: new Date().toISOString() };
    if (name !== undefined) next.name = name;
    if (config !== undefined) next.config = await mergedConfig(vault, tenant, stored, config);
    const changed = changedFields(stored, next);
    if (changed.length === 0) return { connection: stored, changed };
    const done = await kv.atomic().check(entry).set(key, next).commit();
    if (done.ok) return { connection: next, changed };
  }
  throw new RetriableError("The connection was changed by someone else meanwhile; try again.");
}

async function mergedConfig(
  vault: Vault,
  tenant: string,
  stored: ConnectionRecord,
  edited: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const entry = connectionEntry(stored.kind, stored.type);
  if (!entry) {
    throw new ConfigError(
      `Connections of type "${stored.type}" can no longer be changed; make a new connection.`,
    );
  }
  const names = entry.secrets;
  refuse(
    names.filter((n) => isSealed(edited[n])).map((n) =>
      `config.${n}: type the secret itself as text, or leave it empty to keep the saved one`
    ),
  );
  const removed = names.filter((n) => edited[n] === null);
  const merged = keepSecrets(edited, stored.config, names);
  for (const n of removed) delete merged[n];
  refuse(configProblems(entry, await vault.openFields(tenant, merged, names)));
  return await vault.sealFields(tenant, merged, names);
}

/** Delete a connection; the deleted record, or undefined when `tenant` has none with `id`. */
export async function deleteConnection(
  kv: Deno.Kv,
  tenant: string,
  id: string,
): Promise<ConnectionRecord | undefined> {
  const key = connectionKeys.connection(tenant, id);
  for (let attempt = 0; attempt < 3; attempt++) {
    const entry = await kv.get<ConnectionRecord>(key);
    if (!entry.value) return undefined;
    if ((await kv.atomic().check(entry).delete(key).commit()).ok) return entry.value;
  }
  throw new RetriableError("The connection was changed by someone else meanwhile; try again.");
}
