/**
 * The SQLite repository: a database file under the output folder (created when missing).
 * Rows go into a staging table `_pyxgen_stage_<run>` in the file; commit moves them into the
 * table in ONE transaction (the table is created in it when missing) and drops the staging
 * table, so a failed run leaves the file's table as it was. Abort drops the staging table (and
 * the file, when this run created it and nothing else is in it).
 *
 * In bounded steps the staging table outlives the connection: every row carries the number of
 * the batch that wrote it (each batch is its own transaction), `checkpoint()` says which batch
 * is the last one saved, and `open` with that state deletes the rows of later batches (a step
 * that crashed after its checkpoint) and goes on numbering from there.
 *
 * Types: text, decimals (exact, as written), dates, date-times (`2024-03-01T08:20:30.500000Z`,
 * UTC) and JSON are TEXT (json_extract() reads it); integers INTEGER; booleans 0/1. The file
 * keeps SQLite's default rollback journal rather than WAL: it is one self-contained file when
 * the run ends, with no -wal/-shm companions to forget when it is copied.
 * @module
 */
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { DatabaseSync, type SQLInputValue } from "node:sqlite";
import { z } from "zod";
import { defineLoader } from "../define.ts";
import { ConfigError } from "../errors.ts";
import { resolveInside } from "../paths.ts";
import type { Batch, Column, LoadTarget, RunContext, Sink, SinkState } from "../types.ts";
import { DbLoadFields } from "../db/options.ts";
import { assertKeyColumns, assertTableFits } from "../db/_load_checks.ts";
import {
  describeRef,
  loadColumns,
  type Param,
  paramWriter,
  SEQ_COLUMN,
  sqliteDatetime,
  sqliteInteger,
  stageName,
} from "../db/_load_values.ts";
import { moveSql, quoteSqlite, sqliteError, sqliteShape } from "../db/_load_sqlite.ts";
import { BATCH_COLUMN, stageGone, type StageState, stageStateOf } from "../db/_load_steps.ts";
import { SQL_DIALECTS } from "../format/_sql_dialects.ts";

/** Config of the SQLite repository. */
export const SqliteLoadConfig = z.object({
  path: z.string().min(1).describe(
    "Database file relative to the output folder, e.g. clinic.sqlite (created when missing)",
  ),
  table: z.string().min(1).max(128).regex(
    /^[A-Za-z_][A-Za-z0-9_$]*$/,
    "must be a table name (letters, digits, _)",
  ).describe("Target table (created from the data's columns when missing)"),
  mode: DbLoadFields.mode,
  key: DbLoadFields.key,
}).superRefine((c, issue) => {
  if (c.mode === "upsert" && !c.key?.length) {
    issue.addIssue({
      code: "custom",
      path: ["key"],
      message: 'upsert needs the key column(s) that identify a row (FHIR resources: ["id"])',
    });
  }
});

/** A parsed SQLite repository config. */
export type SqliteLoadConfig = z.output<typeof SqliteLoadConfig>;

// The same column types as the SQL export's SQLite dialect, so both outputs agree.
const TYPES = SQL_DIALECTS.sqlite.types;

function columnDefs(columns: readonly Column[], key: readonly string[]): string[] {
  const keyed = new Set(key.map((k) => k.toLowerCase()));
  return columns.map((c) =>
    `${quoteSqlite(c.name)} ${TYPES[c.type]}${keyed.has(c.name.toLowerCase()) ? " NOT NULL" : ""}`
  );
}

/**
 * Opens the file and its staging table; throws where `open` rejects. Synchronous, as node:sqlite
 * is: a batch is written while the run waits for it.
 */
function openSqlite(
  ctx: RunContext,
  config: SqliteLoadConfig,
  target: LoadTarget,
  resumeState?: SinkState,
): Sink {
  const key = config.key ?? [];
  if (config.mode === "upsert" && key.length === 0) {
    throw new ConfigError("Upsert needs the key column(s) that identify a row (key)");
  }
  const full = resolveInside(ctx.outputRoot, config.path, "database file");
  const label = `${config.path}:${config.table}`;
  const existed = existsSync(full);
  const stageTable = stageName(ctx.ids.run);
  const resume = resumeState ? stageStateOf(resumeState, stageTable) : undefined;
  // Whether this run made the file, so that abort in a later step may remove it again.
  const created = resume ? resumeState?.created === true : !existed;
  if (resume && !existed) {
    throw stageGone(stageTable, `was not found: the file ${config.path} is gone`);
  }
  let db: DatabaseSync;
  try {
    mkdirSync(dirname(full), { recursive: true });
    db = new DatabaseSync(full);
    // Wait for another writer rather than fail at once; read the schema to catch non-SQLite.
    db.exec("PRAGMA busy_timeout = 5000");
    db.prepare("SELECT COUNT(*) FROM sqlite_schema").get();
  } catch (err) {
    throw sqliteError(err, config.path);
  }
  const table = quoteSqlite(config.table);
  const stage = `main.${quoteSqlite(stageTable)}`;
  const batchColumn = quoteSqlite(BATCH_COLUMN);
  // Columns told by the first rows of an earlier step come back with its state.
  let columns = loadColumns(target.schema) ?? resume?.columns;
  let writers: ((v: unknown) => Param)[] = [];
  let insert: ReturnType<DatabaseSync["prepare"]> | undefined;
  let records = resume?.records ?? 0;
  let batches = resume?.batches ?? 0;
  let open = true;

  const prepare = (cols: Column[], resumed = false) => {
    assertKeyColumns(cols, key);
    const shape = sqliteShape(db, config.table);
    if (shape) assertTableFits(label, shape, cols, config.mode, key);
    if (resumed) {
      const found = db.prepare(
        "SELECT 1 FROM main.sqlite_schema WHERE type = 'table' AND name = ?",
      ).get(stageTable);
      if (!found) throw stageGone(stageTable, `was not found in ${config.path}`);
      // Rows a step wrote after its last checkpoint: the batches after it are written again.
      db.prepare(`DELETE FROM ${stage} WHERE ${batchColumn} > ?`).run(batches);
    } else {
      db.exec(`DROP TABLE IF EXISTS ${stage}`);
      db.exec(
        `CREATE TABLE ${stage} (${quoteSqlite(SEQ_COLUMN)} INTEGER PRIMARY KEY, ` +
          `${batchColumn} INTEGER NOT NULL DEFAULT 0, ${columnDefs(cols, []).join(", ")})`,
      );
    }
    insert = db.prepare(
      `INSERT INTO ${stage} (${
        [...cols.map((c) => quoteSqlite(c.name)), batchColumn].join(", ")
      }) VALUES (${cols.map(() => "?").join(", ")}, ?)`,
    );
    writers = cols.map((c) => {
      const write = paramWriter(c.type, sqliteDatetime);
      return c.type === "integer" ? (v: unknown) => sqliteInteger(write(v)) : write;
    });
    columns = cols;
  };
  const close = () => {
    if (!open) return;
    open = false;
    db.close();
  };
  const rollback = () => {
    if (db.isTransaction) db.exec("ROLLBACK");
  };
  /** Drops the staging table; a file this run created and nothing else filled goes too. */
  const discard = () => {
    if (!open) return;
    let empty = false;
    try {
      rollback();
      db.exec(`DROP TABLE IF EXISTS ${stage}`);
      const { n } = db.prepare("SELECT COUNT(*) AS n FROM main.sqlite_schema").get() as {
        n: number;
      };
      empty = n === 0;
    } finally {
      close();
      if (created && empty) rmSync(full, { force: true });
    }
  };

  try {
    // A resumed run that staged nothing yet (its columns come with the rows) has no table.
    if (columns) prepare(columns, resume !== undefined);
  } catch (err) {
    if (resume) close();
    else {
      try {
        discard();
      } catch { /* the first error is the one to report */ }
    }
    throw sqliteError(err, config.path);
  }

  const writeBatch = (batch: Batch) => {
    if (!columns) {
      const cols = loadColumns(target.schema, batch.rows);
      if (!cols) return;
      prepare(cols);
    }
    db.exec("BEGIN");
    try {
      batch.rows.forEach((row, i) => {
        const values = columns!.map((c, j) => writers[j](row[c.name]) as SQLInputValue);
        try {
          insert!.run(...values, batches + 1);
        } catch (err) {
          throw new ConfigError(
            `${sqliteError(err, config.path).message} (${describeRef(batch.refs[i])})`,
          );
        }
      });
      db.exec("COMMIT");
    } catch (err) {
      rollback();
      throw err;
    }
    if (batch.rows.length > 0) batches++;
    records += batch.rows.length;
  };

  return {
    write(batch) {
      try {
        writeBatch(batch);
        return Promise.resolve();
      } catch (err) {
        return Promise.reject(sqliteError(err, config.path));
      }
    },
    commit() {
      try {
        // IMMEDIATE: take the write lock first, so no other writer slips in between.
        db.exec("BEGIN IMMEDIATE");
        const shape = sqliteShape(db, config.table);
        if (!columns) {
          if (shape && config.mode === "replace") db.exec(`DELETE FROM main.${table}`);
        } else {
          if (shape) assertTableFits(label, shape, columns, config.mode, key);
          else {
            const defs = columnDefs(columns, key);
            if (key.length) defs.push(`PRIMARY KEY (${key.map(quoteSqlite).join(", ")})`);
            db.exec(`CREATE TABLE main.${table} (${defs.join(", ")})`);
          }
          for (const sql of moveSql(config.mode, `main.${table}`, stage, columns, key)) {
            db.exec(sql);
          }
        }
        db.exec(`DROP TABLE IF EXISTS ${stage}`);
        db.exec("COMMIT");
      } catch (err) {
        try {
          rollback();
          // A resumed run's staged rows are kept for another try: the run discards them.
          if (resume) close();
          else discard();
        } catch { /* the first error is the one to report */ }
        close();
        return Promise.reject(sqliteError(err, config.path));
      }
      close();
      return Promise.resolve({ records, bytes: 0, location: label });
    },
    abort() {
      try {
        discard();
        return Promise.resolve();
      } catch (err) {
        return Promise.reject(sqliteError(err, config.path));
      }
    },
    checkpoint() {
      if (!open) {
        return Promise.reject(new ConfigError("This output was already committed or aborted"));
      }
      // Every batch was its own committed transaction: what is staged is durable.
      const state: StageState & SinkState = { stage: stageTable, batches, records, created };
      if (columns) state.columns = columns.map((c) => ({ name: c.name, type: c.type }));
      return Promise.resolve({ ...state });
    },
    suspend() {
      close();
      return Promise.resolve();
    },
  };
}

/** The SQLite repository. */
export const sqliteLoader = defineLoader({
  type: "sqlite",
  title: "SQLite database file",
  description:
    "A table in a SQLite file under the output folder, created when missing; rows are staged and published in one transaction (append, replace or upsert by key)",
  config: SqliteLoadConfig,
  secrets: [],
  needsFormat: false,
  open(ctx, config, target, resumeState) {
    try {
      return Promise.resolve(openSqlite(ctx, config, target, resumeState));
    } catch (err) {
      return Promise.reject(err);
    }
  },
});
