/**
 * What a MySQL / MariaDB column's metadata says about its values: how to turn the driver's
 * value into a row value (booleans, bits, binary data), how to write a literal of it, and which
 * engine column type it is for the catalog.
 * @module
 */
import type { FieldPacket } from "mysql2";
import { ConfigError } from "../errors.ts";
import type { ColumnType } from "../types.ts";

/** How binary columns (BLOB, BINARY, VARBINARY, GEOMETRY) are read. */
export type BinaryMode = "refuse" | "base64";

// mysql2 field type codes (lib/constants/types.js).
const T = {
  DECIMAL: 0,
  TINY: 1,
  SHORT: 2,
  LONG: 3,
  FLOAT: 4,
  DOUBLE: 5,
  LONGLONG: 8,
  INT24: 9,
  YEAR: 13,
  BIT: 16,
  NEWDECIMAL: 246,
  GEOMETRY: 255,
} as const;
const NUMERIC = new Set<number>([
  T.DECIMAL,
  T.TINY,
  T.SHORT,
  T.LONG,
  T.FLOAT,
  T.DOUBLE,
  T.LONGLONG,
  T.INT24,
  T.YEAR,
  T.NEWDECIMAL,
]);
// TINY_BLOB .. STRING: text or bytes, told apart by the "binary" character set 63.
const STRINGISH = new Set<number>([249, 250, 251, 252, 253, 254]);
const BINARY_CHARSET = 63;

function typeOf(field: FieldPacket): number {
  return field.columnType ?? field.type ?? -1;
}

/** Whether the column holds raw bytes rather than text. */
export function isBinaryField(field: FieldPacket): boolean {
  const type = typeOf(field);
  if (type === T.GEOMETRY) return true;
  return STRINGISH.has(type) && field.characterSet === BINARY_CHARSET &&
    field.extendedFormat !== "json";
}

/** TINYINT(1) (what BOOLEAN is in MySQL) and BIT(1) are read as booleans. */
function isBooleanField(field: FieldPacket): boolean {
  const type = typeOf(field);
  return (type === T.TINY || type === T.BIT) && field.columnLength === 1;
}

function bitsValue(bytes: Uint8Array, asBoolean: boolean): unknown {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  if (asBoolean) return n === 1n;
  return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : String(n);
}

/**
 * The converter of one column's driver values into row values: TINYINT(1) and BIT(1) become
 * booleans (a TINYINT(1) holding another number keeps it), other BITs integers, binary data
 * base64 text when allowed. Everything else is kept as mysql2 reads it with the session's
 * settings: DECIMAL and BIGINT as exact strings, dates and date-times as the server's text,
 * JSON parsed. Throws a ConfigError naming a binary column when binary data is refused.
 */
export function fieldReader(field: FieldPacket, binary: BinaryMode): (v: unknown) => unknown {
  const type = typeOf(field);
  if (isBinaryField(field)) {
    if (binary === "refuse") {
      throw new ConfigError(
        `The column "${field.name}" holds binary data (BLOB, BINARY or similar), which cannot go into a row as it is: leave it out with "columns", or set binary to "base64" to read it as base64 text`,
      );
    }
    return (v) => v instanceof Uint8Array ? bytesToBase64(v) : v;
  }
  const boolean = isBooleanField(field);
  if (type === T.BIT) return (v) => v instanceof Uint8Array ? bitsValue(v, boolean) : v;
  if (boolean) return (v) => v === 0 ? false : v === 1 ? true : v;
  return (v) => v;
}

function bytesToBase64(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A SQL literal of `text` compared against this column: a bare number for numeric columns
 * (a quoted string would be compared as a double, losing BIGINT digits), an escaped string
 * otherwise. `escape` is the driver's string escaping.
 */
export function literalFor(
  field: FieldPacket | undefined,
  text: string,
  escape: (v: string) => string,
  what: string,
): string {
  if (field && NUMERIC.has(typeOf(field)) || field && typeOf(field) === T.BIT) {
    if (isBooleanField(field) && (text === "true" || text === "false")) {
      return text === "true" ? "1" : "0";
    }
    if (!NUMBER_TEXT.test(text)) {
      throw new ConfigError(`The ${what} "${text}" is not a number, but "${field.name}" is`);
    }
    return text;
  }
  return escape(text);
}

/**
 * The engine type of a column from information_schema (`DATA_TYPE`, `COLUMN_TYPE`), for the
 * catalog. MariaDB's JSON is LONGTEXT with a json_valid() check, hence `isJson`.
 */
export function catalogType(dataType: string, columnType: string, isJson: boolean): ColumnType {
  const data = dataType.toLowerCase();
  const full = columnType.toLowerCase();
  if (isJson || data === "json") return "json";
  if (/^(tinyint|bit)\(1\)/.test(full) || data === "boolean" || data === "bool") return "boolean";
  if (/^(tinyint|smallint|mediumint|int|integer|bigint|year|bit)$/.test(data)) return "integer";
  if (/^(decimal|numeric|float|double|real)$/.test(data)) return "decimal";
  if (data === "date") return "date";
  if (data === "datetime" || data === "timestamp") return "datetime";
  return "string";
}
