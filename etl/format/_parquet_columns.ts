/**
 * Rows turned into typed column buffers for one Parquet row group, in Arrow's own layout: text
 * as UTF-8 bytes with offsets (string, decimal and json columns), 64-bit integers as pairs of
 * 32-bit words (integers, microsecond timestamps), days for dates, one byte per boolean, and a
 * validity byte per row. Values are converted as they arrive, so a row group holds bytes, not
 * JavaScript strings and objects: the V8 heap stays small (a 20k-row group of strings used to
 * be promoted to the old generation and linger there as garbage). The buffers are reused for
 * the next row group. A value that cannot be written in its column's type stops the run.
 * @module
 */
import { FatalRunError } from "../errors.ts";
import type { Column, ColumnType } from "../types.ts";
import { instantOf, parseDate } from "./_datetime.ts";
import { INTEGER_TEXT, isMissing, jsonTextOf, parseBoolean, textOf, utf8 } from "./_values.ts";

/** One column of a row group, as views valid until the buffer's next `push`. */
export interface ColumnData {
  name: string;
  type: ColumnType;
  /** 1 where the row has a value. */
  valid: Uint8Array;
  nulls: number;
  /** Text columns: UTF-8 bytes and `rows + 1` byte offsets into them. */
  bytes?: Uint8Array;
  offsets?: Int32Array;
  /** integer and datetime: two little-endian 32-bit words per row (an int64). */
  words?: Int32Array;
  /** date: days since 1970-01-01. boolean: 0 or 1. */
  values?: Int32Array | Uint8Array;
}

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

function boolean(v: unknown): boolean | undefined {
  return typeof v === "boolean" ? v : typeof v === "string" ? parseBoolean(v) : undefined;
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

function grown<T extends Uint8Array | Int32Array>(array: T, needed: number): T {
  if (array.length >= needed) return array;
  const next = new (array.constructor as new (n: number) => T)(
    Math.max(needed, array.length * 2),
  );
  next.set(array);
  return next;
}

/** One column's growing buffers; `put` returns false for a value its type cannot take. */
abstract class Builder {
  valid = new Uint8Array(1024);
  nulls = 0;
  constructor(readonly name: string, readonly type: ColumnType) {}
  /** Room for row `row` in every buffer. */
  reserve(row: number): void {
    if (row >= this.valid.length) this.valid = grown(this.valid, row + 1);
  }
  abstract put(row: number, value: unknown): boolean;
  abstract none(row: number): void;
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

class TextBuilder extends Builder {
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
    return true;
  }

  none(row: number): void {
    this.offsets[row + 1] = this.length;
  }

  data(rows: number): ColumnData {
    const bytes = this.bytes.subarray(0, this.length);
    return { ...this.common(rows), bytes, offsets: this.offsets.subarray(0, rows + 1) };
  }
}

class Int64Builder extends Builder {
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
    } else {
      // Two 32-bit halves (little-endian) avoid a BigInt per value.
      const hi = Math.floor(v / TWO_32);
      this.words[2 * row] = (v - hi * TWO_32) | 0;
      this.words[2 * row + 1] = hi | 0;
    }
    return true;
  }

  none(row: number): void {
    this.words[2 * row] = 0;
    this.words[2 * row + 1] = 0;
  }

  data(rows: number): ColumnData {
    return { ...this.common(rows), words: this.words.subarray(0, 2 * rows) };
  }
}

/** One number per row: days for dates (Int32Array), 0 or 1 for booleans (Uint8Array). */
class ValueBuilder extends Builder {
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
    this.values[row] = n;
    return true;
  }
  none(row: number): void {
    this.values[row] = 0;
  }
  data(rows: number): ColumnData {
    return { ...this.common(rows), values: this.values.subarray(0, rows) };
  }
}

function booleanBit(v: unknown): number | undefined {
  const b = boolean(v);
  return b === undefined ? undefined : b ? 1 : 0;
}

function builderOf(column: Column): Builder {
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
 * Buffers rows column by column. `textBytes` counts buffered text, so the caller can close a
 * row group early when long values (FHIR resources) would take too much memory.
 */
export class RowGroupBuffer {
  readonly columns: readonly Column[];
  rows = 0;
  readonly #builders: Builder[];
  readonly #text: TextBuilder[];

  constructor(columns: readonly Column[]) {
    this.columns = columns.map((c) => ({ name: c.name, type: c.type }));
    this.#builders = this.columns.map(builderOf);
    this.#text = this.#builders.filter((b) => b instanceof TextBuilder);
  }

  /** Bytes of text buffered in this row group (as of the last row pushed). */
  textBytes = 0;

  /** Adds one row; throws a {@link FatalRunError} naming the value that does not fit. */
  push(row: Record<string, unknown>): void {
    const builders = this.#builders;
    const r = this.rows;
    for (let i = 0; i < builders.length; i++) {
      const b = builders[i];
      b.reserve(r);
      const value = row[b.name];
      if (isMissing(value)) {
        b.valid[r] = 0;
        b.nulls++;
        b.none(r);
      } else if (b.put(r, value)) {
        b.valid[r] = 1;
      } else {
        const shown = textOf(value).slice(0, 40);
        throw new FatalRunError(
          `Cannot write "${shown}" to the ${b.type} column "${b.name}" of a Parquet file`,
        );
      }
    }
    this.rows++;
    let bytes = 0;
    for (const t of this.#text) bytes += t.length;
    this.textBytes = bytes;
  }

  /**
   * The buffered columns, as views valid until the next `push`, and a new row group begins
   * in the same buffers.
   */
  take(): { columns: ColumnData[]; rows: number } {
    const rows = this.rows;
    const columns = this.#builders.map((b) => b.data(rows));
    for (const b of this.#builders) {
      b.nulls = 0;
      if (b instanceof TextBuilder) b.length = 0;
    }
    this.rows = 0;
    this.textBytes = 0;
    return { columns, rows };
  }
}
