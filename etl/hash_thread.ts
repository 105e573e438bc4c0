/**
 * A file's SHA-256 computed off the run's thread, so a run can read and convert the same file
 * meanwhile: at ~1.9 GB/s (SHA-NI) the 1.7 GB immunizations file of the benchmark takes ~1.4 s
 * that no longer delay the run's start. Where libcrypto can be used (`native/sha256.ts`) the
 * reads and the hashing run on Deno's blocking threads; elsewhere on a Web Worker that lives
 * for one file (~16 MB while it runs).
 * @module
 */
import { nativeSha256, sha256Stream } from "../native/sha256.ts";
import type { HashReply, HashRequest } from "./_hash_worker.ts";

const CHUNK = 1 << 20;

const ENTRY = new URL("./_hash_worker.ts", import.meta.url);

/** The error the thread reported, as the class the caller would have seen on its own thread. */
function errorOf(name: string, message: string): Error {
  const classes = Deno.errors as unknown as Record<string, new (m: string) => Error>;
  return Object.hasOwn(classes, name) ? new classes[name](message) : new Error(message);
}

/**
 * SHA-256 and size of the file at `path`, read and hashed on a helper thread. Errors come back
 * as the classes `Deno.open` throws (`Deno.errors.NotFound`, …).
 *
 * @example
 * ```ts
 * const { sha256, size } = await hashFileOnThread("bench/out/1m/patients.csv");
 * ```
 */
export function hashFileOnThread(path: string): Promise<{ sha256: string; size: number }> {
  return nativeSha256() ? hashNatively(path) : hashOnWorker(path);
}

/** Two buffers: the next chunk is read while the last one is hashed. */
async function hashNatively(path: string): Promise<{ sha256: string; size: number }> {
  const hash = sha256Stream();
  const buffers = [new Uint8Array(CHUNK), new Uint8Array(CHUNK)];
  let size = 0;
  let hashing: Promise<void> | void = undefined;
  using file = await Deno.open(path, { read: true });
  try {
    for (let i = 0;; i++) {
      const buf = buffers[i & 1];
      const n = await file.read(buf);
      await hashing;
      if (n === null) break;
      hashing = hash.update(buf.subarray(0, n));
      size += n;
    }
  } finally {
    // A failed read must not leave a thread hashing a buffer nobody holds any more.
    await Promise.resolve(hashing).catch(() => {});
  }
  return { sha256: hash.digest(), size };
}

function hashOnWorker(path: string): Promise<{ sha256: string; size: number }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(ENTRY, { type: "module", name: "sha256" });
    worker.onmessage = (e: MessageEvent<HashReply>) => {
      worker.terminate();
      const reply = e.data;
      if (reply.type === "file") resolve({ sha256: reply.hex, size: reply.size });
      else reject(errorOf(reply.name, reply.message));
    };
    worker.onerror = (e) => {
      e.preventDefault();
      worker.terminate();
      reject(new Error(`The checksum thread stopped: ${e.message}`));
    };
    worker.postMessage({ path } satisfies HashRequest);
  });
}
