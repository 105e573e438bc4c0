/**
 * Input fingerprints for run manifests: size and SHA-256, streamed so big files stay cheap.
 * @module
 */
import { hashFileOnThread } from "./hash_thread.ts";
import { resolveInside } from "./paths.ts";
import type { InputFingerprint } from "./types.ts";

/**
 * SHA-256 and size of a file, read and hashed on a helper thread (see `hash_thread.ts`), so a
 * run that awaits it later can read and convert the same file meanwhile. `label` is what the
 * manifest shows as path.
 */
export async function fingerprintFile(fullPath: string, label: string): Promise<InputFingerprint> {
  const { sha256, size } = await hashFileOnThread(fullPath);
  return { path: label, size, sha256 };
}

/** Fingerprint of a file source's input: its path as the spec gives it, under the input root. */
export function fingerprintInput(inputRoot: string, path: string): Promise<InputFingerprint[]> {
  return fingerprintFile(resolveInside(inputRoot, path, "input file"), path).then((f) => [f]);
}
