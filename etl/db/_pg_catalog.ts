/**
 * The tables and columns a PostgreSQL user can read, for the dashboard's pickers.
 * @module
 */
import type { CatalogTable } from "../types.ts";
import type { Sql } from "./postgres_client.ts";
import { columnTypeOf } from "./_pg_types.ts";

interface CatalogRow {
  schema: string;
  table: string;
  estimate: number | string | null;
  column: string;
  typname: string;
  category: string;
}

/**
 * Tables, views and materialized views of the non-system schemas that the user may SELECT
 * from, with their columns (domains mapped by their base type) and the planner's row estimate.
 * Tables of the `public` schema are named without it.
 */
export async function listPostgresTables(sql: Sql): Promise<CatalogTable[]> {
  const rows = await sql.unsafe<CatalogRow[]>(`
    SELECT n.nspname AS schema, c.relname AS table, c.reltuples AS estimate,
           a.attname AS column, bt.typname AS typname, bt.typcategory AS category
    FROM pg_catalog.pg_class c
    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
    JOIN pg_catalog.pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
    WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
      AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg\\_%'
      AND NOT c.relispartition
      AND has_table_privilege(c.oid, 'SELECT')
    ORDER BY n.nspname, c.relname, a.attnum`);
  const tables = new Map<string, CatalogTable>();
  for (const row of rows) {
    const name = row.schema === "public" ? row.table : `${row.schema}.${row.table}`;
    let table = tables.get(name);
    if (!table) {
      const estimate = Number(row.estimate);
      table = { name, columns: [] };
      // -1 means never analyzed (PostgreSQL 14+): unknown, not empty.
      if (Number.isFinite(estimate) && estimate >= 0) table.rows = Math.round(estimate);
      tables.set(name, table);
    }
    table.columns.push({ name: row.column, type: columnTypeOf(row.typname, row.category) });
  }
  return [...tables.values()];
}
