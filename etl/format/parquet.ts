/**
 * Parquet output with typed, nullable columns: string → UTF8, integer → INT64, decimal → UTF8
 * text (exact; Parquet DECIMAL needs one scale per column and common JS readers turn it into
 * doubles), boolean → BOOLEAN, date → DATE, datetime → TIMESTAMP(MICROS, adjusted to UTC; no
 * offset = UTC), json → UTF8 JSON text. Rows are buffered column by column and handed to the
 * writer in pieces of up to {@link PIECE_ROWS} rows; a row group ends every `rowGroupSize` rows
 * (sooner when it holds 32 MiB, so long FHIR resources keep memory bounded): `encode()` returns
 * the bytes of finished row groups and `end()` the rest with the footer. `encodeColumns()` takes
 * rows already in typed columns (the columnar CSV → normalize path) and copies them in whole.
 *
 * Written with parquet-wasm (arrow-rs), which takes each piece as an Arrow IPC stream
 * (`_arrow_ipc.ts`): on 25 string columns it encoded ~150-300k rows/s here against ~35-70k
 * rows/s for hyparquet-writer. It runs on a helper thread (`_parquet_thread.ts`) while this one
 * reads and converts the next rows; where no thread can be started, here.
 * @module
 */
import { z } from "zod";
import { defineFormat } from "../define.ts";
import type { ColumnBatch } from "../columnar.ts";
import { FatalRunError } from "../errors.ts";
import type { Column, Format, Row, Schema } from "../types.ts";
import { RowGroupBuffer } from "./_parquet_columns.ts";
import { columnsOf, EMPTY } from "./_values.ts";

/** Config of the Parquet format. */
export const ParquetFormatConfig = z.object({
  rowGroupSize: z.number().int().min(1).max(1_000_000).default(10_000)
    // 1M Synthea patients (28 columns): peak RSS 250 MB at 10k rows a group, 360 MB at 20k,
    // 464 MB at 50k, at the same speed (~160k rows/s).
    .describe("Rows per row group (memory grows with it)"),
  compression: z.enum(["snappy", "zstd", "none"]).default("snappy")
    .describe("Page compression; snappy is read by every Parquet reader"),
  statistics: z.enum(["typed", "all", "none"]).default("typed")
    // Min/max of text rarely lets a reader skip a row group (names, ids and addresses are not
    // sorted), orders decimals written as text wrongly ("10" < "9"), and puts two whole
    // resources per page of a json column into the file; on 1M Synthea patients it cost ~10%
    // of the write and ~10 MB.
    .describe(
      "Min/max statistics: typed = numbers, dates and booleans only; all = text too; none",
    ),
});

/**
 * Rows handed to the writer at a time (fewer when `rowGroupSize` is smaller). Half a default row
 * group: with pieces of 10k rows, the two threads held ~8 MB more (peak 187–198 MB on 1M Synthea
 * patients, against 180–190 MB), for no measurable speed.
 */
const PIECE_ROWS = 5_000;

/** Buffered text that sends a piece early (long FHIR resources). */
const MAX_PIECE_BYTES = 32 * 1024 * 1024;

type Io = typeof import("./_arrow_ipc.ts") & typeof import("./_parquet_thread.ts");
let io: Promise<Io> | undefined;

/**
 * The Arrow IPC writer and the helper thread's client, loaded once and only when a Parquet file
 * is written; the wasm writer itself loads only where it runs (the thread, or here without one).
 */
function loadIo(): Promise<Io> {
  io ??= Promise.all([import("./_arrow_ipc.ts"), import("./_parquet_thread.ts")])
    .then(([ipc, thread]) => ({ ...ipc, ...thread }));
  return io;
}

/** A Parquet writer: on a helper thread, or on this one where no helper thread can run. */
type Stream =
  | import("./_parquet_stream.ts").ParquetStream
  | import("./_parquet_thread.ts").ParquetThread;

let threads = true;

/**
 * Whether long Parquet outputs are encoded on a helper thread (the default) or on the run's own
 * thread; the bytes are the same. The portal and the CLI set it from `PARQUET_THREAD`; tests use
 * it to compare the two.
 */
export function setParquetThread(on: boolean): void {
  threads = on;
}

/** The Parquet format. */
export const parquetFormat = defineFormat({
  type: "parquet",
  title: "Parquet",
  description: "Columnar Parquet file with typed columns, for analytics tools",
  config: ParquetFormatConfig,
  secrets: [],
  extension: "parquet",
  contentType: "application/vnd.apache.parquet",
  columnar: true,
  create(config, schema, { oneGo = false }) {
    let buffer: RowGroupBuffer | undefined;
    let stream: Stream | undefined;

    /**
     * Hands a piece to the writer; its bytes are kept in the stream until `taken()`. A helper
     * thread starts only for an output in one go whose first piece is full (`last` is false):
     * its start (~0.3 s, 60–90 ms of it on this thread) would cost a small file or a run step
     * more than it saves.
     */
    const flush = async (group: RowGroupBuffer, last = false): Promise<void> => {
      const lib = await loadIo();
      const { columns, rows } = group.take();
      const text = textColumns(group.columns);
      const thread = threads && oneGo && !last;
      stream ??= (thread ? lib.ParquetThread.start(config, text) : undefined) ??
        new (await import("./_parquet_stream.ts")).ParquetStream(config, text);
      await stream.write(lib.ipcBatch(group.columns, columns, rows), rows);
    };
    const taken = () => stream?.take() ?? EMPTY;

    const piece = Math.min(PIECE_ROWS, config.rowGroupSize);
    return {
      async encode(rows: Row[]) {
        if (rows.length === 0) return EMPTY;
        const group = buffer ??= new RowGroupBuffer(columnsOf(schema, rows));
        for (const row of rows) {
          group.push(row);
          if (group.rows >= piece || group.textBytes >= MAX_PIECE_BYTES) await flush(group);
        }
        return taken();
      },
      async encodeColumns(batch) {
        if (batch.rows === 0) return EMPTY;
        const group = buffer ??= new RowGroupBuffer(sameColumns(schema, batch));
        for (let from = 0; from < batch.rows;) {
          const n = Math.min(batch.rows - from, piece - group.rows);
          group.append(batch, from, n);
          from += n;
          if (group.rows >= piece || group.textBytes >= MAX_PIECE_BYTES) await flush(group);
        }
        return taken();
      },
      async end() {
        if (buffer && buffer.rows > 0) await flush(buffer, true);
        if (stream) return await stream.close();
        const [lib, { ParquetStream }] = await Promise.all([
          loadIo(),
          import("./_parquet_stream.ts"),
        ]);
        const columns = buffer?.columns ?? columnsOf(schema, []);
        return ParquetStream.empty(lib.ipcEmpty(columns), config, textColumns(columns));
      },
      close() {
        if (stream && "dispose" in stream) stream.dispose();
      },
    };
  },
});

/** Columns written as UTF-8 text. */
function textColumns(columns: readonly Column[]): string[] {
  return columns.filter((c) => c.type === "string" || c.type === "decimal" || c.type === "json")
    .map((c) => c.name);
}

/** The schema's columns, checked against a column batch's (a mismatch is an engine bug). */
function sameColumns(schema: Schema, batch: ColumnBatch): Column[] {
  const names = batch.columns.map((c) => `${c.name}:${c.type}`).join(",");
  if (names !== schema.columns.map((c) => `${c.name}:${c.type}`).join(",")) {
    throw new FatalRunError(`Columns ${names} do not match the Parquet schema`);
  }
  return schema.columns;
}

/** Joins whole files of one format (absolute paths), in order, into one written through `write`. */
export type PartMerger = (
  parts: string[],
  write: (bytes: Uint8Array) => Promise<void>,
) => Promise<void>;

/**
 * How an output is joined from whole files, one per run step, for a format whose encoder cannot
 * continue an output in another step: Parquet, whose row groups are copied without re-encoding.
 * Undefined for every other format.
 */
export function partMergerOf(format: Format): PartMerger | undefined {
  if (format.type !== parquetFormat.type) return undefined;
  return async (parts, write) => {
    // Loaded only when a run written in steps is published.
    const { mergeParquetParts } = await import("./_parquet_merge.ts");
    await mergeParquetParts(parts, write);
  };
}
