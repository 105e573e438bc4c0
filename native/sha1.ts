/**
 * SHA-1's block function from OpenSSL's libcrypto, for the name-based UUIDs of
 * `fhir/uuid5.ts`: ~50 ns a block through FFI against ~500 ns in TypeScript on these machines,
 * a tenth of an Immunization conversion. `fhir/uuid5.ts` pads the message and formats the
 * result itself, and keeps its TypeScript block function where libcrypto cannot be used.
 * @module
 */
import { openLibrary } from "./ffi.ts";

const SYMBOLS = {
  SHA1_Transform: { parameters: ["buffer", "buffer"], result: "void" },
} as const;

/**
 * SHA-1's state: five 32-bit words, `h0`…`h4` of OpenSSL's `SHA_CTX` (native byte order, in
 * the first 20 of its 96 bytes). Read and set them through `words`.
 */
export interface Sha1State {
  words: Int32Array;
  /** Mix one 64-byte block (a view of exactly 64 bytes) into the state. */
  compress(block: Uint8Array): void;
}

/**
 * A SHA-1 state whose block function is libcrypto's, or null where it cannot be used (see
 * `ffi.ts`).
 *
 * @example
 * ```ts
 * const sha1 = nativeSha1();
 * if (sha1) {
 *   sha1.words.set([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0]);
 *   sha1.compress(paddedBlock);
 * }
 * ```
 */
export function nativeSha1(): Sha1State | null {
  const lib = openLibrary(["libcrypto.so.3"], SYMBOLS);
  if (!lib) return null;
  const context = new Uint8Array(128); // SHA_CTX is 96 bytes
  const transform = lib.SHA1_Transform;
  return {
    words: new Int32Array(context.buffer, 0, 5),
    compress: (block) => transform(context, block),
  };
}
