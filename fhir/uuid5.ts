/**
 * Name-based UUIDs (RFC 9562 version 5: SHA-1 of namespace + UTF-8 name), computed
 * synchronously. `node:crypto` needs ~1.7 µs per hash under Deno, which would eat most of the
 * per-row budget; this reuses one buffer, pads and formats in TypeScript, and takes SHA-1's
 * block function from libcrypto where it can (~50 ns a block, `native/sha1.ts`), else from the
 * TypeScript one below (~500 ns). The result equals Python's `uuid.uuid5(namespace, name)`, so
 * ids can be checked anywhere.
 * @module
 */

import { nativeEpoch } from "../native/ffi.ts";
import { nativeSha1, type Sha1State } from "../native/sha1.ts";

const W = new Int32Array(80);
let buf = new Uint8Array(256);
/** 64-byte views of `buf`, one per block, made once per `buf` (for the native block function). */
let blocks: Uint8Array[] = [];

// libcrypto's block function where it can be used (see native/sha1.ts), looked up again after
// the native setting changed.
let sha1: Sha1State | null = null;
let sha1Epoch = 0;

/** The 16 bytes of a UUID written in its usual hex form. */
export function uuidBytes(uuid: string): Uint8Array {
  const hex = uuid.replaceAll("-", "");
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new Error(`Cannot parse "${uuid}": not a UUID`);
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Make room for `more` bytes after `p` (plus SHA-1 padding). */
function reserve(p: number, more: number): void {
  if (buf.length >= p + more + 72) return;
  const bigger = new Uint8Array((p + more + 72) * 2);
  bigger.set(buf.subarray(0, p));
  buf = bigger;
  blocks = [];
}

/** The 64 bytes of `buf` at `off`, as a view kept for the next calls. */
function blockAt(off: number): Uint8Array {
  const i = off >> 6;
  return blocks[i] ??= buf.subarray(off, off + 64);
}

/** Write `s` as UTF-8 at `p`; returns the position after it. */
function writeUtf8(s: string, p: number): number {
  reserve(p, s.length * 3);
  const b = buf;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) b[p++] = c;
    else if (c < 0x800) {
      b[p++] = 0xc0 | (c >> 6);
      b[p++] = 0x80 | (c & 63);
    } else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) {
        i++;
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        b[p++] = 0xf0 | (c >> 18);
        b[p++] = 0x80 | ((c >> 12) & 63);
        b[p++] = 0x80 | ((c >> 6) & 63);
        b[p++] = 0x80 | (c & 63);
        continue;
      }
      p = writeThree(0xfffd, p);
    } else if (c >= 0xd800 && c < 0xe000) p = writeThree(0xfffd, p);
    else p = writeThree(c, p);
  }
  return p;
}

function writeThree(c: number, p: number): number {
  buf[p++] = 0xe0 | (c >> 12);
  buf[p++] = 0x80 | ((c >> 6) & 63);
  buf[p++] = 0x80 | (c & 63);
  return p;
}

/**
 * The version-5 UUID of `name` in `namespace` (16 bytes, see {@link uuidBytes}).
 *
 * @example
 * ```ts
 * const ns = uuidBytes("6ba7b811-9dad-11d1-80b4-00c04fd430c8"); // RFC 9562 URL namespace
 * uuidV5(ns, "https://example.org"); // same as Python uuid.uuid5(uuid.NAMESPACE_URL, ...)
 * ```
 */
export function uuidV5(namespace: Uint8Array, name: string): string {
  forget();
  buf.set(namespace, 0);
  return digest(writeUtf8(name, 16), 0);
}

// What the last uuidV5Parts() call left in `buf`: its namespace, separator, parts and where each
// part's bytes end. Ids are made row by row with the same leading parts (type, patient id), so
// those bytes are written once, and when they fill SHA-1's first 64-byte block its result is
// kept too: an Immunization id then costs one compression instead of two.
let lastNamespace: Uint8Array | undefined;
let lastSeparator = "";
const lastParts: string[] = [];
const lastEnds: number[] = [];

function forget(): void {
  lastNamespace = undefined;
  lastParts.length = 0;
  firstBlockKept = false;
}

/**
 * {@link uuidV5} of the parts joined by `separator`, without building the joined string.
 *
 * @example
 * ```ts
 * uuidV5Parts(ns, ["a", "b"], "|") === uuidV5(ns, "a|b"); // true
 * ```
 */
export function uuidV5Parts(
  namespace: Uint8Array,
  parts: readonly string[],
  separator: string,
): string {
  let same = 0;
  if (namespace === lastNamespace && separator === lastSeparator) {
    const n = Math.min(parts.length, lastParts.length);
    while (same < n && parts[same] === lastParts[same]) same++;
  } else {
    forget();
    buf.set(namespace, 0);
    lastNamespace = namespace;
    lastSeparator = separator;
  }
  let p = same === 0 ? 16 : lastEnds[same - 1];
  const unchanged = p;
  for (let i = same; i < parts.length; i++) {
    if (i > 0) p = writeUtf8(separator, p);
    p = writeUtf8(parts[i], p);
    lastParts[i] = parts[i];
    lastEnds[i] = p;
  }
  lastParts.length = parts.length;
  lastEnds.length = parts.length;
  return digest(p, unchanged);
}

// SHA-1 state after the first block of the last message longer than one block.
let firstBlockKept = false;
let k0 = 0, k1 = 0, k2 = 0, k3 = 0, k4 = 0;

/**
 * SHA-1 of the `len` bytes in `buf`, formatted as a version-5 UUID. The first `unchanged` bytes
 * are those of the previous call: when they cover the first block, its kept state is reused.
 */
function digest(len: number, unchanged: number): string {
  const total = ((len + 8) >> 6) * 64 + 64;
  const bb = buf, w = W;
  bb[len] = 0x80;
  bb.fill(0, len + 1, total);
  const bits = len * 8;
  bb[total - 4] = bits >>> 24;
  bb[total - 3] = (bits >>> 16) & 255;
  bb[total - 2] = (bits >>> 8) & 255;
  bb[total - 1] = bits & 255;
  let h0 = 0x67452301,
    h1 = 0xefcdab89 | 0,
    h2 = 0x98badcfe | 0,
    h3 = 0x10325476,
    h4 = 0xc3d2e1f0 | 0;
  let off = 0;
  if (total > 64 && unchanged >= 64 && firstBlockKept) {
    h0 = k0, h1 = k1, h2 = k2, h3 = k3, h4 = k4;
    off = 64;
  }
  if (sha1Epoch !== nativeEpoch()) {
    sha1 = nativeSha1();
    sha1Epoch = nativeEpoch();
  }
  const native = sha1;
  if (native) {
    const s = native.words;
    s[0] = h0, s[1] = h1, s[2] = h2, s[3] = h3, s[4] = h4;
    for (; off < total; off += 64) {
      native.compress(blockAt(off));
      if (off === 0) {
        firstBlockKept = total > 64;
        k0 = s[0], k1 = s[1], k2 = s[2], k3 = s[3], k4 = s[4];
      }
    }
    h0 = s[0], h1 = s[1], h2 = s[2], h3 = s[3], h4 = s[4];
  }
  for (; off < total; off += 64) {
    for (let t = 0; t < 16; t++) {
      const q = off + t * 4;
      w[t] = (bb[q] << 24) | (bb[q + 1] << 16) | (bb[q + 2] << 8) | bb[q + 3];
    }
    for (let t = 16; t < 80; t++) {
      const x = w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16];
      w[t] = (x << 1) | (x >>> 31);
    }
    let a = h0, b = h1, c = h2, d = h3, e = h4;
    // Four loops instead of one branching loop, and every sum kept in int32: V8 then never
    // leaves integer arithmetic (about 30% faster than the textbook form).
    let t = 0;
    for (; t < 20; t++) {
      const f = (b & c) | (~b & d);
      const tmp = ((((a << 5) | (a >>> 27)) + f | 0) + ((e + 0x5a827999 | 0) + w[t] | 0)) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = tmp;
    }
    for (; t < 40; t++) {
      const tmp =
        ((((a << 5) | (a >>> 27)) + (b ^ c ^ d) | 0) + ((e + 0x6ed9eba1 | 0) + w[t] | 0)) |
        0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = tmp;
    }
    for (; t < 60; t++) {
      const f = (b & c) | (b & d) | (c & d);
      const tmp = ((((a << 5) | (a >>> 27)) + f | 0) + ((e - 0x70e44324 | 0) + w[t] | 0)) | 0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = tmp;
    }
    for (; t < 80; t++) {
      const tmp =
        ((((a << 5) | (a >>> 27)) + (b ^ c ^ d) | 0) + ((e - 0x359d3e2a | 0) + w[t] | 0)) |
        0;
      e = d;
      d = c;
      c = (b << 30) | (b >>> 2);
      b = a;
      a = tmp;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
    if (off === 0) {
      // Padding wrote past `len` only: a longer message keeps its first block intact.
      firstBlockKept = total > 64;
      k0 = h0, k1 = h1, k2 = h2, k3 = h3, k4 = h4;
    }
  }
  // Version 5 in the high nibble of byte 6, RFC variant in the top bits of byte 8.
  h1 = (h1 & ~0xf000) | 0x5000;
  h2 = (h2 & 0x3fffffff) | 0x80000000;
  hex(h0, 0, 8);
  out[8] = 45;
  hex(h1 >>> 16, 9, 4);
  out[13] = 45;
  hex(h1, 14, 4);
  out[18] = 45;
  hex(h2 >>> 16, 19, 4);
  out[23] = 45;
  hex(h2, 24, 4);
  hex(h3, 28, 8);
  // 36 arguments: about 2× faster than fromCharCode.apply() over the array.
  const o = out;
  return String.fromCharCode(
    o[0],
    o[1],
    o[2],
    o[3],
    o[4],
    o[5],
    o[6],
    o[7],
    o[8],
    o[9],
    o[10],
    o[11],
    o[12],
    o[13],
    o[14],
    o[15],
    o[16],
    o[17],
    o[18],
    o[19],
    o[20],
    o[21],
    o[22],
    o[23],
    o[24],
    o[25],
    o[26],
    o[27],
    o[28],
    o[29],
    o[30],
    o[31],
    o[32],
    o[33],
    o[34],
    o[35],
  );
}

const HEX_CHARS = new Uint16Array([..."0123456789abcdef"].map((c) => c.charCodeAt(0)));
const out = new Uint16Array(36);

/** The low `n` hex digits of `h` into `out` at `p`. */
function hex(h: number, p: number, n: number): void {
  for (let k = p + n - 1; k >= p; k--) {
    out[k] = HEX_CHARS[h & 15];
    h >>>= 4;
  }
}
