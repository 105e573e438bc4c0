/**
 * What the PostgreSQL repository learns about its target table before writing: whether it
 * exists, its column types (the staging table takes the same, so COPY parses every value once,
 * where the server would parse it anyway), and whether it can take this run's rows at all.
 * @module
 */
import { ConfigError } from "../errors.ts";
import type { Column, ColumnType } from "../types.ts";
import type { Sql } from "./postgres_client.ts";
import { quoteIdent } from "./_pg_sql.ts";

/**
 * Column types of a table the repository creates. `datetime` is `timestamptz`: the engine's
 * date-times carry their offset (`…Z`, `…+02:00`), which `timestamp` would silently drop;
 * values without an offset are read as UTC (the session's time zone).
 */
export const PG_TYPES: Record<ColumnType, string> = {
  string: "text",
  integer: "bigint",
  decimal: "numeric",
  boolean: "boolean",
  date: "date",
  datetime: "timestamptz",
  json: "jsonb",
};

/** The table a run writes, as the repository's config and the rows' schema describe it. */
export interface Target {
  table: string;
  columns: readonly Column[];
  /** The column holding a FHIR resource (stored as jsonb). */
  resource?: string;
  mode: "append" | "replace" | "upsert";
  key?: readonly string[];
}

/** Column name → type as PostgreSQL formats it, or undefined when the table does not exist. */
async function targetColumns(sql: Sql, table: string): Promise<Map<string, string> | undefined> {
  const [{ oid }] = await sql.unsafe(`SELECT to_regclass($1)::oid AS oid`, [quoteIdent(table)]);
  if (oid === null) return undefined;
  const rows = await sql.unsafe(
    `SELECT attname AS name, format_type(atttypid, atttypmod) AS type FROM pg_catalog.pg_attribute
     WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped`,
    [String(oid)],
  );
  return new Map(rows.map((r) => [String(r.name), String(r.type)]));
}

async function hasUniqueIndex(sql: Sql, table: string, key: readonly string[]): Promise<boolean> {
  const rows = await sql.unsafe(
    `SELECT array(SELECT a.attname::text FROM unnest(i.indkey) k
                  JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k) AS cols
     FROM pg_catalog.pg_index i
     WHERE i.indrelid = to_regclass($1) AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL`,
    [quoteIdent(table)],
  );
  const wanted = [...key].sort().join("\0");
  return rows.some((r) => [...(r.cols as string[])].sort().join("\0") === wanted);
}

/**
 * The target's column types in the order of `t.columns`, or undefined when the table does not
 * exist. Throws a ConfigError when an existing table lacks columns, or has no unique index on
 * the key for an upsert.
 */
export async function inspectTarget(sql: Sql, t: Target): Promise<string[] | undefined> {
  const types = await targetColumns(sql, t.table);
  if (types === undefined) return undefined;
  const missing = t.columns.map((c) => c.name).filter((name) => !types.has(name));
  if (missing.length) {
    throw new ConfigError(
      `The table "${t.table}" has no column ${
        missing.map((m) => `"${m}"`).join(", ")
      }: add the column(s) to the table or map the data to its columns`,
    );
  }
  if (t.mode === "upsert" && !(await hasUniqueIndex(sql, t.table, t.key ?? []))) {
    throw new ConfigError(
      `The table "${t.table}" has no primary key or unique index on (${
        (t.key ?? []).join(", ")
      }), which upsert needs: add one, or use mode "append" or "replace"`,
    );
  }
  return t.columns.map((c) => types.get(c.name)!);
}

/** The column types of the table the repository would create for `t`. */
export function newTableTypes(t: Target): string[] {
  return t.columns.map((c) => c.name === t.resource ? "jsonb" : PG_TYPES[c.type]);
}

/**
 * Compress large values (FHIR resources are ~2 KB) with lz4 in this session rather than the
 * default pglz, which costs more server time than parsing them. Servers built without lz4, or
 * older than 14, refuse the setting and keep their default.
 */
export async function preferLz4(sql: Sql): Promise<void> {
  await sql.unsafe(`SELECT set_config('default_toast_compression', 'lz4', false)`).catch(() => {});
}
