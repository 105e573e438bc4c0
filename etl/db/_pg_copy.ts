/**
 * Rows into a table with `COPY … FROM STDIN` (text format) through postgres.js `.writable()`.
 * Every value travels as text (the repository's staging table has text columns and casts at
 * commit), so the only thing that can go wrong on the way is the connection.
 * @module
 */
import { once } from "node:events";
import type { Writable } from "node:stream";
import { ConfigError } from "../errors.ts";
import type { Row, SourceRef } from "../types.ts";
import type { Sql } from "./postgres_client.ts";
import { quoteIdent, quoteName } from "./_pg_sql.ts";

const SPECIAL = /[\\\n\r\t]/;
const SPECIALS = /[\\\n\r\t]/g;
const ESCAPES: Record<string, string> = { "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** A value as PostgreSQL input text, or null. JSON columns get JSON text whatever the value. */
export function pgText(value: unknown, json: boolean): string | null {
  if (value === null || value === undefined) return null;
  if (json) return JSON.stringify(value);
  switch (typeof value) {
    case "string":
      return value;
    case "number":
    case "bigint":
      return String(value);
    case "boolean":
      return value ? "true" : "false";
  }
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) {
    // bytea input syntax, which a text column keeps as it is.
    return `\\x${Array.from(value, (b) => b.toString(16).padStart(2, "0")).join("")}`;
  }
  return JSON.stringify(value);
}

/** One COPY text field: `\N` for null, backslash, tab and line breaks escaped. */
export function copyField(text: string | null): string {
  if (text === null) return "\\N";
  return SPECIAL.test(text) ? text.replace(SPECIALS, (c) => ESCAPES[c]) : text;
}

function refLabel(ref: SourceRef | undefined): string {
  if (!ref) return "a row";
  const at = ref.line !== undefined
    ? `line ${ref.line}`
    : ref.key !== undefined
    ? `key ${ref.key}`
    : ref.index !== undefined
    ? `record ${ref.index}`
    : "";
  return `the row of ${ref.source}${at ? ` at ${at}` : ""}`;
}

/**
 * Write rows into `table (columns)` with one COPY; `json` marks columns whose values are JSON.
 * Throws a ConfigError for a NUL character (PostgreSQL text cannot hold one) and the server's
 * error if the COPY fails.
 */
export async function copyRows(
  sql: Sql,
  table: string,
  columns: readonly string[],
  json: readonly boolean[],
  rows: readonly Row[],
  refs: readonly SourceRef[],
): Promise<void> {
  const query = sql.unsafe(
    `COPY ${quoteIdent(table)} (${columns.map(quoteName).join(", ")}) FROM STDIN`,
  );
  const stream = (await query.writable()) as Writable;
  // postgres.js 3.4.9 never settles the stream when the server rejects a COPY after its last
  // byte (porsager/postgres#1173); the error still reaches the query's reject(): catch it there.
  let failed!: (err: unknown) => void;
  const failure = new Promise<never>((_, reject) => failed = reject);
  failure.catch(() => {});
  (query as unknown as { reject: (err: unknown) => void }).reject = (err) => failed(err);
  stream.once("error", (err) => failed(err));
  const until = <T>(p: Promise<T>) => Promise.race([p, failure]);
  const finished = once(stream, "finish");
  finished.catch(() => {});
  let chunk = "";
  try {
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r];
      let line = "";
      for (let c = 0; c < columns.length; c++) {
        const text = pgText(row[columns[c]], json[c]);
        if (text !== null && text.includes("\0")) {
          throw new ConfigError(
            `The value of "${columns[c]}" in ${
              refLabel(refs[r])
            } holds a NUL character, which PostgreSQL cannot store: remove it from the data`,
          );
        }
        line += (c === 0 ? "" : "\t") + copyField(text);
      }
      chunk += line + "\n";
      if (chunk.length >= 1 << 20) {
        if (!stream.write(chunk)) await until(once(stream, "drain"));
        chunk = "";
      }
    }
  } catch (err) {
    stream.destroy(err as Error);
    await until(finished).catch(() => {});
    throw err;
  }
  stream.end(chunk);
  await until(finished);
}
