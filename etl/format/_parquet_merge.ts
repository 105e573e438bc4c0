/**
 * Joins complete Parquet files ("parts", one per bounded run step) into one file holding all
 * their row groups, without decoding the data: each part's pages are copied as they are, and
 * only the footer is rewritten, with every file offset moved to where the bytes now lie.
 *
 * Footers are read first, all of them (they are small), so a part with other columns is refused
 * before a byte is written. Pages then stream through in chunks of {@link CHUNK_BYTES}: memory
 * does not grow with the size of the parts. Page indexes (which arrow-rs writes after the last
 * row group) are kept: column indexes as they are, offset indexes with their page offsets moved.
 * @module
 */
import { FatalRunError } from "../errors.ts";
import {
  decodeStruct,
  encodeStruct,
  field,
  T,
  type ThriftList,
  type ThriftStruct,
} from "./_thrift_compact.ts";

/** A part that can be read by byte range, e.g. a local file or an object in a bucket. */
export interface ParquetPart {
  /** Shown in error messages. */
  readonly name: string;
  /** Size in bytes. */
  size(): Promise<number>;
  /** Bytes `[start, end)`. */
  read(start: number, end: number): Promise<Uint8Array>;
  /** Releases the part (closes the file). */
  close?(): void;
}

/** What the merged file holds. */
export interface MergeResult {
  rows: number;
  rowGroups: number;
  bytes: number;
}

/** Bytes copied per read: the most part data held at once. */
export const CHUNK_BYTES = 1024 * 1024;

const MAGIC = new TextEncoder().encode("PAR1");

// Field ids from parquet.thrift.
const FILE = { SCHEMA: 2, NUM_ROWS: 3, ROW_GROUPS: 4, COLUMN_ORDERS: 7, ENCRYPTION: 8 };
const GROUP = { COLUMNS: 1, FILE_OFFSET: 5, ORDINAL: 7 };
const CHUNK = { FILE_OFFSET: 2, META: 3, OFFSET_INDEX: 4, OFFSET_INDEX_LENGTH: 5 };
const INDEX = { COLUMN: 6, COLUMN_LENGTH: 7 };
/** ColumnMetaData: data_page_offset, index_page_offset, dictionary_page_offset, bloom_filter. */
const META_OFFSETS = [9, 10, 11, 14];

/** A local file as a part. */
export async function fileParquetPart(path: string): Promise<ParquetPart> {
  const file = await Deno.open(path, { read: true });
  return {
    name: path,
    size: async () => (await file.stat()).size,
    async read(start, end) {
      const out = new Uint8Array(end - start);
      await file.seek(start, Deno.SeekMode.Start);
      for (let at = 0; at < out.length;) {
        const n = await file.read(out.subarray(at));
        if (n === null) throw new FatalRunError(`The Parquet part "${path}" ended early`);
        at += n;
      }
      return out;
    },
    close: () => file.close(),
  };
}

interface Footer {
  part: ParquetPart;
  meta: ThriftStruct;
  /** Where the pages (and bloom filters) end: the page indexes or the footer begin. */
  dataEnd: number;
  /** The page-index bytes `[dataEnd, footer start)`, empty without page indexes. */
  indexes: Uint8Array;
}

/**
 * Writes one Parquet file with the row groups of every part, in order, through `write`
 * (awaited before the next bytes). Parts given as paths are opened and closed here; a
 * {@link ParquetPart} is closed too once merged. Throws a {@link FatalRunError} naming the part
 * when a part is not a Parquet file, is encrypted or has other columns than the first, and when
 * there are no parts.
 */
export async function mergeParquetParts(
  parts: Iterable<string | ParquetPart> | AsyncIterable<string | ParquetPart>,
  write: (bytes: Uint8Array) => Promise<void>,
): Promise<MergeResult> {
  const opened: ParquetPart[] = [];
  try {
    for await (const p of parts) opened.push(typeof p === "string" ? await fileParquetPart(p) : p);
    if (opened.length === 0) throw new FatalRunError("There are no Parquet parts to merge");
    const footers: Footer[] = [];
    for (const part of opened) footers.push(await readFooter(part));
    const schema = schemaBytes(footers[0].meta);
    for (const f of footers.slice(1)) {
      if (!sameBytes(schemaBytes(f.meta), schema)) {
        throw new FatalRunError(
          `The Parquet part "${f.part.name}" has other columns than "${footers[0].part.name}"; ` +
            "all parts of one output must have the same columns",
        );
      }
    }
    await write(MAGIC);
    let at = MAGIC.length;
    const groups: ThriftStruct[] = [];
    const pending: { chunk: ThriftStruct; bytes: Uint8Array; kind: "column" | "offset" }[] = [];
    let rows = 0n;
    for (const f of footers) {
      const shift = BigInt(at - MAGIC.length);
      for (let from = MAGIC.length; from < f.dataEnd; from += CHUNK_BYTES) {
        const bytes = await f.part.read(from, Math.min(from + CHUNK_BYTES, f.dataEnd));
        await write(bytes);
        at += bytes.length;
      }
      for (const group of list(f.meta, FILE.ROW_GROUPS)) {
        pending.push(...moveGroup(group as ThriftStruct, shift, f, groups.length));
        groups.push(group as ThriftStruct);
      }
      rows += field(f.meta, FILE.NUM_ROWS)!.value as bigint;
    }
    // Column indexes first, then offset indexes, as arrow-rs lays them out.
    for (const kind of ["column", "offset"] as const) {
      for (const p of pending.filter((p) => p.kind === kind)) {
        setI64(p.chunk, kind === "column" ? INDEX.COLUMN : CHUNK.OFFSET_INDEX, BigInt(at));
        await write(p.bytes);
        at += p.bytes.length;
      }
    }
    const meta = footers[0].meta;
    setI64(meta, FILE.NUM_ROWS, rows);
    (field(meta, FILE.ROW_GROUPS)!.value as ThriftList).items = groups;
    const footer = encodeStruct(meta);
    const tail = new Uint8Array(footer.length + 8);
    tail.set(footer);
    new DataView(tail.buffer).setUint32(footer.length, footer.length, true);
    tail.set(MAGIC, footer.length + 4);
    await write(tail);
    return { rows: Number(rows), rowGroups: groups.length, bytes: at + tail.length };
  } finally {
    for (const part of opened) part.close?.();
  }
}

async function readFooter(part: ParquetPart): Promise<Footer> {
  const broken = (why: string) =>
    new FatalRunError(`The Parquet part "${part.name}" cannot be merged: ${why}`);
  const size = await part.size();
  if (size < 12) throw broken("it is too short to be a Parquet file");
  const tail = await part.read(size - 8, size);
  const magic = new TextDecoder().decode(tail.subarray(4));
  if (magic === "PARE") throw broken("it is encrypted");
  if (magic !== "PAR1") throw broken("it does not end like a Parquet file");
  const length = new DataView(tail.buffer, tail.byteOffset).getUint32(0, true);
  const footerStart = size - 8 - length;
  if (footerStart < 4) throw broken("its footer length is wrong");
  let meta: ThriftStruct;
  try {
    meta = decodeStruct(await part.read(footerStart, size - 8)).value;
  } catch (err) {
    throw broken(`its footer cannot be read (${(err as Error).message})`);
  }
  if (field(meta, FILE.ENCRYPTION)) throw broken("it is encrypted");
  if (!field(meta, FILE.NUM_ROWS) || !field(meta, FILE.SCHEMA)) throw broken("no footer fields");
  let dataEnd = footerStart;
  for (const chunk of chunks(meta)) {
    // ColumnChunk.file_path: the pages lie in another file, which is not copied here.
    if (field(chunk, 1)) throw broken("its columns are kept in other files");
    for (const id of [INDEX.COLUMN, CHUNK.OFFSET_INDEX]) {
      const offset = field(chunk, id)?.value;
      if (typeof offset === "bigint") dataEnd = Math.min(dataEnd, Number(offset));
    }
  }
  return { part, meta, dataEnd, indexes: await part.read(dataEnd, footerStart) };
}

/** Moves a row group's offsets by `shift`; returns its page indexes, to be written later. */
function moveGroup(group: ThriftStruct, shift: bigint, footer: Footer, ordinal: number) {
  const indexes: { chunk: ThriftStruct; bytes: Uint8Array; kind: "column" | "offset" }[] = [];
  moveOffset(group, GROUP.FILE_OFFSET, shift);
  if (field(group, GROUP.ORDINAL)) field(group, GROUP.ORDINAL)!.value = ordinal;
  for (const item of list(group, GROUP.COLUMNS)) {
    const chunk = item as ThriftStruct;
    moveOffset(chunk, CHUNK.FILE_OFFSET, shift);
    const meta = field(chunk, CHUNK.META)?.value as ThriftStruct | undefined;
    for (const id of META_OFFSETS) if (meta) moveOffset(meta, id, shift);
    const column = indexBytes(chunk, INDEX.COLUMN, INDEX.COLUMN_LENGTH, footer);
    if (column) indexes.push({ chunk, bytes: column, kind: "column" });
    const offsets = indexBytes(chunk, CHUNK.OFFSET_INDEX, CHUNK.OFFSET_INDEX_LENGTH, footer);
    if (offsets) {
      const index = decodeStruct(offsets).value;
      // OffsetIndex.page_locations: PageLocation.offset (field 1) is a file offset.
      for (const page of list(index, 1)) moveOffset(page as ThriftStruct, 1, shift);
      const bytes = encodeStruct(index);
      setI32(chunk, CHUNK.OFFSET_INDEX_LENGTH, bytes.length);
      indexes.push({ chunk, bytes, kind: "offset" });
    }
  }
  return indexes;
}

/** The bytes of a page index of this chunk, from the part's index region. */
function indexBytes(chunk: ThriftStruct, offsetId: number, lengthId: number, footer: Footer) {
  const offset = field(chunk, offsetId)?.value;
  const length = field(chunk, lengthId)?.value;
  if (typeof offset !== "bigint" || typeof length !== "number") return undefined;
  const from = Number(offset) - footer.dataEnd;
  if (from < 0 || from + length > footer.indexes.length) {
    throw new FatalRunError(
      `The Parquet part "${footer.part.name}" cannot be merged: a page index lies outside the file`,
    );
  }
  return footer.indexes.subarray(from, from + length);
}

function* chunks(meta: ThriftStruct): Generator<ThriftStruct> {
  for (const group of list(meta, FILE.ROW_GROUPS)) {
    for (const chunk of list(group as ThriftStruct, GROUP.COLUMNS)) yield chunk as ThriftStruct;
  }
}

function list(struct: ThriftStruct, id: number) {
  return (field(struct, id)?.value as ThriftList | undefined)?.items ?? [];
}

/** Moves a file offset; 0 stays 0 (writers put 0 in the deprecated offsets they do not fill). */
function moveOffset(struct: ThriftStruct, id: number, shift: bigint): void {
  const f = field(struct, id);
  if (f && typeof f.value === "bigint" && f.value > 0n) f.value += shift;
}

function setI64(struct: ThriftStruct, id: number, value: bigint): void {
  field(struct, id)!.value = value;
}

function setI32(struct: ThriftStruct, id: number, value: number): void {
  const f = field(struct, id);
  if (f && f.type === T.I32) f.value = value;
}

/** The schema and column orders, encoded: equal bytes mean the same columns and types. */
function schemaBytes(meta: ThriftStruct): Uint8Array {
  const ids = [FILE.SCHEMA, FILE.COLUMN_ORDERS];
  return encodeStruct({ kind: "struct", fields: meta.fields.filter((f) => ids.includes(f.id)) });
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
