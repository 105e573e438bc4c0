/**
 * The SELECT statement the MySQL source runs: a table (column list, filter) or the user's
 * read-only query, narrowed by the incremental `since` and a resume position, in key or
 * cursor-column order. Values from cursors are written as typed literals (see literalFor).
 * @module
 */
import type { FieldPacket } from "mysql2";
import { ConfigError } from "../errors.ts";
import type { Cursor } from "../types.ts";
import { literalFor } from "./_mysql_fields.ts";
import { type MySqlSession, quoteName } from "./mysql_client.ts";

/** What the source reads (the source config's fields that shape the statement). */
export interface ReadSpec {
  table?: string;
  columns?: string[];
  filter?: string;
  query?: string;
  keyColumn?: string;
  cursorColumn?: string;
}

/** Blank out comments, string literals and quoted names, so keywords can be looked for. */
function skeleton(sql: string): string {
  return sql.replace(
    /\/\*[\s\S]*?\*\/|(?:--\s|#)[^\n]*|'(?:[^'\\]|\\[\s\S]|'')*'|"(?:[^"\\]|\\[\s\S]|"")*"|`(?:[^`]|``)*`/g,
    (m) => m.startsWith("/*!") || m.startsWith("/*M!") ? " EXECUTABLE_COMMENT " : " _ ",
  );
}

const WRITES = /\b(into|update|delete|(?:insert|replace)(?!\s*\())\b|EXECUTABLE_COMMENT/i;

/**
 * Refuse anything but one read-only statement: a query must start with SELECT or WITH, hold no
 * second statement, no INTO (OUTFILE writes files), no UPDATE/DELETE/INSERT/REPLACE, and no
 * `/*! … *\/` comment (the server runs its content). The READ ONLY transaction the source runs
 * in is the second line of defence.
 */
export function assertReadOnly(sql: string, what: "query" | "filter"): void {
  const bare = skeleton(sql).trim().replace(/(;\s*)+$/, "");
  if (what === "query" && !/^(\(\s*)*(select|with)\b/i.test(bare)) {
    throw new ConfigError(
      `The query must be one read-only SELECT (or WITH … SELECT) statement; it starts with "${
        sql.trim().split(/\s+/)[0]
      }"`,
    );
  }
  if (bare.includes(";")) {
    throw new ConfigError(`The ${what} must be a single statement without ";" inside`);
  }
  const bad = WRITES.exec(bare);
  if (bad) {
    const word = bad[0] === "EXECUTABLE_COMMENT" ? "/*! … */" : bad[0].toUpperCase();
    throw new ConfigError(
      `The ${what} may only read data, but it contains ${word}: write a plain SELECT`,
    );
  }
}

/** The query without trailing semicolons, ready to be nested. */
function bareQuery(query: string): string {
  return query.trim().replace(/(;\s*)+$/, "");
}

/**
 * The statement without narrowing or order: its result columns are the rows' columns. A query
 * is nested (`SELECT * FROM (…) AS _pyx_q`) only when key or cursor columns must filter and
 * order it; otherwise it runs as written, its own ORDER BY kept.
 */
export function baseSelect(spec: ReadSpec): string {
  if (spec.query !== undefined) {
    const query = bareQuery(spec.query);
    // On lines of their own, so a `-- comment` ending the query cannot swallow the rest.
    return spec.keyColumn || spec.cursorColumn ? `SELECT * FROM (\n${query}\n) AS _pyx_q` : query;
  }
  const names = spec.columns && [
    ...new Set([
      ...spec.columns,
      ...(spec.keyColumn ? [spec.keyColumn] : []),
      ...(spec.cursorColumn ? [spec.cursorColumn] : []),
    ]),
  ];
  const list = names ? names.map(quoteName).join(", ") : "*";
  return `SELECT ${list} FROM ${quoteName(spec.table!)}`;
}

/** Where the read starts: the incremental mark and the resume cursor. */
export interface ReadFrom {
  since?: string;
  from?: Cursor;
}

/** The result columns of a statement, from the server's prepare (nothing is executed). */
export async function describeSelect(session: MySqlSession, sql: string): Promise<FieldPacket[]> {
  const statement = await session.db.prepare(sql);
  try {
    return (statement as unknown as { statement: { columns?: FieldPacket[] } }).statement
      .columns ?? [];
  } finally {
    await statement.close();
  }
}

/**
 * The WHERE conditions of a read: filter, `cursorColumn > since` and the keyset resume
 * condition, cursor values written as literals of their column's type.
 */
function conditions(
  spec: ReadSpec,
  fields: readonly FieldPacket[],
  at: ReadFrom,
  escape: (v: string) => string,
): string[] {
  const field = (name?: string) => fields.find((f) => f.name === name);
  const lit = (name: string, text: string, what: string) =>
    literalFor(field(name), text, escape, what);
  const where: string[] = [];
  if (spec.filter !== undefined && spec.query === undefined) where.push(`(${spec.filter})`);
  const key = spec.keyColumn && quoteName(spec.keyColumn);
  const cur = spec.cursorColumn && quoteName(spec.cursorColumn);
  if (cur && at.since !== undefined) {
    where.push(`${cur} > ${lit(spec.cursorColumn!, at.since, "high-water mark")}`);
  }
  const lastKey = at.from?.lastKey;
  if (key && lastKey !== undefined && lastKey !== null) {
    const k = `${key} > ${lit(spec.keyColumn!, String(lastKey), "resume key")}`;
    if (!cur) {
      where.push(k);
    } else {
      const lastCursor = at.from?.lastCursor;
      if (lastCursor === null || lastCursor === undefined) {
        // NULL cursor values sort first: the rest of the NULLs, then every non-NULL.
        where.push(`((${cur} IS NULL AND ${k}) OR ${cur} IS NOT NULL)`);
      } else {
        const c = lit(spec.cursorColumn!, String(lastCursor), "resume position");
        where.push(`(${cur} > ${c} OR (${cur} = ${c} AND ${k}))`);
      }
    }
  }
  return where;
}

const whereClause = (where: string[]) => where.length ? `WHERE ${where.join(" AND ")}` : "";

/**
 * The full statement: base, filter, `cursorColumn > since`, the keyset resume condition, and
 * the order (cursor column, then key). `fields` are the base statement's result columns, used
 * to write the cursor values as literals of the right type.
 */
export function readSelect(
  spec: ReadSpec,
  fields: readonly FieldPacket[],
  at: ReadFrom,
  escape: (v: string) => string,
): string {
  const where = conditions(spec, fields, at, escape);
  const order = [spec.cursorColumn, spec.keyColumn].filter(Boolean).map((n) => quoteName(n!));
  return [
    baseSelect(spec),
    whereClause(where),
    order.length ? `ORDER BY ${order.join(", ")}` : "",
  ].filter(Boolean).join(" ");
}

/**
 * `SELECT COUNT(*) AS n` over exactly the rows a read from the start gives: the table with its
 * filter, or the query nested as `(…) AS _pyx_q`, and `cursorColumn > since` when `since` is
 * given (pass it only when the source has a cursor column). No order: a count needs none.
 * `fields` are the base statement's result columns (only used to type `since`).
 *
 * @example
 * ```ts
 * countSelect({ table: "visits", filter: "active = 1" }, [], {}, escape);
 * // "SELECT COUNT(*) AS n FROM `visits` WHERE (active = 1)"
 * ```
 */
export function countSelect(
  spec: ReadSpec,
  fields: readonly FieldPacket[],
  at: { since?: string },
  escape: (v: string) => string,
): string {
  const from = spec.query !== undefined
    ? `(\n${bareQuery(spec.query)}\n) AS _pyx_q`
    : quoteName(spec.table!);
  const where = conditions(spec, fields, { since: at.since }, escape);
  return [`SELECT COUNT(*) AS n FROM ${from}`, whereClause(where)].filter(Boolean).join(" ");
}
