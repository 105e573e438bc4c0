/**
 * Rows into a table with `COPY … FROM STDIN` (text format) through postgres.js `.writable()`.
 * Every value travels as text and the server parses it into the column's type, so a value the
 * column cannot take is refused by the server, which names its line: the error names the row.
 * @module
 */
import { once } from "node:events";
import type { Writable } from "node:stream";
import { ConfigError } from "../errors.ts";
import type { Row, SourceRef } from "../types.ts";
import type { Sql } from "./postgres_client.ts";
import { quoteIdent, quoteName } from "./_pg_sql.ts";
import { textOf } from "../format/_values.ts";

const SPECIAL = /[\\\n\r\t]/;
const SPECIALS = /[\\\n\r\t]/g;
const ESCAPES: Record<string, string> = { "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** A value as PostgreSQL input text, or null. JSON columns get JSON text whatever the value. */
export function pgText(value: unknown, json: boolean): string | null {
  if (value === null || value === undefined) return null;
  if (json) return JSON.stringify(value);
  if (value instanceof Uint8Array) {
    // bytea input syntax, which a text column keeps as it is.
    return `\\x${Array.from(value, (b) => b.toString(16).padStart(2, "0")).join("")}`;
  }
  return textOf(value);
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

const CHUNK = 1 << 20;

/**
 * Rows as COPY text, in chunks of about 1 MiB; `json` marks columns whose values are JSON.
 * `tail` (already COPY text) ends every line as one more field: the staging table's batch
 * number. Throws a ConfigError for a NUL character (PostgreSQL text cannot hold one), before
 * anything is sent.
 */
export function encodeRows(
  columns: readonly string[],
  json: readonly boolean[],
  rows: readonly Row[],
  refs: readonly SourceRef[],
  tail?: string,
): string[] {
  const end = tail === undefined ? "\n" : `\t${tail}\n`;
  const chunks: string[] = [];
  let chunk = "";
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    for (let c = 0; c < columns.length; c++) {
      const text = pgText(row[columns[c]], json[c]);
      if (text !== null && text.includes("\0")) {
        throw new ConfigError(
          `The value of "${columns[c]}" in ${
            refLabel(refs[r])
          } holds a NUL character, which PostgreSQL cannot store: remove it from the data`,
        );
      }
      chunk += (c === 0 ? "" : "\t") + copyField(text);
    }
    chunk += end;
    if (chunk.length >= CHUNK) {
      chunks.push(chunk);
      chunk = "";
    }
  }
  if (chunk !== "") chunks.push(chunk);
  return chunks;
}

/**
 * Send encoded rows into `table (columns)` with one COPY; resolves when the server has stored
 * them all. Throws the server's error, with `row` naming the refused row of `refs` when the
 * server says which line it was.
 */
export async function sendRows(
  sql: Sql,
  table: string,
  columns: readonly string[],
  chunks: readonly string[],
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
  try {
    for (const chunk of chunks) {
      if (!stream.write(chunk)) await until(once(stream, "drain"));
    }
    stream.end();
    await until(finished);
  } catch (err) {
    throw withRow(err, columns, refs);
  }
}

/**
 * Write rows into `table (columns)` with one COPY: `encodeRows` then `sendRows`, with their
 * errors.
 */
export async function copyRows(
  sql: Sql,
  table: string,
  columns: readonly string[],
  json: readonly boolean[],
  rows: readonly Row[],
  refs: readonly SourceRef[],
): Promise<void> {
  await sendRows(sql, table, columns, encodeRows(columns, json, rows, refs), refs);
}

const COPY_WHERE = /^COPY [^\n]*?, line (\d+)(?:, column ([^:\n]+))?/;

/**
 * The server names the refused value by COPY line (one line per row here) and column: say
 * which row of the source that is, as `row` on the error.
 */
function withRow(err: unknown, columns: readonly string[], refs: readonly SourceRef[]): unknown {
  const where = (err as { where?: unknown })?.where;
  const m = typeof where === "string" ? COPY_WHERE.exec(where) : null;
  if (!m) return err;
  const index = Number(m[1]) - 1;
  if (index >= refs.length) return err;
  const column = m[2] !== undefined && columns.includes(m[2]) ? `column "${m[2]}" of ` : "";
  return Object.assign(err as object, { row: `${column}${refLabel(refs[index])}` });
}
