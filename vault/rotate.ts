/**
 * Master key rotation: every tenant's data key is unwrapped with the old master key and wrapped
 * again with the new one. The secrets themselves are not touched (they are sealed under the data
 * keys), so nothing is re-encrypted and no credential can be lost.
 * @module
 */
import { ConfigError } from "../etl/errors.ts";
import { type DataKeyRecord, unwrapDataKey, vaultKeys, wrapDataKey } from "./_data_key.ts";
import type { MasterKey } from "./master_key.ts";

/** What a rotation did. */
export interface RotationResult {
  /** Tenants whose data key was wrapped again with the new master key. */
  tenants: number;
  /** Tenants already wrapped with the new master key (a re-run, or made after the switch). */
  skipped: number;
}

/**
 * Wrap every tenant's data key with `newMaster` instead of `oldMaster`, one atomic commit per
 * tenant checked against the versionstamp read (a conflicting write is re-read and redone).
 * Idempotent: tenants already on `newMaster` are skipped, so a crashed rotation can be run again.
 * No downtime: run processes with the new key current and the old one as `previous`
 * (`createVault(kv, newMaster, { previous: oldMaster })`) while it runs.
 *
 * @example
 * ```ts
 * const { tenants, skipped } = await rotateMasterKey(kv, oldMaster, newMaster);
 * ```
 */
export async function rotateMasterKey(
  kv: Deno.Kv,
  oldMaster: MasterKey,
  newMaster: MasterKey,
): Promise<RotationResult> {
  if (oldMaster.id === newMaster.id) {
    throw new ConfigError(
      `The new master key is the one in use (id ${newMaster.id}); give a different key to rotate to`,
    );
  }
  const result: RotationResult = { tenants: 0, skipped: 0 };
  for await (const indexed of kv.list({ prefix: vaultKeys.indexPrefix })) {
    const tenant = String(indexed.key[indexed.key.length - 1]);
    result[await rotateTenant(kv, tenant, oldMaster, newMaster)]++;
  }
  return result;
}

async function rotateTenant(
  kv: Deno.Kv,
  tenant: string,
  oldMaster: MasterKey,
  newMaster: MasterKey,
): Promise<"tenants" | "skipped"> {
  const key = vaultKeys.dataKey(tenant);
  for (let attempt = 0; attempt < 10; attempt++) {
    const entry = await kv.get<DataKeyRecord>(key);
    if (!entry.value || entry.value.masterId === newMaster.id) return "skipped";
    const dataKey = await unwrapDataKey(entry.value, [oldMaster], tenant, true);
    const rewrapped = await wrapDataKey(dataKey, newMaster, tenant, entry.value.createdAt);
    const record: DataKeyRecord = { ...rewrapped, rotatedAt: new Date().toISOString() };
    const done = await kv.atomic().check(entry).set(key, record).commit();
    if (done.ok) return "tenants";
  }
  throw new Error(
    `The data key of tenant "${tenant}" kept changing during the rotation; run the rotation again`,
  );
}
