/**
 * A SQL script of multi-row INSERT statements for PostgreSQL, MySQL/MariaDB or SQLite, by
 * default after a `CREATE TABLE IF NOT EXISTS` built from the schema.
 *
 * Column types (postgres / mysql / sqlite): string TEXT / LONGTEXT / TEXT, integer BIGINT /
 * BIGINT / INTEGER, decimal NUMERIC / DECIMAL(65,30) / TEXT (exact everywhere; MySQL pads to 30
 * places), boolean BOOLEAN / BOOLEAN / INTEGER 0-1, date DATE / DATE / TEXT, datetime
 * TIMESTAMPTZ / DATETIME(6) in UTC / TEXT `YYYY-MM-DDTHH:MM:SS.ffffffZ`, json JSONB / JSON /
 * TEXT. Date-times are converted to UTC (no offset = UTC), so loading never drifts with the
 * session time zone. PostgreSQL cannot store NUL characters: they are dropped there.
 *
 * Every `encode()` returns whole statements, so a loader may run chunks as they come. The
 * script opens no transaction; run it inside one to load all or nothing.
 * @module
 */
import { z } from "zod";
import { defineFormat } from "../define.ts";
import { ConfigError } from "../errors.ts";
import type { Column, Row } from "../types.ts";
import { DIALECTS, SQL_DIALECTS } from "./_sql_dialects.ts";
import { type LiteralWriter, literalWriter } from "./_sql_literals.ts";
import { resumedColumns, textState } from "./_resume.ts";
import { columnsOf, EMPTY, Utf8Buffer } from "./_values.ts";

/** Config of the SQL format. */
export const SqlFormatConfig = z.object({
  dialect: z.enum(DIALECTS).default("postgres").describe("Database the script is written for"),
  rowsPerStatement: z.number().int().min(1).max(100_000).default(500)
    .describe("Rows in one INSERT statement"),
  createTable: z.boolean().default(true)
    .describe("Start with CREATE TABLE IF NOT EXISTS from the schema"),
});

/** The SQL INSERT script format. */
export const sqlFormat = defineFormat({
  type: "sql",
  title: "SQL script",
  description: "CREATE TABLE and INSERT statements for PostgreSQL, MySQL/MariaDB or SQLite",
  config: SqlFormatConfig,
  secrets: [],
  extension: "sql",
  contentType: "application/sql; charset=utf-8",
  create(config, schema, { table, resume }) {
    const bytes = new Utf8Buffer();
    if (!table) throw new ConfigError("The SQL format needs a table name");
    const d = SQL_DIALECTS[config.dialect];
    const tableName = d.ident(table);
    let columns: Column[] | undefined;
    let names: string[] = [];
    let writers: LiteralWriter[] = [];
    let insert = "";
    /** Sets up the INSERTs for these columns; returns the prologue and CREATE TABLE. */
    const begin = (chosen: Column[]): string => {
      columns = chosen;
      names = chosen.map((c) => c.name);
      writers = chosen.map((c) => literalWriter(c.type, d));
      const idents = chosen.map((c) => d.ident(c.name));
      insert = `INSERT INTO ${tableName} (${idents.join(", ")}) VALUES\n`;
      if (!config.createTable) return d.prologue;
      const defs = chosen.map((c, i) => `  ${idents[i]} ${d.types[c.type] ?? d.types.string}`);
      return `${d.prologue}CREATE TABLE IF NOT EXISTS ${tableName} (\n${defs.join(",\n")}\n)` +
        `${d.tableOptions};\n`;
    };
    const start = (rows: Row[]): string => begin(columnsOf(schema, rows));
    // Resumed after the prologue: an earlier step wrote it, only the INSERTs are needed again.
    const resumed = resumedColumns("sql", schema, resume);
    if (resumed) begin(resumed);
    return {
      encode(rows) {
        if (rows.length === 0) return EMPTY;
        let out = columns ? "" : start(rows);
        const n = names.length;
        const values = new Array<string>(n);
        const step = config.rowsPerStatement;
        for (let from = 0; from < rows.length; from += step) {
          const to = Math.min(from + step, rows.length);
          out += insert;
          for (let r = from; r < to; r++) {
            const row = rows[r];
            for (let i = 0; i < n; i++) values[i] = writers[i](row[names[i]]);
            out += `(${values.join(", ")})${r + 1 < to ? ",\n" : ";\n"}`;
          }
        }
        return bytes.encode(out);
      },
      end() {
        return bytes.encode((columns ? "" : start([])) + d.epilogue);
      },
      state: () => textState("sql", schema, columns),
    };
  },
});
