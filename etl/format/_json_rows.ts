/**
 * One row as JSON text, shared by the JSON and NDJSON formats. Keys follow the schema's column
 * order; integer and boolean columns holding text (rows straight from a CSV source) are written
 * as JSON numbers and booleans when the text is one; json columns holding text are embedded as
 * the JSON they contain. Decimals stay strings so no digit is lost. When the schema names a
 * resource column (FHIR), the element is that resource itself.
 * @module
 */
import type { ColumnType, Row, Schema } from "../types.ts";
import { columnsOf, INTEGER_TEXT, parseBoolean } from "./_values.ts";
import type { JsonBuffer } from "./json_bytes.ts";

type Convert = (value: unknown) => unknown;

function plain(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value !== "bigint") return value;
  return Number.isSafeInteger(Number(value)) ? Number(value) : String(value);
}

function integer(value: unknown): unknown {
  if (typeof value === "string" && INTEGER_TEXT.test(value)) {
    const n = Number(value);
    if (Number.isSafeInteger(n)) return n;
  }
  return plain(value);
}

function boolean(value: unknown): unknown {
  return (typeof value === "string" ? parseBoolean(value) : undefined) ?? plain(value);
}

function json(value: unknown): unknown {
  if (typeof value !== "string") return plain(value);
  try {
    // Parsed, so that pretty-printed text cannot break an NDJSON line.
    return JSON.parse(value);
  } catch {
    return value;
  }
}

const CONVERT: Record<ColumnType, Convert | undefined> = {
  string: undefined,
  decimal: undefined,
  date: undefined,
  datetime: undefined,
  integer,
  boolean,
  json,
};

/**
 * A function appending one row as a JSON object (or its resource) to a {@link JsonBuffer},
 * without a trailing newline. Built from the first rows seen, so a schema without columns
 * still works.
 */
export function rowWriter(
  schema: Schema,
  rows: readonly Row[],
): (row: Row, out: JsonBuffer) => void {
  if (schema.resource) {
    const key = schema.resource;
    return (row, out) => out.json(json(row[key]));
  }
  const columns = columnsOf(schema, rows);
  const names = columns.map((c) => c.name);
  const converts = columns.map((c) => CONVERT[c.type] ?? plain);
  // Copies of one template share its hidden class: V8 then serializes them on its fast path,
  // about twice as fast as objects built key by key or per-value JSON.stringify.
  const template = Object.fromEntries(names.map((n) => [n, null]));
  const n = names.length;
  return (row, out) => {
    const obj: Record<string, unknown> = { ...template };
    for (let i = 0; i < n; i++) obj[names[i]] = converts[i](row[names[i]]);
    out.text(JSON.stringify(obj));
  };
}
