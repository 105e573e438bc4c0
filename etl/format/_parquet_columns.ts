/**
 * Rows turned into typed column buffers for one Parquet row group. Values are converted as
 * they arrive, so the buffer holds primitives, not the rows: strings for string, decimal and
 * json columns, numbers (or bigints past 2^53) for integers and microsecond timestamps, days
 * for dates, booleans. A value that cannot be written in its column's type stops the run.
 * @module
 */
import { FatalRunError } from "../errors.ts";
import type { Column, ColumnType } from "../types.ts";
import { instantOf, parseDate } from "./_datetime.ts";
import { INTEGER_TEXT, isMissing, jsonTextOf, parseBoolean, textOf } from "./_values.ts";

/** A buffered value: null for missing. */
export type Cell = string | number | bigint | boolean | null;

/** The values of one column for the rows buffered so far. */
export interface ColumnBuffer {
  name: string;
  type: ColumnType;
  values: Cell[];
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const DAY_MS = 86_400_000;

function bigInteger(value: bigint): bigint | undefined {
  return value >= INT64_MIN && value <= INT64_MAX ? value : undefined;
}

function integer(v: unknown): Cell | undefined {
  if (typeof v === "number") {
    if (Number.isSafeInteger(v)) return v;
    return Number.isInteger(v) ? bigInteger(BigInt(v)) : undefined;
  }
  if (typeof v === "bigint") return bigInteger(v);
  if (typeof v !== "string" || !INTEGER_TEXT.test(v)) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : bigInteger(BigInt(v));
}

function boolean(v: unknown): Cell | undefined {
  return typeof v === "boolean" ? v : typeof v === "string" ? parseBoolean(v) : undefined;
}

function date(v: unknown): Cell | undefined {
  if (typeof v === "string") return parseDate(v);
  return v instanceof Date && !isNaN(v.getTime()) ? Math.floor(v.getTime() / DAY_MS) : undefined;
}

/** Microseconds since the epoch, UTC; a bigint only where a double would lose digits. */
function timestamp(v: unknown): Cell | undefined {
  const instant = instantOf(v);
  if (!instant) return undefined;
  const { seconds, micros } = instant;
  return Math.abs(seconds) < 9e9
    ? seconds * 1_000_000 + micros
    : BigInt(seconds) * 1_000_000n + BigInt(micros);
}

const CONVERT: Record<ColumnType, (v: unknown) => Cell | undefined> = {
  string: textOf,
  // Decimals stay text: exact, and readers (hyparquet) turn Parquet DECIMAL into doubles.
  decimal: textOf,
  json: jsonTextOf,
  integer,
  boolean,
  date,
  datetime: timestamp,
};

/**
 * Buffers rows column by column. `chars` counts buffered string characters, so the caller can
 * close a row group early when long values (FHIR resources) would take too much memory.
 */
export class RowGroupBuffer {
  readonly columns: ColumnBuffer[];
  rows = 0;
  chars = 0;
  readonly #convert: ((v: unknown) => Cell | undefined)[];

  constructor(columns: readonly Column[]) {
    this.columns = columns.map((c) => ({ name: c.name, type: c.type, values: [] }));
    this.#convert = columns.map((c) => CONVERT[c.type] ?? textOf);
  }

  /** Adds one row; throws a {@link FatalRunError} naming the value that does not fit. */
  push(row: Record<string, unknown>): void {
    const columns = this.columns;
    for (let i = 0; i < columns.length; i++) {
      const column = columns[i];
      const value = row[column.name];
      let cell: Cell | undefined = null;
      if (!isMissing(value)) {
        cell = this.#convert[i](value);
        if (cell === undefined) {
          const shown = textOf(value).slice(0, 40);
          throw new FatalRunError(
            `Cannot write "${shown}" to the ${column.type} column "${column.name}" of a Parquet file`,
          );
        }
        if (typeof cell === "string") this.chars += cell.length;
      }
      column.values.push(cell);
    }
    this.rows++;
  }

  /** Hands out the buffered columns and starts a new row group. */
  take(): { columns: ColumnBuffer[]; rows: number } {
    const taken = { columns: this.columns.map((c) => ({ ...c })), rows: this.rows };
    for (const c of this.columns) c.values = [];
    this.rows = 0;
    this.chars = 0;
    return taken;
  }
}
