/**
 * Checks the database repositories make before touching a table: the key columns are in the
 * data, an existing target has every column, and upsert has a unique key to match rows on.
 * @module
 */
import { ConfigError } from "../errors.ts";
import type { Column } from "../types.ts";

/** Key columns that are not among the data's columns (names compare case-insensitively in MySQL and SQLite). */
export function assertKeyColumns(columns: readonly Column[], key: readonly string[] = []): void {
  const have = new Set(columns.map((c) => c.name.toLowerCase()));
  const missing = key.filter((k) => !have.has(k.toLowerCase()));
  if (missing.length > 0) {
    throw new ConfigError(
      `The key column(s) ${
        missing.map((k) => `"${k}"`).join(", ")
      } are not in the data (its columns: ${columns.map((c) => c.name).join(", ")})`,
    );
  }
}

/** An existing table's column names and its unique keys (each a list of column names). */
export interface TableShape {
  columns: string[];
  uniqueKeys: string[][];
}

/**
 * Refuse an existing table that lacks some of the data's columns, or (upsert) has no primary
 * key or unique index on exactly the key columns: upsert would otherwise add every row again.
 */
export function assertTableFits(
  label: string,
  shape: TableShape,
  columns: readonly Column[],
  mode: string,
  key: readonly string[],
): void {
  const have = new Set(shape.columns.map((c) => c.toLowerCase()));
  const missing = columns.filter((c) => !have.has(c.name.toLowerCase())).map((c) => c.name);
  if (missing.length > 0) {
    throw new ConfigError(
      `The table ${label} has no column ${missing.map((m) => `"${m}"`).join(", ")}: add ${
        missing.length > 1 ? "them" : "it"
      } to the table, or load into a new table`,
    );
  }
  if (mode !== "upsert") return;
  const want = new Set(key.map((k) => k.toLowerCase()));
  const match = shape.uniqueKeys.some((u) =>
    u.length === want.size && u.every((c) => want.has(c.toLowerCase()))
  );
  if (!match) {
    throw new ConfigError(
      `The table ${label} has no primary key or unique index on (${
        key.join(", ")
      }), so upsert cannot find existing rows: add a unique index on these columns, or use mode append or replace`,
    );
  }
}
