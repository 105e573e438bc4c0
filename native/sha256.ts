/**
 * SHA-256 of a stream of chunks, hashed off the caller's thread where OpenSSL's libcrypto can
 * be used: each update runs on one of Deno's blocking threads while the run goes on making the
 * next chunks. Hashing 1.9 GB of Patient NDJSON with `node:crypto` took ~1 s of the run's own
 * thread (12% of it). Without libcrypto the same digest comes from `node:crypto`.
 * @module
 */
import { createHash } from "node:crypto";
import { openLibrary } from "./ffi.ts";

/** A running SHA-256. */
export interface StreamHash {
  /**
   * Add `bytes`. They must not change until the promise (if one is returned) settles, and the
   * next update must wait for it.
   */
  update(bytes: Uint8Array): Promise<void> | void;
  /** The hex digest of everything added (call once, after the last update settled). */
  digest(): string;
}

const SYMBOLS = {
  SHA256_Init: { parameters: ["buffer"], result: "i32" },
  SHA256_Update: { parameters: ["buffer", "buffer", "usize"], result: "i32", nonblocking: true },
  SHA256_Final: { parameters: ["buffer", "buffer"], result: "i32" },
} as const;

/** `SHA256_CTX` is 112 bytes; room to spare. */
const CONTEXT_BYTES = 256;

/**
 * A new running SHA-256: native where it can be, else `node:crypto`.
 *
 * @example
 * ```ts
 * const hash = sha256Stream();
 * await hash.update(new TextEncoder().encode("abc"));
 * hash.digest(); // "ba7816bf…"
 * ```
 */
export function sha256Stream(options: { native?: boolean } = {}): StreamHash {
  const lib = options.native === false ? null : openLibrary(["libcrypto.so.3"], SYMBOLS);
  if (!lib) {
    const hash = createHash("sha256");
    return {
      update: (bytes) => void hash.update(bytes),
      digest: () => hash.digest("hex"),
    };
  }
  const context = new Uint8Array(CONTEXT_BYTES);
  if (lib.SHA256_Init(context) !== 1) throw new Error("OpenSSL could not start a SHA-256");
  return {
    async update(bytes) {
      if (bytes.length === 0) return;
      if (await lib.SHA256_Update(context, bytes, BigInt(bytes.length)) !== 1) {
        throw new Error("OpenSSL could not hash the output");
      }
    },
    digest() {
      const md = new Uint8Array(32);
      lib.SHA256_Final(md, context);
      return Array.from(md, (b) => b.toString(16).padStart(2, "0")).join("");
    },
  };
}

/** Whether {@link sha256Stream} hashes natively here (for tests and the benchmark's notes). */
export function nativeSha256(): boolean {
  return openLibrary(["libcrypto.so.3"], SYMBOLS) !== null;
}
