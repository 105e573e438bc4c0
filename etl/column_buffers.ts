/**
 * Growing typed buffers for one column each, in Arrow's own layout: text as UTF-8 bytes with
 * offsets (string, decimal and json columns), 64-bit integers as pairs of 32-bit words (integers,
 * microsecond timestamps), days for dates, one byte per boolean, and a validity byte per row.
 * Values go in either as JavaScript values (`put`, converted as a Parquet writer needs them) or,
 * from the columnar CSV path, already converted (`putBytes`, `putNumber`). The buffers are reused
 * from one batch or row group to the next, so the V8 heap holds bytes, not strings.
 * @module
 */
import type { ColumnData } from "./columnar.ts";
import type { Column, ColumnType } from "./types.ts";
import { instantOf, parseDate } from "./format/_datetime.ts";
import { INTEGER_TEXT, jsonTextOf, parseBoolean, textOf, utf8 } from "./format/_values.ts";

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const DAY_MS = 86_400_000;
const TWO_32 = 4294967296;

function bigInteger(value: bigint): bigint | undefined {
  return value >= INT64_MIN && value <= INT64_MAX ? value : undefined;
}

function integer(v: unknown): number | bigint | undefined {
  if (typeof v === "number") {
    if (Number.isSafeInteger(v)) return v;
    return Number.isInteger(v) ? bigInteger(BigInt(v)) : undefined;
  }
  if (typeof v === "bigint") return bigInteger(v);
  if (typeof v !== "string" || !INTEGER_TEXT.test(v)) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : bigInteger(BigInt(v));
}

function date(v: unknown): number | undefined {
  if (typeof v === "string") return parseDate(v);
  return v instanceof Date && !isNaN(v.getTime()) ? Math.floor(v.getTime() / DAY_MS) : undefined;
}

/** Microseconds since the epoch, UTC; a bigint only where a double would lose digits. */
function timestamp(v: unknown): number | bigint | undefined {
  const instant = instantOf(v);
  if (!instant) return undefined;
  const { seconds, micros } = instant;
  return Math.abs(seconds) < 9e9
    ? seconds * 1_000_000 + micros
    : BigInt(seconds) * 1_000_000n + BigInt(micros);
}

function booleanBit(v: unknown): number | undefined {
  const b = typeof v === "boolean" ? v : typeof v === "string" ? parseBoolean(v) : undefined;
  return b === undefined ? undefined : b ? 1 : 0;
}

function grown<T extends Uint8Array | Int32Array>(array: T, needed: number): T {
  if (array.length >= needed) return array;
  const next = new (array.constructor as new (n: number) => T)(
    Math.max(needed, array.length * 2),
  );
  next.set(array);
  return next;
}

/**
 * One column's growing buffers. Call `reserve(row)` before writing row `row`; then exactly one
 * of `put` (true when the value fits the type), `putBytes`/`putNumber`, or `none` (null).
 */
export abstract class ColumnBuilder {
  valid = new Uint8Array(1024);
  nulls = 0;
  constructor(readonly name: string, readonly type: ColumnType) {}
  /** Room for row `row` in every buffer. */
  reserve(row: number): void {
    if (row >= this.valid.length) this.valid = grown(this.valid, row + 1);
  }
  /** A JavaScript value, converted to the column's type; false when it cannot be. */
  abstract put(row: number, value: unknown): boolean;
  /** A null at `row`. */
  none(row: number): void {
    this.valid[row] = 0;
    this.nulls++;
    this.empty(row);
  }
  /** Undo the write of `row`, the last one written (a row rejected half-way). */
  drop(row: number): void {
    if (this.valid[row] === 0) this.nulls--;
  }
  /** Start again at row 0, keeping the buffers. */
  reset(): void {
    this.nulls = 0;
  }
  protected abstract empty(row: number): void;
  abstract data(rows: number): ColumnData;
  /** What every column's data has. */
  protected common(rows: number): ColumnData {
    return {
      name: this.name,
      type: this.type,
      valid: this.valid.subarray(0, rows),
      nulls: this.nulls,
    };
  }
}

/** string, decimal (exact text) and json columns. */
export class TextBuilder extends ColumnBuilder {
  bytes = new Uint8Array(1 << 16);
  offsets = new Int32Array(1025);
  length = 0;
  readonly #text: (v: unknown) => string;

  constructor(name: string, type: ColumnType) {
    super(name, type);
    this.#text = type === "json" ? jsonTextOf : textOf;
  }

  override reserve(row: number): void {
    super.reserve(row);
    if (row + 1 >= this.offsets.length) this.offsets = grown(this.offsets, row + 2);
  }

  put(row: number, value: unknown): boolean {
    const s = this.#text(value);
    const n = s.length;
    if (this.bytes.length - this.length < n * 3) {
      this.bytes = grown(this.bytes, this.length + n * 3);
    }
    const bytes = this.bytes;
    let p = this.length;
    let i = 0;
    // ASCII byte by byte (cheaper than a call for short values); the rest by TextEncoder,
    // which also turns a lone surrogate into U+FFFD as it always did here.
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      bytes[p++] = c;
    }
    if (i < n) p += utf8.encodeInto(s.slice(i), bytes.subarray(p)).written;
    this.length = p;
    this.offsets[row + 1] = p;
    this.valid[row] = 1;
    return true;
  }

  /** UTF-8 bytes `src[from, to)` as the value of `row`. */
  putBytes(row: number, src: Uint8Array, from: number, to: number): void {
    const n = to - from;
    if (this.bytes.length - this.length < n) this.bytes = grown(this.bytes, this.length + n);
    const bytes = this.bytes;
    let p = this.length;
    // Byte by byte up to a few cache lines: `set` needs a subarray, an object per value (a
    // UUID per row made enough garbage to grow the young generation by ~20 MB).
    if (n <= 256) { for (let i = from; i < to; i++) bytes[p++] = src[i]; }
    else {
      bytes.set(src.subarray(from, to), p);
      p += n;
    }
    this.length = p;
    this.offsets[row + 1] = p;
    this.valid[row] = 1;
  }

  protected empty(row: number): void {
    this.offsets[row + 1] = this.length;
  }

  override drop(row: number): void {
    super.drop(row);
    this.length = this.offsets[row];
  }

  override reset(): void {
    super.reset();
    this.length = 0;
  }

  data(rows: number): ColumnData {
    const bytes = this.bytes.subarray(0, this.length);
    return { ...this.common(rows), bytes, offsets: this.offsets.subarray(0, rows + 1) };
  }
}

/** integer and datetime (microseconds) columns. */
export class Int64Builder extends ColumnBuilder {
  words = new Int32Array(2048);
  readonly #convert: (v: unknown) => number | bigint | undefined;
  #big = new BigInt64Array(1);

  constructor(name: string, type: ColumnType) {
    super(name, type);
    this.#convert = type === "datetime" ? timestamp : integer;
  }

  override reserve(row: number): void {
    super.reserve(row);
    if (2 * row + 2 > this.words.length) this.words = grown(this.words, 2 * row + 2);
  }

  put(row: number, value: unknown): boolean {
    const v = this.#convert(value);
    if (v === undefined) return false;
    if (typeof v === "bigint") {
      this.#big[0] = v;
      const halves = new Int32Array(this.#big.buffer);
      this.words[2 * row] = halves[0];
      this.words[2 * row + 1] = halves[1];
      this.valid[row] = 1;
    } else this.putNumber(row, v);
    return true;
  }

  /** A safe integer as the value of `row`. */
  putNumber(row: number, v: number): void {
    // Two 32-bit halves (little-endian) avoid a BigInt per value.
    const hi = Math.floor(v / TWO_32);
    this.words[2 * row] = (v - hi * TWO_32) | 0;
    this.words[2 * row + 1] = hi | 0;
    this.valid[row] = 1;
  }

  protected empty(row: number): void {
    this.words[2 * row] = 0;
    this.words[2 * row + 1] = 0;
  }

  data(rows: number): ColumnData {
    return { ...this.common(rows), words: this.words.subarray(0, 2 * rows) };
  }
}

/** One number per row: days for dates (Int32Array), 0 or 1 for booleans (Uint8Array). */
export class ValueBuilder extends ColumnBuilder {
  constructor(
    name: string,
    type: ColumnType,
    public values: Int32Array | Uint8Array,
    readonly convert: (v: unknown) => number | undefined,
  ) {
    super(name, type);
  }
  override reserve(row: number): void {
    super.reserve(row);
    if (row >= this.values.length) this.values = grown(this.values, row + 1);
  }
  put(row: number, value: unknown): boolean {
    const n = this.convert(value);
    if (n === undefined) return false;
    this.putNumber(row, n);
    return true;
  }
  /** Days (dates) or 0/1 (booleans) as the value of `row`. */
  putNumber(row: number, n: number): void {
    this.values[row] = n;
    this.valid[row] = 1;
  }
  protected empty(row: number): void {
    this.values[row] = 0;
  }
  data(rows: number): ColumnData {
    return { ...this.common(rows), values: this.values.subarray(0, rows) };
  }
}

/** The builder for a column's type. */
export function builderOf(column: Column): ColumnBuilder {
  switch (column.type) {
    case "integer":
    case "datetime":
      return new Int64Builder(column.name, column.type);
    case "date":
      return new ValueBuilder(column.name, column.type, new Int32Array(1024), date);
    case "boolean":
      return new ValueBuilder(column.name, column.type, new Uint8Array(1024), booleanBit);
    default:
      // string, decimal (exact text: readers such as hyparquet turn DECIMAL into doubles), json
      return new TextBuilder(column.name, column.type);
  }
}

/**
 * Copies rows `[from, from + rows)` of `data` (a column of the same type) to rows
 * `[at, at + rows)` of `builder`, the rows after the last one it holds.
 */
export function appendColumn(
  builder: ColumnBuilder,
  at: number,
  data: ColumnData,
  from: number,
  rows: number,
): void {
  if (rows <= 0) return;
  builder.reserve(at + rows - 1);
  const valid = data.valid.subarray(from, from + rows);
  builder.valid.set(valid, at);
  if (data.nulls > 0) { for (let i = 0; i < rows; i++) if (valid[i] === 0) builder.nulls++; }
  if (builder instanceof TextBuilder) {
    const base = builder.length;
    const src = data.offsets!;
    const first = src[from];
    const n = src[from + rows] - first;
    if (builder.bytes.length - base < n) builder.bytes = grown(builder.bytes, base + n);
    builder.bytes.set(data.bytes!.subarray(first, first + n), base);
    const shift = base - first;
    const to = builder.offsets;
    for (let i = 1; i <= rows; i++) to[at + i] = src[from + i] + shift;
    builder.length = base + n;
  } else if (builder instanceof Int64Builder) {
    builder.words.set(data.words!.subarray(2 * from, 2 * (from + rows)), 2 * at);
  } else if (builder instanceof ValueBuilder) {
    builder.values.set(data.values!.subarray(from, from + rows), at);
  }
}
