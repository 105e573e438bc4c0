/**
 * The MySQL / MariaDB catalog for the dashboard's pickers: the database's tables and views with
 * their columns (as engine types) and the server's row estimates, from information_schema.
 * @module
 */
import type { RowDataPacket } from "mysql2";
import type { CatalogTable } from "../types.ts";
import { catalogType } from "./_mysql_fields.ts";
import type { MySqlSession } from "./mysql_client.ts";

/**
 * MariaDB stores JSON as LONGTEXT with a `json_valid(`col`)` check named after the column;
 * MySQL has a real JSON type and no TABLE_NAME in this view (the query then just finds none).
 */
async function jsonColumns(session: MySqlSession): Promise<Set<string>> {
  const found = new Set<string>();
  try {
    const [rows] = await session.db.query<RowDataPacket[]>(
      "SELECT * FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()",
    );
    for (const r of rows) {
      const column = String(r.CHECK_CLAUSE ?? "").match(/^json_valid\(`(.+)`\)$/)?.[1];
      if (column && r.TABLE_NAME) found.add(`${r.TABLE_NAME}\0${column.replaceAll("``", "`")}`);
    }
  } catch {
    // Servers before MySQL 8.0.16 / MariaDB 10.2 have no CHECK_CONSTRAINTS view.
  }
  return found;
}

/** Tables and views of the connected database with columns and estimated rows. */
export async function mysqlCatalog(session: MySqlSession): Promise<CatalogTable[]> {
  const json = await jsonColumns(session);
  const [rows] = await session.db.query<RowDataPacket[]>(
    `SELECT c.TABLE_NAME AS t, c.COLUMN_NAME AS c, c.DATA_TYPE AS d, c.COLUMN_TYPE AS ct,
            tb.TABLE_ROWS AS n
       FROM information_schema.COLUMNS c
       JOIN information_schema.TABLES tb
         ON tb.TABLE_SCHEMA = c.TABLE_SCHEMA AND tb.TABLE_NAME = c.TABLE_NAME
      WHERE c.TABLE_SCHEMA = DATABASE() -- the repository's staging tables are not sources
        AND c.TABLE_NAME NOT LIKE '\\_pyxgen\\_stage\\_%'
      ORDER BY c.TABLE_NAME, c.ORDINAL_POSITION`,
  );
  const tables = new Map<string, CatalogTable>();
  for (const r of rows) {
    const name = String(r.t);
    let table = tables.get(name);
    if (!table) {
      table = { name, columns: [] };
      if (r.n !== null && r.n !== undefined) table.rows = Number(r.n);
      tables.set(name, table);
    }
    const column = String(r.c);
    table.columns.push({
      name: column,
      type: catalogType(String(r.d), String(r.ct), json.has(`${name}\0${column}`)),
    });
  }
  return [...tables.values()];
}
