/**
 * SQLite helpers of the SQLite repository: an existing table's shape, the statements that move
 * staged rows into the table per mode, and SQLite errors as one readable sentence.
 * @module
 */
import type { DatabaseSync } from "node:sqlite";
import { ConfigError, FatalRunError, RetriableError } from "../errors.ts";
import type { Column } from "../types.ts";
import type { TableShape } from "./_load_checks.ts";
import { SEQ_COLUMN } from "./_load_values.ts";
import { BATCH_COLUMN } from "./_load_steps.ts";

/** A SQLite name in double quotes. */
export function quoteSqlite(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

const q = quoteSqlite;

/**
 * Columns and unique keys of `main.<table>`, or undefined when it does not exist. The primary
 * key counts as a unique key even as an INTEGER PRIMARY KEY, which has no index of its own.
 */
export function sqliteShape(db: DatabaseSync, table: string): TableShape | undefined {
  const info = db.prepare(`PRAGMA main.table_info(${q(table)})`).all() as {
    name: string;
    pk: number;
  }[];
  if (info.length === 0) return undefined;
  const uniqueKeys: string[][] = [];
  const pk = info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
  if (pk.length > 0) uniqueKeys.push(pk);
  const indexes = db.prepare(`PRAGMA main.index_list(${q(table)})`).all() as {
    name: string;
    unique: number;
    partial: number;
  }[];
  for (const idx of indexes.filter((i) => i.unique === 1 && i.partial === 0)) {
    const cols = db.prepare(`PRAGMA main.index_info(${q(idx.name)})`).all() as { name: string }[];
    uniqueKeys.push(cols.map((c) => c.name));
  }
  return { columns: info.map((c) => c.name), uniqueKeys };
}

/**
 * The statements of commit's transaction: append inserts, replace deletes then inserts,
 * upsert inserts with ON CONFLICT DO UPDATE (rows in staging order, by batch then arrival: the
 * last row of a key wins, whichever step wrote it).
 */
export function moveSql(
  mode: string,
  target: string,
  stage: string,
  columns: readonly Column[],
  key: readonly string[],
): string[] {
  const list = columns.map((c) => q(c.name)).join(", ");
  // "WHERE true" tells SQLite's parser that ON CONFLICT belongs to the INSERT, not a join.
  const insert =
    `INSERT INTO ${target} (${list}) SELECT ${list} FROM ${stage} WHERE true ORDER BY ${
      q(BATCH_COLUMN)
    }, ${q(SEQ_COLUMN)}`;
  if (mode === "replace") return [`DELETE FROM ${target}`, insert];
  if (mode === "append") return [insert];
  const lower = new Set(key.map((k) => k.toLowerCase()));
  const rest = columns.filter((c) => !lower.has(c.name.toLowerCase()));
  const action = rest.length
    ? `DO UPDATE SET ${rest.map((c) => `${q(c.name)} = excluded.${q(c.name)}`).join(", ")}`
    : "DO NOTHING";
  return [`${insert} ON CONFLICT (${key.map(q).join(", ")}) ${action}`];
}

/** A SQLite error (or ours) as an error the user can act on. */
export function sqliteError(err: unknown, path: string): Error {
  if (
    err instanceof ConfigError || err instanceof RetriableError || err instanceof FatalRunError
  ) return err;
  const msg = err instanceof Error ? err.message : String(err);
  if (/UNIQUE constraint failed|PRIMARY KEY/.test(msg)) {
    return new ConfigError(
      `Two rows have the same key (${msg}): use mode upsert to update existing rows, or fix the duplicates in the data`,
    );
  }
  if (/constraint failed|datatype mismatch/.test(msg)) {
    return new ConfigError(`A value does not fit its column: ${msg}`);
  }
  if (/database is locked|database table is locked|SQLITE_BUSY/i.test(msg)) {
    return new RetriableError(
      `The database file "${path}" is in use by another program; run again when it is done`,
    );
  }
  if (/file is not a database|malformed/i.test(msg)) {
    return new ConfigError(`"${path}" is not a SQLite database file: choose another path`);
  }
  if (/unable to open|EACCES|EISDIR|ENOTDIR|readonly/i.test(msg)) {
    return new ConfigError(`Cannot open the database file "${path}": ${msg}`);
  }
  return new FatalRunError(`SQLite could not write "${path}": ${msg.split("\n")[0]}`);
}
