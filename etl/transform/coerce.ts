/**
 * Type inference and coercion of raw values for the normalize transform. A coercer returns the
 * typed value, or throws a {@link CoerceError} whose message says why the value does not fit.
 * @module
 */
import type { ColumnType } from "../types.ts";
import { isoDateNumber, validDay } from "../iso_date.ts";

/** A value that does not fit its column's type. */
export class CoerceError extends Error {
  override name = "CoerceError";
}

/** Day-month order of slash dates like 03/04/2020. */
export type DateOrder = "mdy" | "dmy";

const INTEGER = /^[+-]?(0|[1-9][0-9]{0,14})$/;
const DECIMAL = /^[+-]?(0|[1-9][0-9]*)(\.[0-9]+)?$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const SLASH_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;
const DATETIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;
/** Lowercase spellings a boolean column takes as true. */
export const TRUE = new Set(["true", "yes", "y", "t", "1"]);
/** Lowercase spellings a boolean column takes as false. */
export const FALSE = new Set(["false", "no", "n", "f", "0"]);
const INFER_BOOLEAN = new Set(["true", "false", "yes", "no"]);

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/** Parse a date as `YYYY-MM-DD`, or a slash date in the given order. */
export function toDate(value: string, order: DateOrder = "mdy"): string {
  if (value.length === 10) {
    const n = isoDateNumber(value);
    if (n >= 0) {
      if (!validDay(Math.floor(n / 10000), Math.floor(n / 100) % 100, n % 100)) {
        throw new CoerceError(`"${value}" is not a valid date`);
      }
      return value;
    }
  }
  let m = ISO_DATE.exec(value);
  if (m) {
    if (!validDay(+m[1], +m[2], +m[3])) throw new CoerceError(`"${value}" is not a valid date`);
    return value;
  }
  m = SLASH_DATE.exec(value);
  if (m) {
    const [month, day] = order === "mdy" ? [+m[1], +m[2]] : [+m[2], +m[1]];
    const year = +m[3];
    if (!validDay(year, month, day)) {
      throw new CoerceError(
        `"${value}" is not a valid date (${order === "mdy" ? "MM/DD/YYYY" : "DD/MM/YYYY"})`,
      );
    }
    return `${year}-${pad(month)}-${pad(day)}`;
  }
  throw new CoerceError(`"${value}" is not a date (expected YYYY-MM-DD)`);
}

/**
 * Parse an ISO 8601 date-time; the offset is kept as written so no time-zone drift happens.
 * A space separator becomes `T`, `+0500` becomes `+05:00`.
 */
export function toDateTime(value: string): string {
  const m = DATETIME.exec(value);
  if (!m || !validDay(+m[1], +m[2], +m[3]) || +m[4] > 23 || +m[5] > 59 || +(m[6] ?? 0) > 59) {
    throw new CoerceError(`"${value}" is not a date-time (expected YYYY-MM-DDTHH:MM:SSZ)`);
  }
  let zone = m[8] ?? "";
  if (zone.length === 5) zone = `${zone.slice(0, 3)}:${zone.slice(3)}`;
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? "00"}${m[7] ?? ""}${zone}`;
}

/** Coerce a raw value (string from a file, or a JSON value) to a column type. */
export function coerce(value: unknown, type: ColumnType, order: DateOrder = "mdy"): unknown {
  switch (type) {
    case "string":
      return typeof value === "object" ? JSON.stringify(value) : String(value);
    case "json":
      if (typeof value !== "string") return value;
      try {
        return JSON.parse(value);
      } catch {
        throw new CoerceError(`"${short(value)}" is not JSON`);
      }
    case "integer": {
      if (typeof value === "number" && Number.isSafeInteger(value)) return value;
      const s = String(value);
      if (!/^[+-]?[0-9]+$/.test(s) || !Number.isSafeInteger(Number(s))) {
        throw new CoerceError(`"${short(s)}" is not a whole number`);
      }
      return Number(s);
    }
    case "decimal": {
      if (typeof value === "number" && Number.isFinite(value)) return String(value);
      const s = String(value);
      if (!/^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$/.test(s)) {
        throw new CoerceError(`"${short(s)}" is not a number`);
      }
      return s.startsWith("+") ? s.slice(1) : s;
    }
    case "boolean": {
      if (typeof value === "boolean") return value;
      const s = String(value).toLowerCase();
      if (TRUE.has(s)) return true;
      if (FALSE.has(s)) return false;
      throw new CoerceError(`"${short(String(value))}" is not true or false`);
    }
    case "date":
      return toDate(String(value), order);
    case "datetime":
      return toDateTime(String(value));
  }
}

/** Does a non-null sample value fit a type, for inference? Stricter than coercion. */
export function fits(value: unknown, type: ColumnType, order: DateOrder): boolean {
  if (typeof value === "object") return type === "json";
  if (typeof value === "number") {
    return type === "integer" ? Number.isSafeInteger(value) : type === "decimal";
  }
  if (typeof value === "boolean") return type === "boolean";
  const s = String(value);
  switch (type) {
    case "integer":
      return INTEGER.test(s);
    case "decimal":
      return DECIMAL.test(s);
    case "boolean":
      return INFER_BOOLEAN.has(s.toLowerCase());
    case "date":
    case "datetime":
      try {
        type === "date" ? toDate(s, order) : toDateTime(s);
        return true;
      } catch {
        return false;
      }
    case "json":
      return false;
    case "string":
      return true;
  }
}

/** The narrowest type that every sample value fits; `string` when there are none. */
export function inferType(values: unknown[], order: DateOrder): ColumnType {
  if (values.length === 0) return "string";
  const order_: ColumnType[] = ["integer", "decimal", "boolean", "date", "datetime", "json"];
  for (const type of order_) if (values.every((v) => fits(v, type, order))) return type;
  return "string";
}

function short(s: string): string {
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}
