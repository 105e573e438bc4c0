/**
 * A row group's typed columns as an Arrow IPC stream (schema, one record batch, end marker),
 * written straight from the column buffers into one new buffer that the Parquet stream frees
 * once parquet-wasm has read it. Types: string, decimal and json → Utf8 (json fields carry the
 * canonical `arrow.json` extension name), integer → Int64, boolean → Bool, date → Date32 (days),
 * datetime → Timestamp(µs, "UTC"). Every field is nullable. Written by hand (see
 * `_flatbuffer.ts`) instead of through apache-arrow, which built a table of objects per row
 * group, copied every buffer twice and cost ~8 MB of memory to load.
 * @module
 */
import type { ColumnData } from "../columnar.ts";
import type { Column, ColumnType } from "../types.ts";
import { FlatWriter, type Slot } from "./_flatbuffer.ts";

const V5 = 4;
const HEADER = { schema: 1, recordBatch: 3 } as const;
const TYPE = { int: 2, utf8: 5, bool: 6, date: 8, timestamp: 10 } as const;

function typeSlots(type: ColumnType): [Slot, Slot] {
  const tag = (t: number): Slot => ({ kind: "u8", value: t });
  const table = (fields: Slot[]): Slot => ({ kind: "ref", write: (b) => b.table(fields) });
  switch (type) {
    case "integer":
      return [tag(TYPE.int), table([{ kind: "i32", value: 64 }, { kind: "bool", value: true }])];
    case "boolean":
      return [tag(TYPE.bool), table([])];
    case "date":
      return [tag(TYPE.date), table([{ kind: "i16", value: 0 }])]; // DateUnit.DAY
    case "datetime":
      return [
        tag(TYPE.timestamp),
        table([
          { kind: "i16", value: 2 }, // TimeUnit.MICROSECOND
          { kind: "ref", write: (b) => b.string("UTC") },
        ]),
      ];
    default:
      return [tag(TYPE.utf8), table([])];
  }
}

function fieldTable(b: FlatWriter, column: Column): number {
  const [typeType, type] = typeSlots(column.type);
  const metadata: Slot = column.type !== "json" ? undefined : {
    kind: "ref",
    write: (b) =>
      b.objects([["ARROW:extension:name", "arrow.json"], ["ARROW:extension:metadata", ""]].map(
        ([key, value]) => (b: FlatWriter) =>
          b.table([
            { kind: "ref", write: (b) => b.string(key) },
            { kind: "ref", write: (b) => b.string(value) },
          ]),
      )),
  };
  return b.table([
    { kind: "ref", write: (b) => b.string(column.name) },
    { kind: "bool", value: true },
    typeType,
    type,
    undefined, // dictionary
    { kind: "ref", write: (b) => b.objects([]) }, // children
    metadata,
  ]);
}

function message(header: number, write: (b: FlatWriter) => number, bodyLength: number) {
  return new FlatWriter().root((b) =>
    b.table([
      { kind: "i16", value: V5 },
      { kind: "u8", value: header },
      { kind: "ref", write },
      { kind: "i64", value: bodyLength },
    ])
  );
}

function schemaMessage(columns: readonly Column[]): Uint8Array {
  return message(HEADER.schema, (b) =>
    b.table([
      { kind: "i16", value: 0 }, // little-endian
      {
        kind: "ref",
        write: (b) => b.objects(columns.map((c) => (b: FlatWriter) => fieldTable(b, c))),
      },
    ]), 0);
}

/** One byte per row (0 or 1) as Arrow's bits, least significant first. */
function packBits(bytes: Uint8Array): Uint8Array {
  const bits = new Uint8Array((bytes.length + 7) >> 3);
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) bits[i >> 3] |= 1 << (i & 7);
  return bits;
}

/** The body buffers of one column, in Arrow's order (validity first). */
function buffersOf(c: ColumnData, rows: number): Uint8Array[] {
  const validity = c.nulls === 0 ? new Uint8Array(0) : packBits(c.valid.subarray(0, rows));
  const bytes = (a: { buffer: ArrayBufferLike; byteOffset: number }, length: number) =>
    new Uint8Array(a.buffer, a.byteOffset, length);
  switch (c.type) {
    case "integer":
    case "datetime":
      // A microsecond timestamp has the same layout as an Int64.
      return [validity, bytes(c.words!, rows * 8)];
    case "boolean":
      return [validity, packBits((c.values as Uint8Array).subarray(0, rows))];
    case "date":
      return [validity, bytes(c.values as Int32Array, rows * 4)];
    default:
      return [validity, bytes(c.offsets!, (rows + 1) * 4), c.bytes!.subarray(0, c.offsets![rows])];
  }
}

const pad8 = (n: number) => (n + 7) & ~7;

/** Continuation marker, metadata length (padded to 8 with the 8-byte prefix), metadata. */
function frameLength(meta: Uint8Array): number {
  return 8 + pad8(meta.length);
}

function writeFrame(out: Uint8Array, at: number, meta: Uint8Array): number {
  const view = new DataView(out.buffer, out.byteOffset);
  view.setUint32(at, 0xffffffff, true);
  view.setInt32(at + 4, pad8(meta.length), true);
  out.set(meta, at + 8);
  return at + frameLength(meta);
}

/**
 * These columns' first `rows` rows as an Arrow IPC stream in a buffer of its own (the caller
 * may free it). `schema` is the columns' names and types, in order.
 */
export function ipcBatch(
  schema: readonly Column[],
  columns: ColumnData[],
  rows: number,
): Uint8Array {
  const nodes: number[][] = [];
  const locations: number[][] = [];
  const body: Uint8Array[] = [];
  let bodyLength = 0;
  for (const c of columns) {
    nodes.push([rows, c.nulls]);
    for (const b of buffersOf(c, rows)) {
      locations.push([bodyLength, b.length]);
      body.push(b);
      bodyLength += pad8(b.length);
    }
  }
  const batch = message(HEADER.recordBatch, (b) =>
    b.table([
      { kind: "i64", value: rows },
      { kind: "ref", write: (b) => b.structs(nodes) },
      { kind: "ref", write: (b) => b.structs(locations) },
    ]), bodyLength);
  const schemaMeta = schemaMessage(schema);
  const out = new Uint8Array(frameLength(schemaMeta) + frameLength(batch) + bodyLength + 8);
  let at = writeFrame(out, 0, schemaMeta);
  at = writeFrame(out, at, batch);
  for (const [i, b] of body.entries()) out.set(b, at + locations[i][0]);
  at += bodyLength;
  new DataView(out.buffer).setUint32(at, 0xffffffff, true); // end of stream: marker, length 0
  return out;
}

/** A schema-only IPC stream, for a file without rows. */
export function ipcEmpty(schema: readonly Column[]): Uint8Array {
  const meta = schemaMessage(schema);
  const out = new Uint8Array(frameLength(meta) + 8);
  const at = writeFrame(out, 0, meta);
  new DataView(out.buffer).setUint32(at, 0xffffffff, true);
  return out;
}
