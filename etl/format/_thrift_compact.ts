/**
 * Thrift compact protocol as a generic tree: a struct is decoded into its fields by id and type,
 * without a schema, and encoded back byte for byte. Parquet footers are Thrift structs; reading
 * them generically means a field this code does not know (a newer writer's statistics, say)
 * survives a rewrite untouched.
 * @module
 */

/** Compact-protocol type codes (BOOL_TRUE/BOOL_FALSE collapse into {@link T.BOOL}). */
export const T = {
  BOOL: 1,
  BYTE: 3,
  I16: 4,
  I32: 5,
  I64: 6,
  DOUBLE: 7,
  BINARY: 8,
  LIST: 9,
  SET: 10,
  MAP: 11,
  STRUCT: 12,
} as const;

/** A decoded value: numbers for byte/i16/i32/double, bigint for i64, bytes for binary. */
export type ThriftValue =
  | boolean
  | number
  | bigint
  | Uint8Array
  | ThriftList
  | ThriftMap
  | ThriftStruct;

/** A list or set: the element type (bools: 1 or 2, as read) and the elements. */
export interface ThriftList {
  kind: "list";
  elementType: number;
  set: boolean;
  items: ThriftValue[];
}

/** A map: key and value types and the entries in their order. */
export interface ThriftMap {
  kind: "map";
  keyType: number;
  valueType: number;
  entries: [ThriftValue, ThriftValue][];
}

/** One field of a struct. */
export interface ThriftField {
  id: number;
  type: number;
  value: ThriftValue;
}

/** A struct: its fields in the order they were read. */
export interface ThriftStruct {
  kind: "struct";
  fields: ThriftField[];
}

/** Deeper nesting than any Parquet footer: a corrupt input stops here, not in a stack overflow. */
const MAX_DEPTH = 64;

/** Reads a compact-protocol struct starting at `offset`; `end` is where it stopped. */
export function decodeStruct(bytes: Uint8Array, offset = 0): { value: ThriftStruct; end: number } {
  const reader = new Reader(bytes, offset);
  const value = reader.struct(0);
  return { value, end: reader.at };
}

/** Encodes a struct (as read by {@link decodeStruct}, possibly changed) in the compact protocol. */
export function encodeStruct(value: ThriftStruct): Uint8Array {
  const writer = new Writer();
  writer.struct(value);
  return writer.bytes();
}

/**
 * One top-level integer field of the struct at `offset`, reading only the fields before it
 * (a Parquet footer's `num_rows` without decoding every row group). Undefined when missing.
 */
export function readIntegerField(
  bytes: Uint8Array,
  offset: number,
  id: number,
): bigint | undefined {
  const reader = new Reader(bytes, offset);
  let last = 0;
  for (;;) {
    const header = reader.byte();
    if (header === 0) return undefined;
    const delta = header >> 4;
    const code = header & 0x0f;
    const at = delta === 0 ? Number(reader.zigzag()) : last + delta;
    last = at;
    if (at === id && (code === T.I16 || code === T.I32 || code === T.I64)) return reader.zigzag();
    if (code !== 1 && code !== 2) reader.value(code, 1);
    if (at > id) return undefined;
  }
}

/** The field with this id, if the struct has it. */
export function field(struct: ThriftStruct, id: number): ThriftField | undefined {
  return struct.fields.find((f) => f.id === id);
}

class Reader {
  at: number;
  constructor(readonly bytes: Uint8Array, offset: number) {
    this.at = offset;
  }

  byte(): number {
    if (this.at >= this.bytes.length) throw new Error("Thrift data ends in the middle of a value");
    return this.bytes[this.at++];
  }

  varint(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const b = this.byte();
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
    }
    throw new Error("Thrift varint is too long");
  }

  zigzag(): bigint {
    const n = this.varint();
    return (n >> 1n) ^ -(n & 1n);
  }

  struct(depth: number): ThriftStruct {
    if (depth > MAX_DEPTH) throw new Error("Thrift data is nested too deeply");
    const fields: ThriftField[] = [];
    let last = 0;
    for (;;) {
      const header = this.byte();
      if (header === 0) return { kind: "struct", fields };
      const delta = header >> 4;
      const code = header & 0x0f;
      const id = delta === 0 ? Number(this.zigzag()) : last + delta;
      last = id;
      if (code === 1 || code === 2) fields.push({ id, type: T.BOOL, value: code === 1 });
      else fields.push({ id, type: code, value: this.value(code, depth + 1) });
    }
  }

  value(type: number, depth: number): ThriftValue {
    switch (type) {
      case T.BOOL:
      case 2:
        return this.byte() === 1;
      case T.BYTE: {
        const b = this.byte();
        return b > 127 ? b - 256 : b;
      }
      case T.I16:
      case T.I32:
        return Number(this.zigzag());
      case T.I64:
        return this.zigzag();
      case T.DOUBLE: {
        const slice = this.take(8);
        return new DataView(slice.buffer, slice.byteOffset, 8).getFloat64(0, true);
      }
      case T.BINARY:
        return this.take(Number(this.varint()));
      case T.LIST:
      case T.SET: {
        const header = this.byte();
        const size = header >> 4 === 15 ? Number(this.varint()) : header >> 4;
        // Bool elements may say 1 or 2 (arrow-rs writes 2): kept, so the bytes come back equal.
        const elementType = header & 0x0f;
        const items: ThriftValue[] = [];
        for (let i = 0; i < size; i++) items.push(this.value(elementType, depth + 1));
        return { kind: "list", elementType, set: type === T.SET, items };
      }
      case T.MAP: {
        const size = Number(this.varint());
        if (size === 0) return { kind: "map", keyType: 0, valueType: 0, entries: [] };
        const types = this.byte();
        const keyType = types >> 4;
        const valueType = types & 0x0f;
        const entries: [ThriftValue, ThriftValue][] = [];
        for (let i = 0; i < size; i++) {
          entries.push([this.value(keyType, depth + 1), this.value(valueType, depth + 1)]);
        }
        return { kind: "map", keyType, valueType, entries };
      }
      case T.STRUCT:
        return this.struct(depth);
      default:
        throw new Error(`Unknown Thrift type ${type}`);
    }
  }

  take(length: number): Uint8Array {
    if (length < 0 || this.at + length > this.bytes.length) {
      throw new Error("Thrift data ends in the middle of a value");
    }
    const slice = this.bytes.subarray(this.at, this.at + length);
    this.at += length;
    return slice;
  }
}

class Writer {
  #chunks: number[] = [];
  #blobs: { at: number; bytes: Uint8Array }[] = [];

  bytes(): Uint8Array {
    const size = this.#chunks.length + this.#blobs.reduce((n, b) => n + b.bytes.length, 0);
    const out = new Uint8Array(size);
    let from = 0;
    let to = 0;
    for (const blob of this.#blobs) {
      out.set(this.#chunks.slice(from, blob.at), to);
      to += blob.at - from;
      from = blob.at;
      out.set(blob.bytes, to);
      to += blob.bytes.length;
    }
    out.set(this.#chunks.slice(from), to);
    return out;
  }

  varint(n: bigint): void {
    let v = BigInt.asUintN(64, n);
    while (v >= 0x80n) {
      this.#chunks.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.#chunks.push(Number(v));
  }

  zigzag(n: bigint): void {
    this.varint((n << 1n) ^ (n >> 63n));
  }

  struct(struct: ThriftStruct): void {
    let last = 0;
    for (const f of struct.fields) {
      const code = f.type === T.BOOL ? (f.value ? 1 : 2) : f.type;
      if (f.id > last && f.id - last <= 15) this.#chunks.push(((f.id - last) << 4) | code);
      else {
        this.#chunks.push(code);
        this.zigzag(BigInt(f.id));
      }
      last = f.id;
      if (f.type !== T.BOOL) this.value(f.type, f.value);
    }
    this.#chunks.push(0);
  }

  value(type: number, value: ThriftValue): void {
    switch (type) {
      case T.BOOL:
      case 2:
        // As Thrift's own libraries write them: 1 true, 2 false.
        this.#chunks.push(value ? 1 : 2);
        return;
      case T.BYTE:
        this.#chunks.push((value as number) & 0xff);
        return;
      case T.I16:
      case T.I32:
        this.zigzag(BigInt(value as number));
        return;
      case T.I64:
        this.zigzag(BigInt(value as bigint));
        return;
      case T.DOUBLE: {
        const b = new Uint8Array(8);
        new DataView(b.buffer).setFloat64(0, value as number, true);
        this.#chunks.push(...b);
        return;
      }
      case T.BINARY: {
        const bytes = value as Uint8Array;
        this.varint(BigInt(bytes.length));
        this.#blobs.push({ at: this.#chunks.length, bytes });
        return;
      }
      case T.LIST:
      case T.SET: {
        const list = value as ThriftList;
        const size = list.items.length;
        if (size < 15) this.#chunks.push((size << 4) | list.elementType);
        else {
          this.#chunks.push(0xf0 | list.elementType);
          this.varint(BigInt(size));
        }
        for (const item of list.items) this.value(list.elementType, item);
        return;
      }
      case T.MAP: {
        const map = value as ThriftMap;
        this.varint(BigInt(map.entries.length));
        if (map.entries.length === 0) return;
        this.#chunks.push((map.keyType << 4) | map.valueType);
        for (const [k, v] of map.entries) {
          this.value(map.keyType, k);
          this.value(map.valueType, v);
        }
        return;
      }
      case T.STRUCT:
        this.struct(value as ThriftStruct);
        return;
      default:
        throw new Error(`Unknown Thrift type ${type}`);
    }
  }
}
