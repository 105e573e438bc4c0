/**
 * Testing a saved connection and listing its tables with `etl/connections.ts`, which parses the
 * entry's full schema. A saved connection leaves out what each pipeline reads or writes, so the
 * step gets stand-ins for those fields; the entries' `test` and `catalog` only connect (a
 * database `SELECT VERSION()` or catalog query, a FHIR server's `/metadata`, an S3 listing), so
 * the stand-ins are never read from or written to.
 * @module
 */
import { z } from "zod";
import {
  type ConnectionAnswer,
  connectionContext,
  listCatalog,
  testConnection,
} from "../etl/connections.ts";
import type { CatalogTable } from "../etl/types.ts";
import { MASK } from "../vault/fields.ts";
import type { Vault } from "../vault/vault.ts";
import { type ConnectionRecord, openRecord, secretNames } from "./store.ts";
import { connectionEntry, type ConnectionKind } from "./validate.ts";

/** What {@link listSavedTables} answers. */
export type TablesAnswer = { ok: true; tables: CatalogTable[] } | { ok: false; message: string };

/** Options of {@link testSavedConnection} and {@link listSavedTables}. */
export interface ProbeOptions {
  /** Whether private, loopback and link-local addresses may be reached (the deployment's rule). */
  allowPrivateNetwork: boolean;
}

/**
 * `step` with stand-ins for the fields a pipeline sets and the connection left out: a database
 * source gets `query: "SELECT 1"` when it has neither table nor query, a database repository a
 * table name, a FHIR server source a resource type.
 */
export function probeStep(
  kind: ConnectionKind,
  step: Record<string, unknown>,
): Record<string, unknown> {
  const entry = connectionEntry(kind, String(step.type));
  const shape = entry?.config instanceof z.ZodObject ? entry.config.shape : {};
  const has = (field: string) => field in shape;
  const unset = (field: string) => has(field) && step[field] === undefined;
  const out = { ...step };
  if (kind === "source" && unset("table") && unset("query")) out.query = "SELECT 1";
  if (kind === "repository" && unset("table")) out.table = "pyxgen_connection_test";
  if (unset("resourceType")) out.resourceType = "Patient";
  return out;
}

/**
 * `message` with every secret value (as typed and URL-encoded) replaced by the mask. The entries
 * already keep secrets out of their messages; this is the second line of defence. Values
 * shorter than 4 characters are left, or every message would be mangled.
 */
export function redactSecrets(message: string, secrets: readonly unknown[]): string {
  let out = message;
  for (const secret of secrets) {
    if (typeof secret !== "string" || secret.length < 4) continue;
    out = out.replaceAll(secret, MASK).replaceAll(encodeURIComponent(secret), MASK);
  }
  return out;
}

async function opened(vault: Vault, tenant: string, record: ConnectionRecord) {
  const step = await openRecord(vault, tenant, record);
  return { step: probeStep(record.kind, step), secrets: secretNames(record).map((n) => step[n]) };
}

/** "Test connection" for a saved connection: always an answer with a sentence, never a secret. */
export async function testSavedConnection(
  vault: Vault,
  tenant: string,
  record: ConnectionRecord,
  options: ProbeOptions,
): Promise<ConnectionAnswer> {
  const { step, secrets } = await opened(vault, tenant, record);
  const ctx = connectionContext({ allowPrivateNetwork: options.allowPrivateNetwork, tenant });
  const answer = await testConnection(record.kind, step, ctx);
  return { ok: answer.ok, message: redactSecrets(answer.message, secrets) };
}

/** The tables (and columns) a saved source connection can read. */
export async function listSavedTables(
  vault: Vault,
  tenant: string,
  record: ConnectionRecord,
  options: ProbeOptions,
): Promise<TablesAnswer> {
  if (record.kind !== "source") {
    return {
      ok: false,
      message: `"${record.name}" is a repository; only sources have tables to list`,
    };
  }
  const { step, secrets } = await opened(vault, tenant, record);
  const ctx = connectionContext({ allowPrivateNetwork: options.allowPrivateNetwork, tenant });
  const answer = await listCatalog(step, ctx);
  return answer.ok ? answer : { ok: false, message: redactSecrets(answer.message, secrets) };
}
