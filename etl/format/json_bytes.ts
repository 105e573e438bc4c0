/**
 * JSON written straight to UTF-8 bytes, byte for byte what `JSON.stringify` and `TextEncoder`
 * give, without the intermediate string. Parts that many rows share and nobody changes (the
 * codings and extensions of FHIR presets) are registered with {@link shareJson}: their bytes
 * are made once and copied into every row that holds them. A FHIR Patient is mostly such parts,
 * so this writes one about three times faster than `JSON.stringify` plus `encodeInto`. A value
 * whose maker knows its shape can carry a writer of its own ({@link writeJsonWith}).
 * @module
 */

/** Registered parts and their JSON bytes (null until first written). */
const SHARED = new WeakMap<object, Uint8Array | null>();

const encoder = new TextEncoder();

/**
 * Register a part many rows share, so writers copy its JSON bytes instead of serializing it
 * again. The part must never change afterwards, nested arrays included (FHIR presets freeze
 * their shared parts' objects; mapped resources are read-only downstream).
 */
export function shareJson<T extends object>(part: T): T {
  if (!SHARED.has(part)) SHARED.set(part, null);
  return part;
}

/**
 * Writes one value whose shape its maker knows, or returns false to leave it to the general
 * path, which drops what the writer wrote and starts the value again.
 */
export type ShapeWriter<T> = (value: T, out: JsonBuffer) => boolean;

/**
 * The key under which a value names the writer of its own JSON (see {@link JsonWriterOf}). A
 * symbol: `JSON.stringify`, `for … in`, `Object.keys` and structured clones skip it.
 */
export const JSON_WRITER: unique symbol = Symbol("json writer");

/**
 * A value that names its own writer, and itself: a copy (`{ ...value, more }`) keeps the
 * writer but not the self-reference, so copies go the general way.
 */
export interface JsonWriterOf<T> {
  [JSON_WRITER]?: { writer: ShapeWriter<T>; of: T };
}

/**
 * Have `value` written by `writer`, which knows its keys, their order and their types, instead
 * of looking each up. Only for values built in one place and never changed afterwards (the
 * FHIR Patient mapper marks the resources it makes); the writer must write exactly what
 * `JSON.stringify` would, and tests of the maker compare the two.
 */
export function writeJsonWith<T extends object>(value: T, writer: ShapeWriter<T>): T {
  (value as JsonWriterOf<T>)[JSON_WRITER] = { writer, of: value };
  return value;
}

const OBJECT_PROTO = Object.prototype;
const ARRAY_PROTO = Array.prototype;
const MAX_DEPTH = 64;
const HEX = [..."0123456789abcdef"].map((c) => c.charCodeAt(0));

/**
 * Whether no one added enumerable or `toJSON` members to the prototypes plain values inherit:
 * the fast path reads own keys with `for … in` and does not look for `toJSON`.
 */
function prototypesPlain(): boolean {
  for (const _ in OBJECT_PROTO) return false;
  for (const _ in ARRAY_PROTO) return false;
  return !("toJSON" in OBJECT_PROTO) && !("toJSON" in ARRAY_PROTO);
}

/**
 * A growing byte buffer that JSON values and text are appended to; `bytes()` hands out what was
 * written and starts over (the bytes stay valid until the next append).
 */
export class JsonBuffer {
  #buf = new Uint8Array(1 << 16);
  #pos = 0;
  #plain = true;

  /** Check, once per batch, that the fast path may be used (see {@link prototypesPlain}). */
  begin(): void {
    this.#plain = prototypesPlain();
  }

  /**
   * Append `value` as `JSON.stringify(value)` would write it (`undefined` for values it skips,
   * as string concatenation would). Plain objects, arrays and scalars take the fast path;
   * anything else (Dates, `toJSON`, class instances, bigints, cycles) is handed whole to
   * `JSON.stringify`, so its results and errors stay the same.
   */
  json(value: unknown): void {
    const start = this.#pos;
    if (this.#plain) {
      const own = typeof value === "object" && value !== null
        ? (value as JsonWriterOf<unknown>)[JSON_WRITER]
        : undefined;
      if (own !== undefined && own.of === value) {
        if (own.writer(value, this)) return;
        this.#pos = start;
      }
      if (this.#value(value, 0)) return;
    }
    this.#pos = start;
    this.text(String(JSON.stringify(value)));
  }

  /** Append `text` as UTF-8. */
  text(text: string): void {
    this.#reserve(text.length + 16);
    let { read, written } = encoder.encodeInto(text, this.#buf.subarray(this.#pos));
    if (read < text.length) {
      this.#reserve(text.length * 3);
      ({ written } = encoder.encodeInto(text, this.#buf.subarray(this.#pos)));
    }
    this.#pos += written;
  }

  /** Append bytes made beforehand (a {@link ShapeWriter}'s keys and punctuation). */
  raw(bytes: Uint8Array): void {
    const n = bytes.length;
    this.#reserve(n);
    const buf = this.#buf;
    let p = this.#pos;
    // A loop: most such bytes are a few keys long, where `set` costs more than it saves.
    for (let i = 0; i < n; i++) buf[p++] = bytes[i];
    this.#pos = p;
  }

  /** Append a JSON string literal (for a {@link ShapeWriter}). */
  string(s: string): void {
    this.#string(s);
  }

  /**
   * Append any value on the general path (for a {@link ShapeWriter}'s parts of no fixed
   * shape); false when it needs `JSON.stringify`, and the writer should then give up.
   */
  value(v: unknown): boolean {
    return this.#value(v, 1);
  }

  /** Append one ASCII byte (a separator such as `\n` or `,`). */
  byte(b: number): void {
    this.#reserve(1);
    this.#buf[this.#pos++] = b;
  }

  /** What was appended, valid until the next call; the buffer starts empty again. */
  bytes(): Uint8Array {
    const out = this.#buf.subarray(0, this.#pos);
    this.#pos = 0;
    return out;
  }

  #reserve(more: number): void {
    if (this.#buf.length - this.#pos >= more) return;
    const next = new Uint8Array(Math.max(this.#pos + more, this.#buf.length * 2));
    next.set(this.#buf.subarray(0, this.#pos));
    this.#buf = next;
  }

  #ascii(s: string): void {
    const n = s.length;
    this.#reserve(n);
    const buf = this.#buf;
    let p = this.#pos;
    for (let i = 0; i < n; i++) buf[p++] = s.charCodeAt(i);
    this.#pos = p;
  }

  /** False when the value needs `JSON.stringify` itself; the caller then rewinds. */
  #value(v: unknown, depth: number): boolean {
    switch (typeof v) {
      case "string":
        this.#string(v);
        return true;
      case "number":
        this.#ascii(Number.isFinite(v) ? "" + v : "null");
        return true;
      case "boolean":
        this.#ascii(v ? "true" : "false");
        return true;
      case "object":
        if (v === null) {
          this.#ascii("null");
          return true;
        }
        return depth < MAX_DEPTH && this.#object(v, depth);
      default:
        return false;
    }
  }

  #object(v: object, depth: number): boolean {
    const shared = SHARED.get(v);
    if (shared !== undefined) {
      const bytes = shared ?? this.#share(v);
      this.#reserve(bytes.length);
      this.#buf.set(bytes, this.#pos);
      this.#pos += bytes.length;
      return true;
    }
    if (Array.isArray(v)) {
      if (Object.getPrototypeOf(v) !== ARRAY_PROTO || Object.hasOwn(v, "toJSON")) return false;
      this.byte(91); // [
      for (let i = 0; i < v.length; i++) {
        if (i > 0) this.byte(44);
        const item = v[i];
        const t = typeof item;
        if (t === "undefined" || t === "function" || t === "symbol") this.#ascii("null");
        else if (!this.#value(item, depth + 1)) return false;
      }
      this.byte(93); // ]
      return true;
    }
    const proto = Object.getPrototypeOf(v);
    if (proto !== OBJECT_PROTO && proto !== null) return false;
    const o = v as Record<string, unknown>;
    this.byte(123); // {
    let first = true;
    for (const key in o) {
      if (key === "toJSON") return false;
      const item = o[key];
      const t = typeof item;
      if (t === "undefined" || t === "function" || t === "symbol") continue;
      if (!first) this.byte(44);
      first = false;
      this.#string(key);
      this.byte(58); // :
      if (!this.#value(item, depth + 1)) return false;
    }
    this.byte(125); // }
    return true;
  }

  #share(v: object): Uint8Array {
    const bytes = encoder.encode(JSON.stringify(v));
    SHARED.set(v, bytes);
    return bytes;
  }

  /** A JSON string literal: escapes as `JSON.stringify` makes them, lone surrogates included. */
  #string(s: string): void {
    const n = s.length;
    this.#reserve(n * 6 + 2);
    const buf = this.#buf;
    let p = this.#pos;
    buf[p++] = 34;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) {
        if (c >= 0x20 && c !== 34 && c !== 92) {
          buf[p++] = c;
          continue;
        }
        buf[p++] = 92; // backslash
        if (c === 34 || c === 92) buf[p++] = c;
        else if (c === 10) buf[p++] = 110; // n
        else if (c === 13) buf[p++] = 114; // r
        else if (c === 9) buf[p++] = 116; // t
        else if (c === 8) buf[p++] = 98; // b
        else if (c === 12) buf[p++] = 102; // f
        else p = unicodeEscape(buf, p, c);
      } else if (c < 0x800) {
        buf[p++] = 0xc0 | (c >> 6);
        buf[p++] = 0x80 | (c & 63);
      } else if (c < 0xd800 || c >= 0xe000) {
        buf[p++] = 0xe0 | (c >> 12);
        buf[p++] = 0x80 | ((c >> 6) & 63);
        buf[p++] = 0x80 | (c & 63);
      } else {
        const d = c < 0xdc00 && i + 1 < n ? s.charCodeAt(i + 1) : 0;
        if (d >= 0xdc00 && d < 0xe000) {
          const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          buf[p++] = 0xf0 | (cp >> 18);
          buf[p++] = 0x80 | ((cp >> 12) & 63);
          buf[p++] = 0x80 | ((cp >> 6) & 63);
          buf[p++] = 0x80 | (cp & 63);
          i++;
        } else {
          buf[p++] = 92;
          p = unicodeEscape(buf, p, c); // a lone surrogate, as well-formed JSON.stringify does
        }
      }
    }
    buf[p++] = 34;
    this.#pos = p;
  }
}

/** `uXXXX` (the backslash is already written), lowercase as V8 writes it. */
function unicodeEscape(buf: Uint8Array, p: number, c: number): number {
  buf[p++] = 117; // u
  buf[p++] = HEX[(c >> 12) & 15];
  buf[p++] = HEX[(c >> 8) & 15];
  buf[p++] = HEX[(c >> 4) & 15];
  buf[p++] = HEX[c & 15];
  return p;
}
