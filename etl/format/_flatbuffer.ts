/**
 * A minimal FlatBuffers writer for the few Arrow IPC tables the Parquet path sends to
 * parquet-wasm. It writes front to back: a table's vtable, the table, then the objects its
 * fields point to (offsets in FlatBuffers only point forward, vtable offsets either way).
 * Enough for Arrow's `Message`, `Schema`, `Field` and `RecordBatch`; not a general library.
 * @module
 */

/** One field of a table: a scalar, a reference to an object written after it, or absent. */
export type Slot =
  | { kind: "u8" | "bool"; value: number | boolean }
  | { kind: "i16" | "i32"; value: number }
  | { kind: "i64"; value: number }
  | { kind: "ref"; write: (b: FlatWriter) => number }
  | undefined;

const SIZE = { u8: 1, bool: 1, i16: 2, i32: 4, i64: 8, ref: 4 } as const;

/**
 * A growing FlatBuffer. `root(write)` lays out the root object; objects are written by the
 * functions of `ref` slots, each returning its position.
 *
 * @example
 * ```ts
 * const b = new FlatWriter();
 * const bytes = b.root((b) => b.table([{ kind: "i32", value: 7 }]));
 * ```
 */
export class FlatWriter {
  #buf = new Uint8Array(512);
  #view = new DataView(this.#buf.buffer);
  #len = 0;

  /** The buffer with `write`'s object as root (uoffset at 0). */
  root(write: (b: FlatWriter) => number): Uint8Array {
    this.#len = 0;
    this.#room(8);
    this.#len = 8; // root offset, then padding so the root table lands 8-aligned
    const at = write(this);
    this.#view.setUint32(0, at, true);
    return this.#buf.slice(0, this.#len);
  }

  /** A table with these fields (field id = index); returns its position. */
  table(fields: Slot[]): number {
    // Inline layout after the 4-byte vtable offset: each field at a multiple of its size.
    const order = fields.map((f, id) => ({ f, id })).filter((x) => x.f !== undefined)
      .sort((a, b) => SIZE[b.f!.kind] - SIZE[a.f!.kind]);
    const place = new Array<number>(fields.length).fill(0);
    let size = 4;
    for (const { f, id } of order) {
      const n = SIZE[f!.kind];
      size = Math.ceil(size / n) * n;
      place[id] = size;
      size += n;
    }
    // vtable: its size, the table's size, each field's offset in the table (0: absent).
    this.#pad(2);
    const vtable = this.#len;
    this.#u16(4 + 2 * fields.length);
    this.#u16(size);
    for (const p of place) this.#u16(p);
    // The table starts 8-aligned, so each field at a multiple of its size is aligned too.
    this.#pad(8);
    const table = this.#len;
    this.#room(size);
    this.#buf.fill(0, table, table + size);
    this.#len = table + size;
    this.#view.setInt32(table, table - vtable, true);
    for (const { f, id } of order) {
      const at = table + place[id];
      const s = f!;
      if (s.kind === "u8" || s.kind === "bool") this.#view.setUint8(at, Number(s.value));
      else if (s.kind === "i16") this.#view.setInt16(at, s.value, true);
      else if (s.kind === "i32") this.#view.setInt32(at, s.value, true);
      else if (s.kind === "i64") this.#view.setBigInt64(at, BigInt(s.value), true);
    }
    for (const { f, id } of order) {
      if (f!.kind !== "ref") continue;
      const at = table + place[id];
      const child = f!.write(this);
      this.#view.setUint32(at, child - at, true);
    }
    return table;
  }

  /** A UTF-8 string; returns its position. */
  string(text: string): number {
    const bytes = new TextEncoder().encode(text);
    this.#pad(4);
    const at = this.#len;
    this.#u32(bytes.length);
    this.#room(bytes.length + 1);
    this.#buf.set(bytes, this.#len);
    this.#len += bytes.length;
    this.#u8(0);
    return at;
  }

  /** A vector of structs of 8-byte fields (Arrow's FieldNode and Buffer); returns its position. */
  structs(items: readonly (readonly number[])[]): number {
    // The length sits just before the first element, which must be 8-aligned.
    while (this.#len % 8 !== 4) this.#u8(0);
    const at = this.#len;
    this.#u32(items.length);
    for (const item of items) {
      for (const v of item) {
        this.#room(8);
        this.#view.setBigInt64(this.#len, BigInt(v), true);
        this.#len += 8;
      }
    }
    return at;
  }

  /** A vector of objects (tables, strings) written by `writers`; returns its position. */
  objects(writers: readonly ((b: FlatWriter) => number)[]): number {
    this.#pad(4);
    const at = this.#len;
    this.#u32(writers.length);
    const slots = writers.map(() => {
      const slot = this.#len;
      this.#u32(0);
      return slot;
    });
    writers.forEach((write, i) => {
      const child = write(this);
      this.#view.setUint32(slots[i], child - slots[i], true);
    });
    return at;
  }

  #pad(n: number): void {
    while (this.#len % n !== 0) this.#u8(0);
  }

  #room(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    const next = new Uint8Array(Math.max(this.#buf.length * 2, this.#len + n));
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }

  #u8(v: number): void {
    this.#room(1);
    this.#buf[this.#len++] = v;
  }

  #u16(v: number): void {
    this.#room(2);
    this.#view.setUint16(this.#len, v, true);
    this.#len += 2;
  }

  #u32(v: number): void {
    this.#room(4);
    this.#view.setUint32(this.#len, v, true);
    this.#len += 4;
  }
}
