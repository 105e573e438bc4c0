/**
 * The per-tenant audit log: sign-ins (and failures), member changes, connection changes (never
 * their secrets), pipeline changes, runs started (by whom or by which trigger) and downloads.
 * Append-only: entries are written under time-ordered ids with a "must not exist" check, and
 * nothing in the code base updates or deletes them.
 *
 * @example
 * ```ts
 * await recordAudit(kv, "clinic-a", { actor: "ana@clinic.org", action: "pipeline.created", target: id });
 * const { entries } = await listAudit(kv, "clinic-a", { limit: 50 });
 * ```
 * @module
 */
import { newRunId } from "../runs/run_id.ts";

/** What happened. */
export type AuditAction =
  | "signin.succeeded"
  | "signin.failed"
  | "signout"
  | "signup"
  | "member.invited"
  | "member.joined"
  | "member.role_changed"
  | "member.removed"
  | "token.created"
  | "token.revoked"
  | "connection.created"
  | "connection.updated"
  | "connection.deleted"
  | "connection.tested"
  | "pipeline.created"
  | "pipeline.updated"
  | "run.started"
  | "run.cancelled"
  | "download"
  | "settings.changed";

/** One entry as written. */
export interface AuditEntry {
  id: string;
  at: string;
  /** Who: a member's email, `token "<name>"`, `webhook`, `schedule`, or `unknown` for failures. */
  actor: string;
  action: AuditAction;
  /** The object concerned (pipeline, run, connection, member id), when there is one. */
  target?: string;
  /** A short plain sentence or small fields; callers never put secrets here. */
  detail?: Record<string, string | number | boolean | null>;
  /** The client address, for sign-ins. */
  ip?: string;
}

/** What callers give. */
export type AuditInput = Omit<AuditEntry, "id" | "at">;

/** KV keys of the audit log. */
export const auditKeys = {
  entries: (tenant: string): Deno.KvKey => ["tenants", tenant, "audit"],
  entry: (tenant: string, id: string): Deno.KvKey => ["tenants", tenant, "audit", id],
};

/** Append one entry to `tenant`'s audit log and return it. */
export async function recordAudit(
  kv: Deno.Kv,
  tenant: string,
  input: AuditInput,
  now: Date = new Date(),
): Promise<AuditEntry> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const entry: AuditEntry = { id: newRunId(now), at: now.toISOString(), ...input };
    const key = auditKeys.entry(tenant, entry.id);
    const done = await kv.atomic().check({ key, versionstamp: null }).set(key, entry).commit();
    if (done.ok) return entry;
  }
  throw new Error(`Could not write the audit log of tenant "${tenant}"`);
}

/** A page of `tenant`'s audit log, newest first; `next` continues it. */
export async function listAudit(
  kv: Deno.Kv,
  tenant: string,
  options: { limit?: number; cursor?: string } = {},
): Promise<{ entries: AuditEntry[]; next: string | null }> {
  const iter = kv.list<AuditEntry>({ prefix: auditKeys.entries(tenant) }, {
    reverse: true,
    limit: options.limit ?? 50,
    cursor: options.cursor,
  });
  const entries: AuditEntry[] = [];
  for await (const e of iter) entries.push(e.value);
  return { entries, next: entries.length === (options.limit ?? 50) ? iter.cursor : null };
}
