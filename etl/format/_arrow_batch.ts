/**
 * Buffered columns as an Arrow IPC stream, built straight from the row group's typed arrays
 * (Arrow's own `vectorFromArray` is ~15x slower for strings). Types: string, decimal and json → Utf8 (json
 * fields carry the canonical `arrow.json` extension name), integer → Int64, boolean → Bool,
 * date → Date32, datetime → Timestamp(µs, "UTC"). Every field is nullable.
 * @module
 */
import * as arrow from "apache-arrow";
import type { ColumnType } from "../types.ts";
import type { ColumnData } from "./_parquet_columns.ts";

const JSON_EXTENSION = new Map([
  ["ARROW:extension:name", "arrow.json"],
  ["ARROW:extension:metadata", ""],
]);

function arrowType(type: ColumnType): arrow.DataType {
  switch (type) {
    case "integer":
      return new arrow.Int64();
    case "boolean":
      return new arrow.Bool();
    case "date":
      return new arrow.DateDay();
    case "datetime":
      return new arrow.TimestampMicrosecond("UTC");
    default:
      return new arrow.Utf8();
  }
}

/** The Arrow schema of these columns. */
export function arrowSchema(columns: readonly { name: string; type: ColumnType }[]): arrow.Schema {
  return new arrow.Schema(columns.map((c) =>
    new arrow.Field(
      c.name,
      arrowType(c.type),
      true,
      c.type === "json" ? JSON_EXTENSION : undefined,
    )
  ));
}

/** Validity bitmap and null count; no bitmap when nothing is null. */
function validity(c: ColumnData): { nullBitmap?: Uint8Array; nullCount: number } {
  if (c.nulls === 0) return { nullCount: 0 };
  return { nullBitmap: packBits(c.valid), nullCount: c.nulls };
}

/** One byte per row (0 or 1) as Arrow's bits, least significant first. */
function packBits(bytes: Uint8Array): Uint8Array {
  const bits = new Uint8Array((bytes.length + 7) >> 3);
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) bits[i >> 3] |= 1 << (i & 7);
  return bits;
}

function child(type: arrow.DataType, c: ColumnData, rows: number): arrow.Data {
  const base = { type, length: rows, ...validity(c) };
  switch (c.type) {
    case "integer":
    case "datetime": {
      // A microsecond timestamp has the same layout as an Int64.
      const w = c.words!;
      const data = new BigInt64Array(w.buffer, w.byteOffset, rows);
      return arrow.makeData({ ...base, type: type as arrow.Int64, data });
    }
    case "boolean":
      return arrow.makeData({
        ...base,
        type: type as arrow.Bool,
        data: packBits(c.values as Uint8Array),
      });
    case "date":
      return arrow.makeData({ ...base, type: type as arrow.DateDay, data: c.values as Int32Array });
    default:
      return arrow.makeData({
        ...base,
        type: type as arrow.Utf8,
        valueOffsets: c.offsets!,
        data: c.bytes!,
      });
  }
}

/** One record batch of these columns, serialized as an Arrow IPC stream in a buffer of its own. */
export function ipcBatch(schema: arrow.Schema, columns: ColumnData[], rows: number): Uint8Array {
  const children = columns.map((c, i) => child(schema.fields[i].type, c, rows));
  const struct = arrow.makeData({
    type: new arrow.Struct(schema.fields),
    length: rows,
    nullCount: 0,
    children,
  });
  const ipc = arrow.tableToIPC(new arrow.Table([new arrow.RecordBatch(schema, struct)]), "stream");
  // The stream is the caller's to free: never a view of the row group's own buffers.
  const shared = columns.some((c) =>
    [c.valid, c.bytes, c.offsets, c.words, c.values].some((a) => a?.buffer === ipc.buffer)
  );
  return shared ? ipc.slice() : ipc;
}

/** A schema-only IPC stream, for a file without rows. */
export function ipcEmpty(schema: arrow.Schema): Uint8Array {
  return arrow.tableToIPC(new arrow.Table(schema), "stream");
}
