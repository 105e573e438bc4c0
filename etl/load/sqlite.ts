/**
 * The SQLite repository: a database file under the output folder (created when missing).
 * Rows go into a TEMP staging table, which lives outside the file and vanishes with the
 * connection; commit moves them into the table in ONE transaction (the table is created in it
 * when missing), so a failed run leaves the file's table as it was.
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
import type { Batch, Column } from "../types.ts";
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

/** The SQLite repository. */
export const sqliteLoader = defineLoader({
  type: "sqlite",
  title: "SQLite database file",
  description:
    "A table in a SQLite file under the output folder, created when missing; rows are staged and published in one transaction (append, replace or upsert by key)",
  config: SqliteLoadConfig,
  secrets: [],
  needsFormat: false,
  open(ctx, config, target) {
    const key = config.key ?? [];
    if (config.mode === "upsert" && key.length === 0) {
      throw new ConfigError("Upsert needs the key column(s) that identify a row (key)");
    }
    const full = resolveInside(ctx.outputRoot, config.path, "database file");
    const label = `${config.path}:${config.table}`;
    const existed = existsSync(full);
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
    const stage = `temp.${quoteSqlite(stageName(ctx.ids.run))}`;
    let columns = loadColumns(target.schema);
    let writers: ((v: unknown) => Param)[] = [];
    let insert: ReturnType<DatabaseSync["prepare"]> | undefined;
    let records = 0;
    let open = true;

    const prepare = (cols: Column[]) => {
      assertKeyColumns(cols, key);
      const shape = sqliteShape(db, config.table);
      if (shape) assertTableFits(label, shape, cols, config.mode, key);
      db.exec(`DROP TABLE IF EXISTS ${stage}`);
      db.exec(
        `CREATE TABLE ${stage} (${quoteSqlite(SEQ_COLUMN)} INTEGER PRIMARY KEY, ${
          columnDefs(cols, []).join(", ")
        })`,
      );
      insert = db.prepare(
        `INSERT INTO ${stage} (${cols.map((c) => quoteSqlite(c.name)).join(", ")}) VALUES (${
          cols.map(() => "?").join(", ")
        })`,
      );
      writers = cols.map((c) => {
        const write = paramWriter(c.type, sqliteDatetime);
        return c.type === "integer" ? (v: unknown) => sqliteInteger(write(v)) : write;
      });
      columns = cols;
    };
    const close = (failed: boolean) => {
      if (!open) return;
      open = false;
      db.close();
      // A file this run created and never filled is removed again.
      if (failed && !existed) rmSync(full, { force: true });
    };
    const rollback = () => {
      if (db.isTransaction) db.exec("ROLLBACK");
    };

    try {
      if (columns) prepare(columns);
    } catch (err) {
      close(true);
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
            insert!.run(...values);
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
      records += batch.rows.length;
    };

    return Promise.resolve({
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
          db.exec("COMMIT");
        } catch (err) {
          rollback();
          close(true);
          return Promise.reject(sqliteError(err, config.path));
        }
        close(false);
        return Promise.resolve({ records, bytes: 0, location: label });
      },
      abort() {
        if (open) {
          try {
            rollback();
          } finally {
            close(true);
          }
        }
        return Promise.resolve();
      },
    });
  },
});
