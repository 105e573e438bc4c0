/**
 * SHA-256 of a whole file, read back on a helper thread: for outputs whose hash could not be kept
 * while they were written (resumed in steps, or staged and uploaded later).
 * @module
 */
import { hashFileOnThread } from "../hash_thread.ts";

/**
 * Hash the file at `path`; returns the hex SHA-256 and the bytes read.
 *
 * @example
 * ```ts
 * const { hex, bytes } = await hashFile("out/Patient.ndjson");
 * const checksum = `sha256:${hex}`;
 * ```
 */
export async function hashFile(path: string): Promise<{ hex: string; bytes: number }> {
  const { sha256, size } = await hashFileOnThread(path);
  return { hex: sha256, bytes: size };
}
