/**
 * Tables of the MySQL repository: column types for new tables and the staging table, and the
 * checks an existing target must pass (its columns, a unique key for upsert).
 * @module
 */
import type { RowDataPacket } from "mysql2";
import type { Column } from "../types.ts";
import { SEQ_COLUMN } from "./_load_values.ts";
import { BATCH_COLUMN } from "./_load_steps.ts";
import type { TableShape } from "./_load_checks.ts";
import { type MySqlSession, quoteIdent } from "./mysql_client.ts";
import { SQL_DIALECTS } from "../format/_sql_dialects.ts";

/**
 * MySQL types of the engine's. Text is LONGTEXT (no length to overflow), but a key column is
 * VARCHAR(255) with a binary collation: it can be a PRIMARY KEY and FHIR ids that differ only
 * in case stay two rows. DECIMAL(65,30) is the widest exact DECIMAL, the same as the SQL
 * format's, so every value up to 35 integer and 30 fraction digits is kept exactly (it reads
 * back zero-padded to 30 places). Date-times are DATETIME(6) in UTC.
 */
// The same column types as the SQL export's MySQL dialect, so both outputs agree.
const TYPES = SQL_DIALECTS.mysql.types;

const KEY_TEXT = "VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin";

function isKey(name: string, key: readonly string[]): boolean {
  return key.some((k) => k.toLowerCase() === name.toLowerCase());
}

function columnDefs(columns: readonly Column[], key: readonly string[]): string[] {
  return columns.map((c) => {
    const keyed = isKey(c.name, key);
    const type = keyed && (c.type === "string" || c.type === "json") ? KEY_TEXT : TYPES[c.type];
    return `${quoteIdent(c.name)} ${type}${keyed ? " NOT NULL" : ""}`;
  });
}

const OPTIONS = "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci";

/** CREATE TABLE for a missing target, with PRIMARY KEY(key) when a key is given. */
export function createTargetSql(ref: string, columns: readonly Column[], key: string[]): string {
  const defs = columnDefs(columns, key);
  if (key.length > 0) defs.push(`PRIMARY KEY (${key.map(quoteIdent).join(", ")})`);
  return `CREATE TABLE ${ref} (${defs.join(", ")}) ${OPTIONS}`;
}

/**
 * CREATE TABLE for the staging table: the target's types, so a value that does not fit fails
 * at write time with its column named, plus a sequence that keeps the rows' order and the
 * number of the batch that wrote each row (a resumed step deletes a crashed step's batches).
 */
export function createStageSql(ref: string, columns: readonly Column[], key: string[]): string {
  const defs = columnDefs(columns, key).map((d) => d.replace(/ NOT NULL$/, ""));
  return `CREATE TABLE ${ref} (${quoteIdent(SEQ_COLUMN)} BIGINT NOT NULL AUTO_INCREMENT ` +
    `PRIMARY KEY, ${quoteIdent(BATCH_COLUMN)} BIGINT NOT NULL DEFAULT 0, ${
      defs.join(", ")
    }) ${OPTIONS}`;
}

/** The shape of `schema.table`, or undefined when there is no such table. */
export async function tableShape(
  session: MySqlSession,
  schema: string,
  table: string,
): Promise<TableShape | undefined> {
  const [cols] = await session.db.query<RowDataPacket[]>(
    `SELECT COLUMN_NAME AS c FROM information_schema.COLUMNS
      WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`,
    [schema, table],
  );
  if (cols.length === 0) return undefined;
  const [idx] = await session.db.query<RowDataPacket[]>(
    `SELECT INDEX_NAME AS i, COLUMN_NAME AS c FROM information_schema.STATISTICS
      WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND NON_UNIQUE = 0
      ORDER BY INDEX_NAME, SEQ_IN_INDEX`,
    [schema, table],
  );
  const keys = new Map<string, string[]>();
  for (const r of idx) keys.set(String(r.i), [...keys.get(String(r.i)) ?? [], String(r.c)]);
  return { columns: cols.map((r) => String(r.c)), uniqueKeys: [...keys.values()] };
}
