/**
 * The deployment's vault from its settings: `MASTER_KEY` (or, on the embedded default, the
 * generated `master.key` beside the KV file) and `MASTER_KEY_PREVIOUS` during a rotation.
 * Production refuses to start without `MASTER_KEY`.
 * @module
 */
import type { Env } from "../config.ts";
import { loadMasterKey, type MasterKey, masterKeyFromSetting } from "./master_key.ts";
import { createVault, type Vault } from "./vault.ts";

/** Open the vault the settings describe, over `kv`, with the master key it uses. */
export async function vaultFromEnv(
  kv: Deno.Kv,
  env: Pick<Env, "KV_PATH" | "DEPLOYMENT" | "MASTER_KEY" | "MASTER_KEY_PREVIOUS">,
): Promise<{ vault: Vault; master: MasterKey }> {
  const master = await loadMasterKey({
    env: { MASTER_KEY: env.MASTER_KEY },
    mode: env.DEPLOYMENT,
    kvPath: env.KV_PATH,
  });
  const previous = await masterKeyFromSetting(env.MASTER_KEY_PREVIOUS, "MASTER_KEY_PREVIOUS");
  return { vault: createVault(kv, master, { previous }), master };
}
