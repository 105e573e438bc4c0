/**
 * Row values as SQL literals of one dialect, chosen once per column by its type. Text that
 * does not look like its column's type is still written as a quoted string, so the database
 * (not this encoder) reports what is wrong with it, and nothing can escape the literal.
 * @module
 */
import type { ColumnType } from "../types.ts";
import { instantOf } from "./_datetime.ts";
import type { SqlDialect } from "./_sql_dialects.ts";
import { INTEGER_TEXT, isMissing, jsonTextOf, parseBoolean, textOf } from "./_values.ts";

/** Writes one value of a column as a literal, `NULL` when missing. */
export type LiteralWriter = (value: unknown) => string;

function numberText(value: number): string {
  // NaN and Infinity have no SQL literal in every dialect.
  return Number.isFinite(value) ? String(value) : "NULL";
}

/** The literal writer of a column type in a dialect. */
export function literalWriter(type: ColumnType, d: SqlDialect): LiteralWriter {
  const text = (v: unknown) => d.text(textOf(v));
  let write: LiteralWriter;
  switch (type) {
    case "integer":
      write = (v) =>
        typeof v === "number"
          ? numberText(v)
          : typeof v === "bigint"
          ? String(v)
          : typeof v === "string" && INTEGER_TEXT.test(v)
          ? v
          : text(v);
      break;
    case "decimal":
      // Quoted on purpose: exact in NUMERIC/DECIMAL, and kept as written in SQLite's TEXT.
      write = (v) => typeof v === "number" ? numberText(v) : text(v);
      break;
    case "boolean":
      write = (v) => {
        const b = typeof v === "boolean" ? v : typeof v === "string" ? parseBoolean(v) : undefined;
        return b === undefined ? text(v) : d.booleans[b ? 1 : 0];
      };
      break;
    case "date":
      write = (v) => v instanceof Date ? d.text(v.toISOString().slice(0, 10)) : text(v);
      break;
    case "datetime":
      write = (v) => {
        const instant = instantOf(v);
        return instant ? d.instant(instant) : text(v);
      };
      break;
    case "json":
      write = (v) => d.json(jsonTextOf(v));
      break;
    default:
      write = text;
  }
  return (v) => isMissing(v) ? "NULL" : write(v);
}
