/**
 * normalize on a {@link CsvBlock}: each field's bytes go straight into a typed column, trimmed,
 * null tokens as null, coerced, without a JavaScript string. Only plain values take this path
 * (ASCII at the edges, whole numbers of up to 15 digits, `YYYY-MM-DD` dates, the usual boolean
 * spellings); anything else is decoded and goes through the row path's own cell function, so
 * both paths give the same values and reject the same rows with the same reasons
 * (`normalize_columns_test.ts` compares them).
 * @module
 */
import {
  builderOf,
  type ColumnBuilder,
  Int64Builder,
  TextBuilder,
  ValueBuilder,
} from "../column_buffers.ts";
import type { ColumnBatch, CsvBlock } from "../columnar.ts";
import { FatalRunError } from "../errors.ts";
import { daysFromCivil } from "../format/_datetime.ts";
import { textOf } from "../format/_values.ts";
import { validDay } from "../iso_date.ts";
import { FALSE, TRUE } from "./coerce.ts";
import type { Column, RunContext } from "../types.ts";

/** Thrown by a cell with the column's source name, so the reason can name it. */
export class CellError extends Error {}

/** What normalize's row path does to one value (see `normalize.ts`). */
export type Cell = (value: unknown) => unknown;

/** A column of the block: its output column, the row path's cell, and the options it runs with. */
export interface BlockColumn {
  column: Column;
  cell: Cell;
}

/** Options every column shares. */
export interface BlockOptions {
  trim: boolean;
  /** Null tokens, lowercased. */
  nullTokens: readonly string[];
}

const SPACE = new Uint8Array(256);
for (const c of [0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20]) SPACE[c] = 1;
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

const enum Kind {
  Text,
  Integer,
  Decimal,
  Boolean,
  Date,
  Other,
}

function kindOf(type: Column["type"]): Kind {
  switch (type) {
    case "string":
      return Kind.Text;
    case "integer":
      return Kind.Integer;
    case "decimal":
      return Kind.Decimal;
    case "boolean":
      return Kind.Boolean;
    case "date":
      return Kind.Date;
    default:
      return Kind.Other;
  }
}

/** The state normalize keeps for one run's blocks: builders reused from batch to batch. */
export class BlockNormalizer {
  readonly #columns: BlockColumn[];
  readonly #kinds: Kind[];
  readonly #builders: ColumnBuilder[];
  readonly #trim: boolean;
  readonly #tokens: Uint8Array[];
  /** 1 at the byte length of some token. */
  readonly #tokenLength: Uint8Array;
  /**
   * True when comparing bytes (ASCII letters in any case) finds every token: the tokens are
   * ASCII without a "k". Otherwise a non-ASCII field may lowercase to one (the Kelvin sign
   * lowercases to "k"; a non-ASCII token needs the row path's `toLowerCase`).
   */
  readonly #bytewise: boolean;
  /** Fields at most this long may be a token once lowercased: looked at closely. */
  readonly #suspect: number;

  constructor(columns: BlockColumn[], options: BlockOptions) {
    this.#columns = columns;
    this.#kinds = columns.map((c) => kindOf(c.column.type));
    this.#builders = columns.map((c) => builderOf(c.column));
    this.#trim = options.trim;
    const enc = new TextEncoder();
    this.#tokens = options.nullTokens.map((t) => enc.encode(t));
    this.#tokenLength = new Uint8Array(Math.max(0, ...this.#tokens.map((t) => t.length)) + 1);
    for (const t of this.#tokens) this.#tokenLength[t.length] = 1;
    this.#bytewise = options.nullTokens.every((t, i) =>
      this.#tokens[i].length === t.length && !t.includes("k")
    );
    // A character of up to 3 UTF-8 bytes for each character of the longest token.
    this.#suspect = 3 * Math.max(0, ...options.nullTokens.map((t) => t.length));
  }

  /** The block's rows as columns; rows with a value that does not fit are rejected on `ctx`. */
  run(ctx: RunContext, block: CsvBlock): ColumnBatch {
    const builders = this.#builders;
    const width = builders.length;
    // Room for every row at once: the rows' text still grows as it comes.
    for (const b of builders) {
      b.reset();
      b.reserve(block.rows - 1);
    }
    const { bytes, starts, ends } = block;
    let out = 0;
    for (let r = 0; r < block.rows; r++) {
      const base = r * width;
      let i = 0;
      try {
        for (; i < width; i++) this.#field(i, bytes, starts[base + i], ends[base + i], out);
        out++;
      } catch (err) {
        if (!(err instanceof CellError)) throw err;
        for (let k = 0; k < i; k++) builders[k].drop(out);
        ctx.reject({ source: block.source, line: block.lines[r] }, "normalized", err.message);
      }
    }
    return { kind: "columns", rows: out, columns: builders.map((b) => b.data(out)) };
  }

  #field(i: number, b: Uint8Array, start: number, end: number, row: number): void {
    let s = start, e = end;
    if (this.#trim) {
      while (s < e && SPACE[b[s]] === 1) s++;
      while (e > s && SPACE[b[e - 1]] === 1) e--;
      // Unicode spaces (no-break, ideographic, …) trim too: the row path knows them.
      if (s < e && (b[s] >= 0x80 || b[e - 1] >= 0x80)) return this.#slow(i, b, start, end, row);
    }
    const n = e - s;
    if (n < this.#tokenLength.length && this.#tokenLength[n] === 1 && this.#isToken(b, s, n)) {
      this.#builders[i].none(row);
      return;
    }
    if (!this.#bytewise && n <= this.#suspect && !ascii(b, s, e)) {
      return this.#slow(i, b, start, end, row);
    }
    switch (this.#kinds[i]) {
      case Kind.Text:
        (this.#builders[i] as TextBuilder).putBytes(row, b, s, e);
        return;
      case Kind.Integer: {
        const v = integerOf(b, s, e);
        if (v === undefined) return this.#slow(i, b, start, end, row);
        (this.#builders[i] as Int64Builder).putNumber(row, v);
        return;
      }
      case Kind.Decimal:
        if (!isDecimal(b, s, e)) return this.#slow(i, b, start, end, row);
        (this.#builders[i] as TextBuilder).putBytes(row, b, b[s] === 0x2b ? s + 1 : s, e);
        return;
      case Kind.Boolean: {
        const v = n <= 5 ? booleanOf(b, s, e) : -1;
        if (v < 0) return this.#slow(i, b, start, end, row);
        (this.#builders[i] as ValueBuilder).putNumber(row, v);
        return;
      }
      case Kind.Date: {
        const days = n === 10 ? isoDays(b, s) : undefined;
        if (days === undefined) return this.#slow(i, b, start, end, row);
        (this.#builders[i] as ValueBuilder).putNumber(row, days);
        return;
      }
      default:
        return this.#slow(i, b, start, end, row);
    }
  }

  /** The row path for one value: decode, the cell function, the typed builder. */
  #slow(i: number, b: Uint8Array, start: number, end: number, row: number): void {
    const value = this.#columns[i].cell(decoder.decode(b.subarray(start, end)));
    const builder = this.#builders[i];
    if (value === null || value === undefined) builder.none(row);
    else if (!builder.put(row, value)) {
      throw new FatalRunError(
        `Cannot write "${
          textOf(value).slice(0, 40)
        }" to the ${builder.type} column "${builder.name}"`,
      );
    }
  }

  #isToken(b: Uint8Array, s: number, n: number): boolean {
    next: for (const t of this.#tokens) {
      if (t.length !== n) continue;
      for (let k = 0; k < n; k++) {
        let c = b[s + k];
        if (c >= 0x41 && c <= 0x5a) c += 0x20;
        if (c !== t[k]) continue next;
      }
      return true;
    }
    return false;
  }
}

function ascii(b: Uint8Array, s: number, e: number): boolean {
  for (let k = s; k < e; k++) if (b[k] >= 0x80) return false;
  return true;
}

/** A whole number of 1–15 digits with an optional sign (always safe), else undefined. */
function integerOf(b: Uint8Array, s: number, e: number): number | undefined {
  let k = s;
  const sign = b[k];
  if (sign === 0x2b || sign === 0x2d) k++;
  if (k === e || e - k > 15) return undefined;
  let v = 0;
  for (; k < e; k++) {
    const d = b[k] - 0x30;
    if (d < 0 || d > 9) return undefined;
    v = v * 10 + d;
  }
  return sign === 0x2d ? -v : v;
}

/** `[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)`, as the row path's decimal check. */
function isDecimal(b: Uint8Array, s: number, e: number): boolean {
  let k = s;
  if (b[k] === 0x2b || b[k] === 0x2d) k++;
  let digits = 0, fraction = 0, dot = false;
  for (; k < e; k++) {
    const c = b[k];
    if (c >= 0x30 && c <= 0x39) dot ? fraction++ : digits++;
    else if (c === 0x2e && !dot) dot = true;
    else return false;
  }
  return digits > 0 || fraction > 0;
}

/** 1 or 0 for the spellings the row path takes (any case), -1 otherwise. */
function booleanOf(b: Uint8Array, s: number, e: number): number {
  let text = "";
  for (let k = s; k < e; k++) {
    const c = b[k];
    if (c >= 0x80) return -1;
    text += String.fromCharCode(c >= 0x41 && c <= 0x5a ? c + 0x20 : c);
  }
  return TRUE.has(text) ? 1 : FALSE.has(text) ? 0 : -1;
}

/** Days since 1970-01-01 of a valid `YYYY-MM-DD` at `s`, else undefined. */
function isoDays(b: Uint8Array, s: number): number | undefined {
  if (b[s + 4] !== 0x2d || b[s + 7] !== 0x2d) return undefined;
  let n = 0;
  for (let k = 0; k < 10; k++) {
    if (k === 4 || k === 7) continue;
    const d = b[s + k] - 0x30;
    if (d < 0 || d > 9) return undefined;
    n = n * 10 + d;
  }
  const y = Math.floor(n / 10000), m = Math.floor(n / 100) % 100, d = n % 100;
  return validDay(y, m, d) ? daysFromCivil(y, m, d) : undefined;
}
