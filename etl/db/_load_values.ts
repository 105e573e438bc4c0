/**
 * What the database repositories (MySQL, SQLite) share: the columns to load, the key checks,
 * the staging table's name, and row values as statement parameters per column type. Rows come
 * normalized (numbers, booleans, decimal strings, objects for json) or raw from a text source
 * (strings): both load the same.
 * @module
 */
import { createHash } from "node:crypto";
import { civilText, formatUtc, type Instant, instantOf, parseDate } from "../format/_datetime.ts";
import { INTEGER_TEXT, isMissing, jsonTextOf, parseBoolean, textOf } from "../format/_values.ts";
import type { Column, ColumnType, Row, Schema, SourceRef } from "../types.ts";

/** Prefix of every staging table; the repository's catalog hides them. */
export const STAGE_PREFIX = "_pyxgen_stage_";

/** Column of the staging table that keeps the rows' order, so the last row of a key wins. */
export const SEQ_COLUMN = "_pyxgen_seq";

/**
 * `_pyxgen_stage_<run id>` with the run id reduced to `[a-z0-9_]` and the whole within
 * MySQL's 64-character limit (a hash keeps long ids apart).
 */
export function stageName(runId: string): string {
  const clean = runId.toLowerCase().replace(/[^a-z0-9_]/g, "_");
  const room = 64 - STAGE_PREFIX.length;
  if (clean.length <= room) return STAGE_PREFIX + clean;
  const hash = createHash("sha256").update(runId).digest("hex").slice(0, 8);
  return `${STAGE_PREFIX}${clean.slice(0, room - 9)}_${hash}`;
}

/**
 * The columns to load: the schema's (the resource column as json), or the first rows' keys
 * as text when the schema came without columns. Undefined while nothing tells them yet.
 */
export function loadColumns(schema: Schema, rows: readonly Row[] = []): Column[] | undefined {
  const cols = schema.columns.length > 0
    ? schema.columns
    : rows.length > 0
    ? Object.keys(rows[0]).map((name): Column => ({ name, type: "string" }))
    : undefined;
  return cols?.map((c) => c.name === schema.resource ? { name: c.name, type: "json" } : c);
}

/** A value ready to bind: text, a number, or null. */
export type Param = string | number | bigint | null;

function booleanParam(v: unknown): Param {
  const b = typeof v === "boolean" ? v : typeof v === "string" ? parseBoolean(v) : undefined;
  return b === undefined ? (typeof v === "number" ? v : textOf(v)) : b ? 1 : 0;
}

function dateParam(v: unknown): Param {
  if (v instanceof Date) return v.toISOString().slice(0, 10);
  const text = textOf(v);
  const days = parseDate(text);
  // A date-time in a date column keeps its day; text that is no date goes as it is, so the
  // database names the bad value.
  return days === undefined ? text : civilText(days);
}

/**
 * The parameter writer of a column type. `datetimeSep`/`datetimeZone` shape date-times, in
 * UTC: MySQL DATETIME wants `2024-03-01 10:20:30.000000`, SQLite text `…T…Z`.
 */
export function paramWriter(
  type: ColumnType,
  datetime: (utc: Instant) => string,
): (v: unknown) => Param {
  let write: (v: unknown) => Param;
  switch (type) {
    case "integer":
      write = (v) =>
        typeof v === "number" || typeof v === "bigint"
          ? v
          : typeof v === "boolean"
          ? (v ? 1 : 0)
          : textOf(v).trim();
      break;
    case "decimal":
      write = (v) => typeof v === "number" ? String(v) : textOf(v).trim();
      break;
    case "boolean":
      write = booleanParam;
      break;
    case "date":
      write = dateParam;
      break;
    case "datetime":
      write = (v) => {
        const instant = instantOf(v);
        return instant ? datetime(instant) : textOf(v);
      };
      break;
    case "json":
      write = jsonTextOf;
      break;
    default:
      write = textOf;
  }
  return (v) => isMissing(v) ? null : write(v);
}

/** MySQL DATETIME(6) text in UTC. */
export const mysqlDatetime = (i: Instant) => formatUtc(i, " ");

/** SQLite date-time text: fixed-width ISO 8601 in UTC, so it sorts and compares as text. */
export const sqliteDatetime = (i: Instant) => `${formatUtc(i, "T")}Z`;

/** Integer text SQLite should store as an integer (it would as text otherwise). */
export function sqliteInteger(p: Param): Param {
  if (typeof p === "string" && INTEGER_TEXT.test(p)) {
    const n = Number(p);
    return Number.isSafeInteger(n) ? n : p;
  }
  return p;
}

/** Where a row came from, for a message: `clinic.csv line 5`, `patients key 42`. */
export function describeRef(ref: SourceRef): string {
  if (ref.line !== undefined) return `${ref.source} line ${ref.line}`;
  if (ref.key !== undefined) return `${ref.source} key ${ref.key}`;
  if (ref.index !== undefined) return `${ref.source} record ${ref.index + 1}`;
  return ref.source;
}
