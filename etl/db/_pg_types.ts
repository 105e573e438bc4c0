/**
 * How PostgreSQL values become row values, and how PostgreSQL column types map to the engine's
 * column types. postgres.js builds JS Dates for date and timestamp columns (in the process's
 * time zone) and Buffers for bytea; these parsers keep the server's text instead, so nothing
 * drifts and every value can travel as JSON.
 * @module
 */
import { Buffer } from "node:buffer";
import type { ColumnType } from "../types.ts";

/** What the source does with bytea columns. */
export type BinaryMode = "refuse" | "base64";

/** Type OIDs the parsers and checks below care about. */
export const OID = {
  bytea: 17,
  int8: 20,
  float4: 700,
  float8: 701,
  byteaArray: 1001,
  date: 1082,
  timestamp: 1114,
  timestamptz: 1184,
} as const;

const TIMESTAMP = /^(\d{4,}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)([+-]\d{2}(?::\d{2}){0,2})?$/;

/**
 * ISO 8601 text for a timestamp or timestamptz as the server prints it (DateStyle ISO):
 * `2024-03-01 08:30:00.5+00` → `2024-03-01T08:30:00.5Z`. Other offsets are kept as written;
 * `infinity` and BC dates stay as the server wrote them.
 *
 * @example
 * ```ts
 * isoTimestamp("2024-03-01 08:30:00"); // "2024-03-01T08:30:00"
 * isoTimestamp("2024-03-01 08:30:00+05:30"); // "2024-03-01T08:30:00+05:30"
 * ```
 */
export function isoTimestamp(text: string): string {
  const m = TIMESTAMP.exec(text);
  if (!m) return text;
  const offset = m[3];
  const zone = offset === undefined
    ? ""
    : offset === "+00"
    ? "Z"
    : offset.length === 3
    ? `${offset}:00`
    : offset;
  return `${m[1]}T${m[2]}${zone}`;
}

/** A whole number when it is exact in JS, else its exact text. */
function parseInt8(text: string): number | string {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text;
}

/** JSON has no NaN or Infinity: keep those as text. */
function parseFloat(text: string): number | string {
  const n = Number(text);
  return Number.isFinite(n) ? n : text;
}

type Parser = (text: string) => unknown;

/**
 * The `types` option for postgres.js: date as `YYYY-MM-DD` text, timestamps as ISO text,
 * int8 as a number when safe, bytea as base64 text (the source refuses bytea columns
 * before any row is read unless `binary` is `base64`).
 */
export function pgTypes(binary: BinaryMode): Record<string, {
  to: number;
  from: number[];
  serialize: (x: unknown) => string;
  parse: Parser;
}> {
  const text = (x: unknown) => String(x);
  return {
    pyxDate: { to: OID.date, from: [OID.date], serialize: text, parse: (x) => x },
    pyxTimestamp: {
      to: OID.timestamptz,
      from: [OID.timestamp, OID.timestamptz],
      serialize: text,
      parse: isoTimestamp,
    },
    pyxInt8: { to: OID.int8, from: [OID.int8], serialize: text, parse: parseInt8 },
    pyxFloat: {
      to: OID.float8,
      from: [OID.float4, OID.float8],
      serialize: text,
      parse: parseFloat,
    },
    pyxBytea: {
      to: OID.bytea,
      from: [OID.bytea],
      serialize: text,
      parse: binary === "base64"
        ? (x) => Buffer.from(x.slice(2), "hex").toString("base64")
        : (x) => x,
    },
  };
}

const INTEGER_TYPES = new Set(["int2", "int4", "int8", "oid"]);
const DECIMAL_TYPES = new Set(["numeric", "float4", "float8"]);

/**
 * The engine's column type for a PostgreSQL base type, from `pg_type.typname` and
 * `typcategory` (arrays are JSON; money, time and everything else are text).
 */
export function columnTypeOf(typname: string, category: string): ColumnType {
  if (category === "A") return "json";
  if (INTEGER_TYPES.has(typname)) return "integer";
  if (DECIMAL_TYPES.has(typname)) return "decimal";
  if (typname === "bool") return "boolean";
  if (typname === "date") return "date";
  if (typname === "timestamp" || typname === "timestamptz") return "datetime";
  if (typname === "json" || typname === "jsonb") return "json";
  return "string";
}
