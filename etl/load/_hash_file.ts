/**
 * SHA-256 of a whole file, read back in large chunks: for outputs whose hash could not be kept
 * while they were written (resumed in steps, or staged and uploaded later).
 * @module
 */
import { createHash, type Hash } from "node:crypto";

/** Chunk size of the read-back. */
const HASH_CHUNK = 4 * 1024 * 1024;

/**
 * Hash the file at `path`; returns the hash (not yet digested) and the bytes read.
 *
 * @example
 * ```ts
 * const { hash, bytes } = await hashFile("out/Patient.ndjson");
 * const checksum = `sha256:${hash.digest("hex")}`;
 * ```
 */
export async function hashFile(path: string): Promise<{ hash: Hash; bytes: number }> {
  const hash = createHash("sha256");
  const buffer = new Uint8Array(HASH_CHUNK);
  let bytes = 0;
  using file = await Deno.open(path, { read: true });
  for (;;) {
    const n = await file.read(buffer);
    if (n === null) break;
    hash.update(buffer.subarray(0, n));
    bytes += n;
  }
  return { hash, bytes };
}
