/**
 * An incremental Parquet writer on parquet-wasm (arrow-rs): record batches go in one at a time,
 * the bytes of finished row groups come out, and `close()` returns the rest with the footer.
 *
 * parquet-wasm only streams through `transformParquetStream` (a stream of batches in, a stream
 * of bytes out). The input stream has no buffer (high-water mark 0), so the writer asks for the
 * next batch only after it has written the previous one: `write()` waits for that request and
 * then hands back whatever bytes came out. parquet-wasm ignores write errors inside the stream,
 * so `close()` checks the row count in the footer against the rows put in.
 * @module
 */
import { parquetMetadata } from "hyparquet";
import * as pw from "parquet-wasm";
import { FatalRunError } from "../errors.ts";
import { concatBytes, EMPTY } from "./_values.ts";

/** Writer settings: codec and rows per row group. */
export interface ParquetStreamOptions {
  compression: "snappy" | "zstd" | "none";
  rowGroupSize: number;
}

const CODECS = {
  snappy: pw.Compression.SNAPPY,
  zstd: pw.Compression.ZSTD,
  none: pw.Compression.UNCOMPRESSED,
};

function properties(options: ParquetStreamOptions): pw.WriterProperties {
  return new pw.WriterPropertiesBuilder()
    .setCompression(CODECS[options.compression])
    // Dictionary pages halve write speed on identifier-like columns (ids, names) for ~5%
    // smaller files (measured on Synthea patients: 880 → 490 ms per 100k rows).
    .setDictionaryEnabled(false)
    .setMaxRowGroupSize(options.rowGroupSize)
    .setCreatedBy("PyxGen Portal (parquet-wasm)")
    .build();
}

/** A Parquet file written batch by batch. Calls must not overlap: await each one. */
export class ParquetStream {
  readonly #options: ParquetStreamOptions;
  readonly #input: ReadableStream<pw.RecordBatch>;
  #controller!: ReadableStreamDefaultController<pw.RecordBatch>;
  #requests = 0;
  #waiter: (() => void) | undefined;
  #reading: Promise<void> | undefined;
  #failure: unknown;
  #ended = false;
  #chunks: Uint8Array[] = [];
  #rows = 0;

  constructor(options: ParquetStreamOptions) {
    this.#options = options;
    this.#input = new ReadableStream<pw.RecordBatch>({
      start: (controller) => {
        this.#controller = controller;
      },
      pull: () => this.#requested(),
    }, { highWaterMark: 0 });
  }

  /** Writes one batch (an Arrow IPC stream) and returns the bytes the file grew by. */
  async write(ipc: Uint8Array, rows: number): Promise<Uint8Array> {
    const table = pw.Table.fromIPCStream(ipc);
    const batch = table.recordBatch(0);
    table.free();
    if (!batch) return EMPTY;
    this.#rows += rows;
    this.#controller.enqueue(batch);
    if (!this.#reading) {
      const output = await pw.transformParquetStream(this.#input, properties(this.#options));
      this.#reading = this.#drain(output);
    }
    await this.#nextRequest();
    return this.#take();
  }

  /** Ends the file: the last row group, the page indexes and the footer. */
  async close(): Promise<Uint8Array> {
    this.#controller.close();
    await this.#reading;
    const tail = this.#take();
    const written = Number(parquetMetadata(tail.slice().buffer).num_rows);
    if (written !== this.#rows) {
      throw new FatalRunError(`The Parquet writer wrote ${written} of ${this.#rows} rows`);
    }
    return tail;
  }

  /** A whole file without rows, with the columns of this IPC schema. */
  static empty(ipc: Uint8Array, options: ParquetStreamOptions): Uint8Array {
    return pw.writeParquet(pw.Table.fromIPCStream(ipc), properties(options));
  }

  #requested(): void {
    const waiter = this.#waiter;
    this.#waiter = undefined;
    if (waiter) waiter();
    else this.#requests++;
  }

  #nextRequest(): Promise<void> {
    if (this.#ended) return Promise.resolve();
    if (this.#requests > 0) {
      this.#requests--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiter = resolve);
  }

  async #drain(output: ReadableStream<Uint8Array>): Promise<void> {
    try {
      for await (const chunk of output) this.#chunks.push(chunk);
    } catch (err) {
      this.#failure = err;
    } finally {
      // A writer that stopped early will never ask for another batch: wake `write()`.
      this.#ended = true;
      this.#waiter?.();
      this.#waiter = undefined;
    }
  }

  #take(): Uint8Array {
    if (this.#failure) {
      throw new FatalRunError(`Cannot write the Parquet file: ${String(this.#failure)}`);
    }
    const bytes = concatBytes(this.#chunks);
    this.#chunks = [];
    return bytes;
  }
}
