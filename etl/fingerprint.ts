/**
 * Input fingerprints for run manifests: size and SHA-256, streamed so big files stay cheap.
 * @module
 */
import { createHash } from "node:crypto";
import { resolveInside } from "./paths.ts";
import type { InputFingerprint } from "./types.ts";

/**
 * SHA-256 and size of a file, read through one reused 1 MiB buffer (a stream allocates a chunk
 * per read: 3.0 s and +72 MB on a 1.7 GB file, against 1.7 s and +6 MB this way).
 * `label` is what the manifest shows as path.
 */
export async function fingerprintFile(fullPath: string, label: string): Promise<InputFingerprint> {
  const hash = createHash("sha256");
  const buf = new Uint8Array(1 << 20);
  let size = 0;
  const file = await Deno.open(fullPath, { read: true });
  try {
    for (let n = await file.read(buf); n !== null; n = await file.read(buf)) {
      hash.update(buf.subarray(0, n));
      size += n;
    }
  } finally {
    file.close();
  }
  return { path: label, size, sha256: hash.digest("hex") };
}

/** Fingerprint of a file source's input: its path as the spec gives it, under the input root. */
export function fingerprintInput(inputRoot: string, path: string): Promise<InputFingerprint[]> {
  return fingerprintFile(resolveInside(inputRoot, path, "input file"), path).then((f) => [f]);
}
