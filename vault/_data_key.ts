/**
 * Tenants' data keys: one random AES-256-GCM key per tenant, stored only wrapped (AES-GCM under
 * the master key, the tenant id as additional data) with the id of the master key that wrapped it.
 * An index `["system", "vault_tenants", tenant]` written in the same commit lets rotation list
 * every tenant that has one.
 * @module
 */
import { fromBase64, toBase64, utf8 } from "./_codec.ts";
import { RetriableError } from "../etl/errors.ts";
import { VaultError } from "./errors.ts";
import type { MasterKey } from "./master_key.ts";

/** The stored, wrapped data key of one tenant. */
export interface DataKeyRecord {
  /** base64 of the 12-byte IV followed by the AES-GCM-wrapped raw key. */
  wrapped: string;
  /** {@link MasterKey.id} of the master key that wrapped it. */
  masterId: string;
  /** When the data key was made (ISO 8601). */
  createdAt: string;
  /** When it was last wrapped again by a master key rotation (ISO 8601). */
  rotatedAt?: string;
}

/** KV keys of the vault. */
export const vaultKeys = {
  dataKey: (tenant: string): Deno.KvKey => ["tenants", tenant, "vault", "data_key"],
  index: (tenant: string): Deno.KvKey => ["system", "vault_tenants", tenant],
  indexPrefix: ["system", "vault_tenants"] as Deno.KvKey,
};

const aad = (tenant: string) => utf8(JSON.stringify(["pyxgen-vault", "data_key", tenant]));

/** Wrap `dataKey` (extractable) for `tenant` under `master`. */
export async function wrapDataKey(
  dataKey: CryptoKey,
  master: MasterKey,
  tenant: string,
  createdAt: string,
): Promise<DataKeyRecord> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const params = { name: "AES-GCM", iv, additionalData: aad(tenant) };
  const body = new Uint8Array(await crypto.subtle.wrapKey("raw", dataKey, master.key, params));
  const wrapped = new Uint8Array(12 + body.length);
  wrapped.set(iv);
  wrapped.set(body, 12);
  return { wrapped: toBase64(wrapped), masterId: master.id, createdAt };
}

/**
 * Unwrap `record` with whichever of `masters` wrapped it. `extractable` only for rotation,
 * which must wrap it again. Throws a VaultError naming the tenant and the master key ids only.
 */
export async function unwrapDataKey(
  record: DataKeyRecord,
  masters: MasterKey[],
  tenant: string,
  extractable = false,
): Promise<CryptoKey> {
  const master = masters.find((m) => m.id === record.masterId);
  if (!master) {
    throw new VaultError(
      `The data key of tenant "${tenant}" is wrapped with master key ${record.masterId}, but only ` +
        `${masters.map((m) => m.id).join(" and ")} is loaded; set MASTER_KEY (or ` +
        "MASTER_KEY_PREVIOUS during a rotation) to that key",
    );
  }
  try {
    const bytes = fromBase64(record.wrapped);
    const params = { name: "AES-GCM", iv: bytes.slice(0, 12), additionalData: aad(tenant) };
    const usages: KeyUsage[] = ["encrypt", "decrypt"];
    return await crypto.subtle.unwrapKey(
      "raw",
      bytes.slice(12),
      master.key,
      params,
      "AES-GCM",
      extractable,
      usages,
    );
  } catch {
    throw new VaultError(
      `The data key of tenant "${tenant}" could not be unwrapped with master key ${master.id}: ` +
        "the stored key was changed or copied from another tenant",
    );
  }
}

/**
 * The tenant's data key, made on first use when `create` (else a VaultError). Race-safe: the create commit checks that no key
 * exists yet, and a loser of the race reads and uses the winner's key.
 */
export async function getOrCreateDataKey(
  kv: Deno.Kv,
  tenant: string,
  masters: [current: MasterKey, ...others: MasterKey[]],
  create = true,
): Promise<CryptoKey> {
  const key = vaultKeys.dataKey(tenant);
  for (let attempt = 0; attempt < 5; attempt++) {
    const entry = await kv.get<DataKeyRecord>(key);
    if (entry.value) return await unwrapDataKey(entry.value, masters, tenant);
    if (!create) {
      throw new VaultError(
        `Tenant "${tenant}" has no data key, so its stored secrets cannot be decrypted; ` +
          "was the KV data restored without it?",
      );
    }
    const fresh = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, true, [
      "encrypt",
      "decrypt",
    ]);
    const createdAt = new Date().toISOString();
    const record = await wrapDataKey(fresh, masters[0], tenant, createdAt);
    const done = await kv.atomic().check({ key, versionstamp: null }).set(key, record)
      .set(vaultKeys.index(tenant), { createdAt }).commit();
    if (done.ok) return await unwrapDataKey(record, masters, tenant);
  }
  throw new RetriableError(
    `Could not store a data key for tenant "${tenant}" after 5 tries; try again`,
  );
}
