/**
 * The run's on-disk store of per-record facts (SQLite through `node:sqlite`): what the report
 * cannot count in a fixed-size state — ids and content hashes for the comparison with the
 * previous run, identifiers for duplicates, patient references and birth / occurrence days
 * for checks across records that may arrive in any order. Written one batch per transaction,
 * queried when the report is finished. Memory stays flat: SQLite keeps its page cache bounded.
 *
 * Every record has a position `seq` in the run (the report state's counter). A step that
 * crashed after writing batches but before its state was saved leaves rows past the saved
 * state; the next write from that state deletes them first, so a retried step counts nothing
 * twice.
 * @module
 */
import { mkdirSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";

/** Record kinds in the store. */
export const KIND = { row: 0, patient: 1, immunization: 2, resource: 3 } as const;

/** Identifiers kept per patient; the key of an identifier row is `seq * 64 + n`. */
export const IDENTIFIERS_PER_PATIENT = 64;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS records (
  seq INTEGER PRIMARY KEY,
  kind INTEGER NOT NULL,
  id TEXT,
  hash INTEGER,
  ref,
  birth INTEGER,
  patient TEXT,
  day INTEGER
);
CREATE TABLE IF NOT EXISTS idents (k INTEGER PRIMARY KEY, h INTEGER NOT NULL);
`;

/** Rows of one batch, flattened per statement shape (see the column lists in {@link SHAPES}). */
export interface PendingRecords {
  patient: SQLInputValue[];
  immunization: SQLInputValue[];
  other: SQLInputValue[];
  idents: SQLInputValue[];
}

/** Statement shapes: the columns each kind of row fills. */
const SHAPES = {
  patient: "INSERT OR REPLACE INTO records (seq, kind, id, hash, ref, birth) VALUES ",
  immunization: "INSERT OR REPLACE INTO records (seq, kind, id, hash, ref, patient, day) VALUES ",
  other: "INSERT OR REPLACE INTO records (seq, kind, id, hash, ref) VALUES ",
  idents: "INSERT OR REPLACE INTO idents (k, h) VALUES ",
} as const;
const TUPLES = {
  patient: "(?, 1, ?, ?, ?, ?)",
  immunization: "(?, 2, ?, ?, ?, ?, ?)",
  other: "(?, ?, ?, ?, ?)",
  idents: "(?, ?)",
} as const;
const WIDTH = { patient: 5, immunization: 6, other: 5, idents: 2 } as const;
/** Rows per multi-row INSERT: each call through node:sqlite costs ~2 µs, so fewer is faster. */
const CHUNK = 32;

type Shape = keyof typeof SHAPES;

/** An open store. Open per step with {@link openIdStore}; close before the step commits. */
export class IdStore {
  /** The database file. */
  readonly path: string;
  /** The connection, for the report's queries (analytics/ internal). */
  readonly db: DatabaseSync;
  #statements = new Map<string, StatementSync>();
  /** The seq this connection's next write continues from; -1 until it wrote once. */
  #next = -1;

  constructor(path: string) {
    this.path = path;
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.db = new DatabaseSync(path);
    this.db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;" + SCHEMA);
  }

  #statement(shape: Shape, rows: number): StatementSync {
    const key = `${shape}:${rows}`;
    let s = this.#statements.get(key);
    if (s === undefined) {
      s = this.db.prepare(SHAPES[shape] + new Array(rows).fill(TUPLES[shape]).join(", "));
      this.#statements.set(key, s);
    }
    return s;
  }

  #insert(shape: Shape, flat: SQLInputValue[]): void {
    const width = WIDTH[shape];
    const rows = flat.length / width;
    let i = 0;
    for (; i + CHUNK <= rows; i += CHUNK) {
      this.#statement(shape, CHUNK).run(...flat.slice(i * width, (i + CHUNK) * width));
    }
    if (i < rows) this.#statement(shape, rows - i).run(...flat.slice(i * width));
  }

  /**
   * Write one batch's records, which start at position `from`, in one transaction. Rows a
   * crashed step left at or after `from` are deleted first.
   */
  write(from: number, pending: PendingRecords, next: number): void {
    this.db.exec("BEGIN");
    try {
      if (from !== this.#next) {
        this.db.prepare("DELETE FROM records WHERE seq >= ?").run(from);
        this.db.prepare("DELETE FROM idents WHERE k >= ?").run(from * IDENTIFIERS_PER_PATIENT);
      }
      for (const shape of Object.keys(SHAPES) as Shape[]) this.#insert(shape, pending[shape]);
      this.db.exec("COMMIT");
      this.#next = next;
    } catch (err) {
      this.db.exec("ROLLBACK");
      throw err;
    }
  }

  /** Make every write durable (a WAL checkpoint syncs the file) and close. */
  close(): void {
    if (!this.db.isOpen) return;
    this.db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    this.db.close();
  }
}

/**
 * Open (or create) a run's store at `path` (see `analyticsPaths()`); parent folders are
 * created.
 *
 * @example
 * ```ts
 * const store = openIdStore("data/analytics/clinic-a/runs/r1.sqlite");
 * state = addBatch(state, batch, store);
 * store.close();
 * ```
 */
export function openIdStore(path: string): IdStore {
  return new IdStore(path);
}

/** Delete a run's store and its WAL companions (after the run ended and was promoted or not). */
export function removeIdStore(path: string): void {
  for (const suffix of ["", "-wal", "-shm"]) rmSync(path + suffix, { force: true });
}
