/**
 * The credential vault: seals secrets with AES-256-GCM under a per-tenant data key, which is
 * stored only wrapped by the master key (see `master_key.ts`). A sealed value is
 * `v1.<iv>.<ciphertext>` (both base64url); the tenant id is authenticated with it, so a value
 * copied to another tenant does not open.
 * @module
 */
import { fromBase64Url, toBase64Url, utf8 } from "./_codec.ts";
import { getOrCreateDataKey } from "./_data_key.ts";
import { VaultError } from "./errors.ts";
import { mask, openFieldsWith, sealFieldsWith } from "./fields.ts";
import type { MasterKey } from "./master_key.ts";

/** Seals and opens tenants' secrets. */
export interface Vault {
  /** Id of the master key new data keys are wrapped with. */
  readonly masterId: string;
  /** Encrypt `plaintext` for `tenant`; a fresh IV each time. */
  seal(tenant: string, plaintext: string): Promise<string>;
  /** Decrypt a value sealed for `tenant`; a {@link VaultError} when it cannot. */
  open(tenant: string, sealed: string): Promise<string>;
  /** Seal the named secret fields of `config` (see `fields.ts`). */
  sealFields(
    tenant: string,
    config: Record<string, unknown>,
    secretNames: readonly string[],
  ): Promise<Record<string, unknown>>;
  /** Open the named sealed fields of `config`; for use inside the server only. */
  openFields(
    tenant: string,
    config: Record<string, unknown>,
    secretNames: readonly string[],
  ): Promise<Record<string, unknown>>;
  /** Replace the named secret fields with a mask, for pages and API answers. */
  mask(config: Record<string, unknown>, secretNames: readonly string[]): Record<string, unknown>;
}

/** Options of {@link createVault}. */
export interface VaultOptions {
  /** The master key before a rotation: data keys still wrapped with it keep opening. */
  previous?: MasterKey;
}

const aad = (tenant: string) => utf8(JSON.stringify(["pyxgen-vault", "v1", tenant]));

/**
 * A vault over `kv` with `master` as the current master key.
 *
 * @example
 * ```ts
 * const vault = createVault(kv, await loadMasterKey());
 * const sealed = await vault.seal("acme", "s3cret");
 * await vault.open("acme", sealed); // "s3cret"
 * const stored = await vault.sealFields("acme", { host: "db", password: "pw" }, ["password"]);
 * // stored.password is { $sealed: "v1.…" }
 * ```
 */
export function createVault(kv: Deno.Kv, master: MasterKey, options: VaultOptions = {}): Vault {
  const masters: [MasterKey, ...MasterKey[]] = options.previous
    ? [master, options.previous]
    : [master];
  const cache = new Map<string, Promise<CryptoKey>>();

  /** The tenant's data key, cached; only `seal` may create it (a cached failure is dropped). */
  function dataKey(tenant: string, create: boolean): Promise<CryptoKey> {
    if (typeof tenant !== "string" || tenant === "") {
      throw new TypeError(`The vault needs a tenant id; got ${JSON.stringify(tenant)}`);
    }
    const cached = cache.get(tenant);
    if (cached) return cached;
    const key = getOrCreateDataKey(kv, tenant, masters, create);
    if (create) {
      cache.set(tenant, key);
      key.catch(() => cache.get(tenant) === key && cache.delete(tenant));
    } else key.then((found) => cache.set(tenant, Promise.resolve(found)), () => {});
    return key;
  }

  async function seal(tenant: string, plaintext: string): Promise<string> {
    const key = await dataKey(tenant, true);
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const params = { name: "AES-GCM", iv, additionalData: aad(tenant) };
    const body = await crypto.subtle.encrypt(params, key, utf8(plaintext));
    return `v1.${toBase64Url(iv)}.${toBase64Url(new Uint8Array(body))}`;
  }

  async function open(tenant: string, sealed: string): Promise<string> {
    const key = await dataKey(tenant, false);
    const parts = typeof sealed === "string" ? sealed.split(".") : [];
    if (parts.length !== 3 || parts[0] !== "v1") {
      throw new VaultError(
        `A stored secret of tenant "${tenant}" is not a sealed value ` +
          "(expected v1.<iv>.<ciphertext>); seal it again by retyping it",
      );
    }
    try {
      const iv = fromBase64Url(parts[1]);
      if (iv.length !== 12) throw new TypeError("bad IV");
      const params = { name: "AES-GCM", iv, additionalData: aad(tenant) };
      const plain = await crypto.subtle.decrypt(params, key, fromBase64Url(parts[2]));
      return new TextDecoder("utf-8", { fatal: true }).decode(plain);
    } catch {
      throw new VaultError(
        `A stored secret of tenant "${tenant}" could not be decrypted: it was changed, or it ` +
          "belongs to another tenant, or the master key is not the one it was sealed with",
      );
    }
  }

  return {
    masterId: master.id,
    seal,
    open,
    sealFields: (tenant, config, names) => sealFieldsWith(config, names, (p) => seal(tenant, p)),
    openFields: (tenant, config, names) => openFieldsWith(config, names, (s) => open(tenant, s)),
    mask,
  };
}
