/**
 * Test helpers of the vault: random master keys and a scan of every stored KV value.
 * @module
 */
import { toBase64 } from "./_codec.ts";
import { type MasterKey, masterKeyFromSetting } from "./master_key.ts";

/** A fresh random master key, as if given in `MASTER_KEY`. */
export async function randomMasterKey(): Promise<MasterKey> {
  return (await masterKeyFromSetting(
    toBase64(crypto.getRandomValues(new Uint8Array(32))),
    "MASTER_KEY",
  ))!;
}

/** Every key and value in `kv` as one JSON text, to search for leaked secrets. */
export async function dumpKv(kv: Deno.Kv): Promise<string> {
  const lines: string[] = [];
  for await (const entry of kv.list({ prefix: [] })) {
    lines.push(JSON.stringify([entry.key, entry.value]));
  }
  return lines.join("\n");
}
