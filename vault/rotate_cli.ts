/**
 * Re-wrap every tenant's data key with a new master key:
 *
 * ```sh
 * deno run -A vault/rotate_cli.ts --new-key-file new.key [--old-key-file old.key]
 * ```
 *
 * The old key is `--old-key-file`, else the current one found as the portal finds it
 * (`MASTER_KEY`, else `master.key` beside `KV_PATH`; never generated here). Writes only the KV.
 * @module
 */
import { parseArgs } from "node:util";
import { readEnv } from "../config.ts";
import { userMessage } from "../etl/errors.ts";
import { tolerateLocks } from "../runs/kv_locks.ts";
import { loadMasterKey, readMasterKeyFile } from "./master_key.ts";
import { rotateMasterKey } from "./rotate.ts";

/** Run the rotation for command-line `args`; returns the exit code. */
export async function main(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { "new-key-file": { type: "string" }, "old-key-file": { type: "string" } },
  });
  const newFile = values["new-key-file"];
  if (!newFile) {
    console.error(
      "Usage: deno run -A vault/rotate_cli.ts --new-key-file <path> [--old-key-file <path>]",
    );
    return 2;
  }
  const env = readEnv();
  const kv = tolerateLocks(await Deno.openKv(env.KV_PATH));
  try {
    const oldFile = values["old-key-file"];
    const oldMaster = oldFile
      ? await readMasterKeyFile(oldFile)
      : await loadMasterKey({ kvPath: env.KV_PATH, generate: false });
    const newMaster = await readMasterKeyFile(newFile);
    const { tenants, skipped } = await rotateMasterKey(kv, oldMaster, newMaster);
    console.log(
      `Re-wrapped the data keys of ${tenants} tenant(s) from master key ${oldMaster.id} to ` +
        `${newMaster.id}; ${skipped} already on it. Keep MASTER_KEY=file:${newMaster.path} ` +
        "and drop the old key once every process runs with the new one.",
    );
    return 0;
  } catch (err) {
    console.error(userMessage(err));
    return 1;
  } finally {
    kv.close();
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
