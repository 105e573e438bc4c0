/**
 * SQL text helpers for PostgreSQL: identifier quoting and the check that a user's query is one
 * SELECT (or WITH … SELECT) statement. The check is a first line of defence with a clear
 * message; the read-only transaction the source runs it in is what actually stops writes.
 * @module
 */
import { ConfigError } from "../errors.ts";

/** One identifier in double quotes, embedded quotes doubled: `a"b` → `"a""b"`. */
export function quoteName(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * A table or column name as the config allows it (`table` or `schema.table`), quoted so case
 * and reserved words are kept: `Clinic.patients` → `"Clinic"."patients"`.
 */
export function quoteIdent(name: string): string {
  return name.split(".").map(quoteName).join(".");
}

/**
 * The query with comments, string literals and quoted identifiers blanked out (same length),
 * so keywords and semicolons can be looked for in what is left. Comments become spaces;
 * literals and quoted identifiers become `_`, so a query ending in one is not cut short.
 */
export function sqlSkeleton(sql: string): string {
  const out: string[] = [];
  let i = 0;
  const blank = (from: number, to: number, fill: string) => {
    for (let k = from; k < to; k++) out.push(sql[k] === "\n" ? "\n" : fill);
  };
  while (i < sql.length) {
    const c = sql[i];
    const next = sql[i + 1];
    let end = -1;
    if (c === "-" && next === "-") {
      end = sql.indexOf("\n", i);
      if (end === -1) end = sql.length;
    } else if (c === "/" && next === "*") {
      end = blockCommentEnd(sql, i);
    } else if (c === "'") {
      end = quotedEnd(sql, i, "'", /[eE]/.test(sql[i - 1] ?? "") && !/\w/.test(sql[i - 2] ?? ""));
    } else if (c === '"') {
      end = quotedEnd(sql, i, '"', false);
    } else if (c === "$" && !/[\w$]/.test(sql[i - 1] ?? "")) {
      const tag = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 64));
      if (tag) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        end = close === -1 ? sql.length : close + tag[0].length;
      }
    }
    if (end === -1) {
      out.push(c);
      i++;
    } else {
      blank(i, end, c === "-" || c === "/" ? " " : "_");
      i = end;
    }
  }
  return out.join("");
}

function blockCommentEnd(sql: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql.startsWith("/*", i)) {
      depth++;
      i += 2;
    } else if (sql.startsWith("*/", i)) {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else i++;
  }
  return sql.length;
}

function quotedEnd(sql: string, start: number, quote: string, backslashes: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (backslashes && c === "\\") i += 2;
    else if (c === quote && sql[i + 1] === quote) i += 2;
    else if (c === quote) return i + 1;
    else i++;
  }
  return sql.length;
}

/**
 * The text of a read-only query without its trailing semicolon; throws a ConfigError unless it
 * is a single SELECT or WITH statement.
 *
 * @example
 * ```ts
 * readOnlyQuery("SELECT * FROM patients;"); // "SELECT * FROM patients"
 * readOnlyQuery("DELETE FROM patients"); // throws ConfigError
 * ```
 */
export function readOnlyQuery(query: string): string {
  const skeleton = sqlSkeleton(query);
  let end = skeleton.trimEnd().length;
  if (skeleton[end - 1] === ";") end--;
  const body = skeleton.slice(0, end);
  if (body.trim() === "") throw new ConfigError("The query is empty: write one SELECT statement");
  if (body.includes(";")) {
    throw new ConfigError(
      "The query holds more than one statement: write a single SELECT (or WITH … SELECT) statement",
    );
  }
  const first = /^[\s(]*([A-Za-z]+)/.exec(body)?.[1]?.toLowerCase();
  if (first !== "select" && first !== "with") {
    throw new ConfigError(
      `The query starts with "${
        first ?? body.trim().slice(0, 20)
      }": only a read-only SELECT (or WITH … SELECT) statement can be used as a source`,
    );
  }
  return query.slice(0, end);
}
