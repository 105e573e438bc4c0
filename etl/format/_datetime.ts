/**
 * Dates and date-times as the formats write them: ISO 8601 text in, days or UTC seconds +
 * microseconds out, with plain integer arithmetic (no `Date` per value, no local time zone).
 * A date-time without an offset is taken as UTC, so output never depends on the server's zone.
 * @module
 */
import { isoDateNumber, validDay } from "../iso_date.ts";

/** An instant: whole seconds since 1970-01-01T00:00:00Z and the microseconds after them. */
export interface Instant {
  seconds: number;
  micros: number;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})(?=$|[T ])/;
const DATETIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** `YYYY-MM-DD` of a day number (inverse of {@link daysFromCivil}). */
export function civilText(days: number): string {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${String(y).padStart(4, "0")}-${pad2(m)}-${pad2(d)}`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/**
 * Days since 1970-01-01 of `YYYY-MM-DD` (a trailing time is ignored), or undefined when the
 * text is not a valid date.
 */
export function parseDate(text: string): number | undefined {
  if (text.length === 10) {
    const n = isoDateNumber(text);
    if (n >= 0) {
      const y = Math.floor(n / 10000), mo = Math.floor(n / 100) % 100, d = n % 100;
      return validDay(y, mo, d) ? daysFromCivil(y, mo, d) : undefined;
    }
  }
  const m = DATE.exec(text);
  if (!m) return undefined;
  const y = +m[1], mo = +m[2], d = +m[3];
  return validDay(y, mo, d) ? daysFromCivil(y, mo, d) : undefined;
}

/**
 * The instant of an ISO 8601 date-time (`T` or space, optional seconds and fraction, `Z`,
 * `±HH:MM`, `±HHMM`, `±HH` or no offset = UTC); fractions past microseconds are cut.
 * Undefined when the text is not a valid date-time.
 */
export function parseDateTime(text: string): Instant | undefined {
  const m = DATETIME.exec(text);
  if (!m) return undefined;
  const y = +m[1], mo = +m[2], d = +m[3];
  const h = m[4] ? +m[4] : 0, mi = m[5] ? +m[5] : 0, s = m[6] ? +m[6] : 0;
  if (!validDay(y, mo, d) || h > 23 || mi > 59 || s > 59) return undefined;
  let offset = 0;
  const zone = m[8];
  if (zone && zone !== "Z" && zone !== "z") {
    const oh = +zone.slice(1, 3), om = zone.length > 3 ? +zone.slice(-2) : 0;
    if (oh > 23 || om > 59) return undefined;
    offset = (zone[0] === "-" ? -1 : 1) * (oh * 60 + om);
  }
  const micros = m[7] ? +(m[7] + "00000").slice(0, 6) : 0;
  const seconds = daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset * 60;
  return { seconds, micros };
}

/** The instant of a row value: ISO text, a `Date`, or epoch milliseconds. */
export function instantOf(value: unknown): Instant | undefined {
  if (typeof value === "string") return parseDateTime(value);
  const ms = value instanceof Date ? value.getTime() : typeof value === "number" ? value : NaN;
  if (!Number.isFinite(ms)) return undefined;
  const seconds = Math.floor(ms / 1000);
  return { seconds, micros: Math.round((ms - seconds * 1000) * 1000) };
}

/** `YYYY-MM-DD<sep>HH:MM:SS.ffffff` in UTC; `sep` is `" "` for SQL, `"T"` for ISO. */
export function formatUtc(instant: Instant, sep: string): string {
  const days = Math.floor(instant.seconds / 86400);
  let rest = instant.seconds - days * 86400;
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const mi = Math.floor(rest / 60);
  const s = rest - mi * 60;
  const frac = String(instant.micros).padStart(6, "0");
  return `${civilText(days)}${sep}${pad2(h)}:${pad2(mi)}:${pad2(s)}.${frac}`;
}
