/**
 * The contracts between the engine's parts: rows, batches, cursors, schemas, the run context
 * and the extractor / transformer / format / loader entries.
 * @module
 */
import type { z } from "zod";
import type { Columnar, ColumnBatch } from "./columnar.ts";

/** One record as it flows through the pipeline. */
export type Row = Record<string, unknown>;

/**
 * Where a row came from, so a rejected row can be traced back:
 * file + line, table + key, or URL + index.
 */
export interface SourceRef {
  /** File name, table name or URL. */
  source: string;
  /** 1-based physical line where the record starts (files). */
  line?: number;
  /** Primary key or other key value (tables). */
  key?: string;
  /** 0-based position of the record in its source (JSON arrays, API pages). */
  index?: number;
}

/** An extractor's resumable position; plain JSON so it can be stored in KV. */
export type Cursor = Record<string, string | number | boolean | null>;

/** A slice of rows, their source references (same order) and the cursor after the last row. */
export interface Batch {
  rows: Row[];
  refs: SourceRef[];
  cursor: Cursor;
  /**
   * Records the extractor read but could not turn into rows (ragged lines, bad JSON), with the
   * reason. They travel with the batch so a resumed run never reports them twice.
   */
  rejected?: { ref: SourceRef; reason: string }[];
  /**
   * Incremental sources: the greatest cursor-column value read so far (as text). The run keeps
   * the last one and, when it succeeds, passes it as `since` to the next run.
   */
  highWater?: string;
  /**
   * The rows as a CSV block or typed columns instead of objects; `rows` and `refs` are then
   * empty. Only in plans whose every stage takes them (see `columnar` on the entries).
   */
  columnar?: Columnar;
}

/** Column types the engine infers, coerces and writes. */
export type ColumnType =
  | "string"
  | "integer"
  | "decimal"
  | "boolean"
  | "date"
  | "datetime"
  | "json";

/** All column types, in the order inference prefers them. */
export const COLUMN_TYPES: readonly ColumnType[] = [
  "integer",
  "decimal",
  "boolean",
  "date",
  "datetime",
  "json",
  "string",
];

/** One column of a schema. */
export interface Column {
  name: string;
  type: ColumnType;
}

/**
 * The shape of the rows at some point of the pipeline. When `resource` is set, each row holds a
 * FHIR resource in that column and the other columns are its key fields: JSON and NDJSON
 * formats then write the resource itself.
 */
export interface Schema {
  columns: Column[];
  resource?: string;
}

/** The stages every run counts, in order. */
export type Stage = "read" | "normalized" | "mapped" | "valid" | "written";

/** All stages in pipeline order. */
export const STAGES: readonly Stage[] = ["read", "normalized", "mapped", "valid", "written"];

/** Per-stage counts of a run: rows that passed each stage, and rows rejected in all. */
export type StageCounts = Record<Stage | "rejected", number>;

/** Fingerprint of one input, for the run manifest. */
export interface InputFingerprint {
  path: string;
  size: number;
  sha256: string;
}

/** What a loader reports when its output is published. */
export interface LoadResult {
  records: number;
  bytes: number;
  /** A path relative to the repository root, an `s3://` URI or a table name. */
  location: string;
  /** `sha256:<hex>` of the bytes written, when the repository holds bytes. */
  checksum?: string;
  /** The object store's ETag (S3). */
  etag?: string;
}

/** What every entry's `run` receives besides its config. */
export interface RunContext {
  /** Aborted when the run is cancelled or times out. */
  signal: AbortSignal;
  /** The run's date: age bands, "not in the future" checks. */
  now: Date;
  /** Directory that relative input paths are resolved against. */
  inputRoot: string;
  /** Directory the file repository writes under; nothing is written outside it. */
  outputRoot: string;
  /** Report a row that cannot go on, with the stage where it stopped and why. */
  reject(ref: SourceRef, stage: Stage, reason: string): void;
  /**
   * Whether sources and repositories may reach private, loopback and link-local addresses.
   * Off in the hosted deployment (a tenant must not reach our own network); tests and a
   * single-clinic install turn it on explicitly.
   */
  allowPrivateNetwork: boolean;
  /** Who and what this run is: used in key templates (`{tenant}/{pipeline}/{run}`) and names. */
  ids: RunIds;
  /**
   * Tell the run's users something that happened but did not stop it, e.g. a request that
   * is being retried: `GET https://api.example.org/patients answered HTTP 503; retry 1 of 3
   * in 1 s`. Shown on the run; never give it secrets.
   */
  note?(message: string): void;
}

/** The names a run is known by. */
export interface RunIds {
  tenant: string;
  pipeline: string;
  run: string;
}

/** What a successful "Test connection" says, e.g. `Connected to MariaDB 10.11.19 as root`. */
export interface ConnectionCheck {
  message: string;
}

/** A table or endpoint a source can read, with its columns, for the dashboard's pickers. */
export interface CatalogTable {
  /** `schema.table` or `table`. */
  name: string;
  columns: Column[];
  /** Row count when cheap to know (estimates allowed). */
  rows?: number;
}

/** Anything with a zod schema for its config and named secret fields. */
interface EntryBase<C extends z.ZodType> {
  /** Stored in pipelines and runs: never rename one. */
  type: string;
  title: string;
  description: string;
  config: C;
  /** Config fields holding secrets: the vault encrypts them, logs and pages mask them. */
  secrets: readonly string[];
}

/** Options of one extraction. */
export interface ExtractOptions {
  /** Resume after this cursor; from the start when missing. */
  from?: Cursor;
  /** Rows per batch. */
  batchSize: number;
  /**
   * Incremental reads: only rows whose cursor column is greater than this value (the high-water
   * mark of the last successful run). Ignored by sources without a cursor column.
   */
  since?: string;
  /** The rest of the plan takes a CSV block: an extractor that can may yield them. */
  columnar?: boolean;
}

/** A source: yields batches from a cursor. */
export interface Extractor<C extends z.ZodType = z.ZodType> extends EntryBase<C> {
  run(ctx: RunContext, config: z.output<C>, options: ExtractOptions): AsyncIterable<Batch>;
  /** Yields CSV block batches when asked with `columnar` (it may still yield rows). */
  columnar?: boolean;
  /**
   * Column names known without reading rows (a CSV header), so a file with no rows is still
   * checked against the mapping. Optional: rows of a sample are used otherwise.
   */
  columns?(ctx: RunContext, config: z.output<C>): Promise<string[]>;
  /**
   * How many rows a run will read, when the source can say so cheaply (a database COUNT, a FHIR
   * Bundle's `total`); undefined when it cannot. Never reads the rows themselves. Optional and
   * only for progress: it never throws, and a failure (server down, too slow) is undefined,
   * since the read reports the real error. The total of a read from the start, with `since`
   * as the read would use it.
   */
  count?(
    ctx: RunContext,
    config: z.output<C>,
    options: { since?: string },
  ): Promise<number | undefined>;
  /** Fingerprints of the inputs (files) for the manifest; empty for live sources. */
  fingerprint(ctx: RunContext, config: z.output<C>): Promise<InputFingerprint[]>;
  /**
   * "Test connection": connect and say so within a few seconds, or throw a ConfigError /
   * RetriableError whose message tells the user what is wrong (wrong password, unknown
   * database, host unreachable, TLS required).
   */
  test?(ctx: RunContext, config: z.output<C>): Promise<ConnectionCheck>;
  /** "List tables/columns" for the dashboard; same error rules as `test`. */
  catalog?(ctx: RunContext, config: z.output<C>): Promise<CatalogTable[]>;
}

/** A transformation: rows in, rows out, rejections reported on the context. */
export interface Transformer<C extends z.ZodType = z.ZodType> extends EntryBase<C> {
  /** The stage whose count this transformer's surviving rows make. */
  stage: Stage;
  /**
   * Called once before the run with a sample of input rows: returns the config to run with
   * (e.g. inferred column types filled in) and problems found (unknown columns), each as
   * `path: message` relative to this transform.
   */
  prepare(
    config: z.output<C>,
    input: Schema,
    sample: Row[],
  ): { config: z.output<C>; schema: Schema; problems: string[] };
  run(ctx: RunContext, config: z.output<C>, batch: Batch): Batch;
  /** `run` also takes a CSV block batch and returns a {@link ColumnBatch} one. */
  columnar?: boolean;
}

/** Turns rows into bytes: CSV, SQL, JSON, NDJSON, Parquet. */
export interface Format<C extends z.ZodType = z.ZodType> extends EntryBase<C> {
  extension: string;
  contentType: string;
  /** Its encoders have `encodeColumns`. */
  columnar?: boolean;
  create(
    config: z.output<C>,
    schema: Schema,
    options: {
      table: string;
      resume?: EncoderState;
      /**
       * The output is written in one go (not in run steps): the encoder may start a helper
       * thread, which pays for its start (~0.3 s) only over a long output (Parquet).
       */
      oneGo?: boolean;
    },
  ): Encoder;
}

/**
 * A stateful encoder for one output. The bytes each call returns may live in a buffer the
 * encoder reuses: they are valid until its next call, so a sink writes or copies them at once.
 */
export interface Encoder {
  /** Bytes for these rows (may be empty when the format buffers, like Parquet). */
  encode(rows: Row[]): Uint8Array | Promise<Uint8Array>;
  /** Bytes for rows held as typed columns; formats with `columnar` set have it. */
  encodeColumns?(batch: ColumnBatch): Uint8Array | Promise<Uint8Array>;
  /** The closing bytes (footer, closing bracket). */
  end(): Uint8Array | Promise<Uint8Array>;
  /**
   * Lets go of what the encoder holds (Parquet: its helper thread) when the output is abandoned
   * before `end()`; safe to call at any time, more than once.
   */
  close?(): void;
  /**
   * What a new encoder needs to continue this output in another step or process (CSV: header
   * written; JSON: an item written). Formats that cannot continue (Parquet) leave it out.
   */
  state?(): EncoderState;
}

/** An encoder's resumable state: plain JSON. */
export type EncoderState = Record<string, string | number | boolean | null>;

/** A sink's resumable state, saved with the run's cursor: plain JSON, no secrets. */
export type SinkState = Record<string, unknown>;

/** What a loader's `open` gets to know about the output. */
export interface LoadTarget {
  /** Missing for repositories that store rows, not bytes (`needsFormat: false`). */
  format?: Format;
  formatConfig: unknown;
  schema: Schema;
  /** Pipeline name, used in default file and table names. */
  name: string;
  /**
   * The run engine writes this output in bounded steps: the sink must offer `checkpoint` and
   * `suspend`. Off for straight runs (CLI), where a sink may stream without checkpoints.
   */
  steps?: boolean;
}

/** An open output: writes stage data, publishes at commit, leaves nothing on abort. */
export interface Sink {
  write(batch: Batch): Promise<void>;
  commit(): Promise<LoadResult>;
  abort(): Promise<void>;
  /**
   * Bounded steps (the run engine): make everything written so far durable and return the state
   * to continue from exactly here. Sinks without it can only run a pipeline in one go.
   */
  checkpoint?(): Promise<SinkState>;
  /** Release files and connections without publishing or discarding: a later step resumes. */
  suspend?(): Promise<void>;
}

/** A repository: database, files, S3. */
export interface Loader<C extends z.ZodType = z.ZodType> extends EntryBase<C> {
  /** Files and objects need an output format; database tables take the rows as they are. */
  needsFormat: boolean;
  /** Its sinks take {@link ColumnBatch} batches when the format's encoders do. */
  columnar?: boolean;
  /** "Test connection", as for sources. */
  test?(ctx: RunContext, config: z.output<C>): Promise<ConnectionCheck>;
  /**
   * Open the output. With `resume` (a state from `checkpoint()`), continue that output, dropping
   * anything written after the checkpoint (a step that crashed before its commit).
   */
  open(
    ctx: RunContext,
    config: z.output<C>,
    target: LoadTarget,
    resume?: SinkState,
  ): Promise<Sink>;
}
