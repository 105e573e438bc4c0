/**
 * The credential vault: master key loading, sealing tenants' secrets, secret fields of configs,
 * and master key rotation.
 *
 * @example
 * ```ts
 * import { createVault, loadMasterKey } from "./vault/mod.ts";
 * const vault = createVault(kv, await loadMasterKey({ kvPath: env.KV_PATH }));
 * const stored = await vault.sealFields(tenant, input, entry.secrets);
 * ```
 * @module
 */
export { createVault, type Vault, type VaultOptions } from "./vault.ts";
export { VaultError } from "./errors.ts";
export { isSealed, keepSecrets, MASK, mask, type SealedField } from "./fields.ts";
export {
  defaultKeyFile,
  loadMasterKey,
  type LoadMasterKeyOptions,
  type MasterKey,
  masterKeyFromSetting,
  masterKeyNotice,
  readMasterKeyFile,
} from "./master_key.ts";
export { rotateMasterKey, type RotationResult } from "./rotate.ts";
