/**
 * Input fingerprints for run manifests: size and SHA-256, streamed so big files stay cheap.
 * @module
 */
import { createHash } from "node:crypto";
import { resolveInside } from "./paths.ts";
import type { InputFingerprint } from "./types.ts";

/** SHA-256 and size of a file, read in chunks. `label` is what the manifest shows as path. */
export async function fingerprintFile(fullPath: string, label: string): Promise<InputFingerprint> {
  const hash = createHash("sha256");
  let size = 0;
  const file = await Deno.open(fullPath, { read: true });
  // The readable stream closes the file when it ends or is cancelled.
  for await (const chunk of file.readable) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { path: label, size, sha256: hash.digest("hex") };
}

/** Fingerprint of a file source's input: its path as the spec gives it, under the input root. */
export function fingerprintInput(inputRoot: string, path: string): Promise<InputFingerprint[]> {
  return fingerprintFile(resolveInside(inputRoot, path, "input file"), path).then((f) => [f]);
}
