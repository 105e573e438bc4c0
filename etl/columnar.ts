/**
 * Batches held without row objects, for plans where every stage can take them (a UTF-8 CSV file,
 * normalize, Parquet into a file or S3): a {@link CsvBlock} is records as byte ranges of the file,
 * a {@link ColumnBatch} is typed columns in Arrow's layout. Skipping a JavaScript string and object
 * per value is what makes CSV → Parquet fast; any other plan sees only rows.
 * @module
 */
import type { Batch, ColumnType, Encoder } from "./types.ts";

/** One typed column, as views valid until its buffer's next write. */
export interface ColumnData {
  name: string;
  type: ColumnType;
  /** 1 where the row has a value. */
  valid: Uint8Array;
  nulls: number;
  /** Text columns (string, decimal, json): UTF-8 bytes and `rows + 1` byte offsets into them. */
  bytes?: Uint8Array;
  offsets?: Int32Array;
  /** integer and datetime: two little-endian 32-bit words per row (an int64). */
  words?: Int32Array;
  /** date: days since 1970-01-01. boolean: 0 or 1. */
  values?: Int32Array | Uint8Array;
}

/**
 * Well-formed CSV records of one file as byte ranges: field `f` of record `r` is
 * `bytes.subarray(starts[r * width + f], ends[r * width + f])`, already unquoted, valid UTF-8.
 */
export interface CsvBlock {
  kind: "csv";
  /** The source's label for rejections (the file name). */
  source: string;
  columns: readonly string[];
  bytes: Uint8Array;
  rows: number;
  starts: Int32Array;
  ends: Int32Array;
  /** The line each record starts on. */
  lines: Int32Array;
}

/** Rows as typed columns: what normalize makes of a {@link CsvBlock}. */
export interface ColumnBatch {
  kind: "columns";
  rows: number;
  columns: ColumnData[];
}

/** A batch's rows in a form other than row objects. */
export type Columnar = CsvBlock | ColumnBatch;

/** The bytes an encoder makes of a batch: its typed columns when it has them, else its rows. */
export function encodeBatch(encoder: Encoder, batch: Batch): Uint8Array | Promise<Uint8Array> {
  const columns = batch.columnar?.kind === "columns" ? batch.columnar : undefined;
  return columns ? encoder.encodeColumns!(columns) : encoder.encode(batch.rows);
}

/** Rows in a batch, whichever form they are in (rejected records not counted). */
export function batchLength(batch: Batch): number {
  return batch.columnar ? batch.columnar.rows : batch.rows.length;
}
