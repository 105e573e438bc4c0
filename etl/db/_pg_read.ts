/**
 * The SELECT a PostgreSQL source runs: a table (columns, filter) or a user's query wrapped as
 * a subquery, plus the incremental condition (`cursorColumn > since`), the resume condition
 * (after the last key, or an offset) and the order that makes both exact.
 * @module
 */
import type { Cursor, ExtractOptions } from "../types.ts";
import { quoteIdent, readOnlyQuery } from "./_pg_sql.ts";

/** What the source reads, as parsed from its config. */
export interface ReadConfig {
  table?: string;
  columns?: string[];
  filter?: string;
  query?: string;
  keyColumn?: string;
  cursorColumn?: string;
}

/** SQL text, its parameters (sent untyped: the server types them from the column). */
export interface ReadPlan {
  text: string;
  params: string[];
  /** Rows skipped by OFFSET (resume without a key column). */
  offset: number;
}

/** The list of columns to select: the configured ones plus key and cursor columns. */
function selectList(config: ReadConfig): string {
  if (!config.columns?.length) return "*";
  const names = [...config.columns];
  for (const extra of [config.keyColumn, config.cursorColumn]) {
    if (extra && !names.includes(extra)) names.push(extra);
  }
  return names.map(quoteIdent).join(", ");
}

/**
 * What a read selects from (the table, or the query as a subquery) and its conditions before
 * any resume position: the filter and `cursorColumn > since`.
 */
function narrowed(
  config: ReadConfig,
  since: string | undefined,
  param: (value: string) => string,
): { from: string; where: string[] } {
  const where: string[] = [];
  const from = config.query !== undefined
    ? `(\n${readOnlyQuery(config.query)}\n) AS pyx_query`
    : quoteIdent(config.table ?? "");
  if (config.filter) where.push(`(${config.filter})`);
  if (config.cursorColumn && since !== undefined) {
    where.push(`${quoteIdent(config.cursorColumn)} > ${param(since)}`);
  }
  return { from, where };
}

/**
 * Build the statement for a read from `options.from` (a cursor of this source) and
 * `options.since` (the last high-water mark).
 *
 * @example
 * ```ts
 * buildRead({ table: "patients", keyColumn: "id" }, { batchSize: 1000, from: { lastKey: "42" } });
 * // { text: 'SELECT * FROM "patients" WHERE "id" > $1 ORDER BY "id"', params: ["42"], offset: 0 }
 * ```
 */
export function buildRead(
  config: ReadConfig,
  options: Pick<ExtractOptions, "from" | "since">,
): ReadPlan {
  const params: string[] = [];
  const param = (value: string) => `$${params.push(value)}`;
  const { from, where } = narrowed(config, options.since, param);
  const key = config.keyColumn && quoteIdent(config.keyColumn);
  const mark = config.cursorColumn && quoteIdent(config.cursorColumn);
  const resume: Cursor | undefined = options.from;
  let offset = 0;
  if (resume && key && resume.lastKey !== undefined) {
    const lastKey = String(resume.lastKey);
    if (mark && resume.lastCursor === null) {
      // Rows without a cursor value come last (NULLS LAST): only those after the key remain.
      where.push(`(${mark} IS NULL AND ${key} > ${param(lastKey)})`);
    } else if (mark && resume.lastCursor !== undefined) {
      const lastCursor = String(resume.lastCursor);
      where.push(
        `((${mark}, ${key}) > (${param(lastCursor)}, ${param(lastKey)}) OR ${mark} IS NULL)`,
      );
    } else {
      where.push(`${key} > ${param(lastKey)}`);
    }
  } else if (resume && typeof resume.offset === "number") {
    offset = resume.offset;
  }
  const order = [mark, key].filter(Boolean);
  const text = [
    config.query !== undefined && where.length === 0 && order.length === 0 && offset === 0
      ? readOnlyQuery(config.query)
      : `SELECT ${selectList(config)} FROM ${from}`,
    where.length ? `WHERE ${where.join(" AND ")}` : "",
    order.length ? `ORDER BY ${order.join(", ")}` : "",
    offset ? `OFFSET ${offset}` : "",
  ].filter(Boolean).join(" ");
  return { text, params, offset };
}

/**
 * `SELECT count(*)` over exactly the rows a read from the start gives with `since`: same table
 * or query, same filter, same `cursorColumn > since` (ignored without a cursor column, as the
 * read ignores it). No order: a count needs none.
 *
 * @example
 * ```ts
 * buildCount({ table: "visits", cursorColumn: "updated_at" }, "2024-01-01T00:00:00Z");
 * // { text: 'SELECT count(*) AS n FROM "visits" WHERE "updated_at" > $1', params: [...], offset: 0 }
 * ```
 */
export function buildCount(config: ReadConfig, since?: string): ReadPlan {
  const params: string[] = [];
  const { from, where } = narrowed(config, since, (value) => `$${params.push(value)}`);
  const text = [
    `SELECT count(*) AS n FROM ${from}`,
    where.length ? `WHERE ${where.join(" AND ")}` : "",
  ].filter(Boolean).join(" ");
  return { text, params, offset: 0 };
}
