/**
 * FHIR dates as comparable integers (YYYYMMDD). A partial date (`1968`, `1968-07`) stands for a
 * range of days: checks take the end of the range that gives the benefit of the doubt, so only
 * dates that are surely wrong fail.
 * @module
 */

const DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/;

/** The parts of a FHIR date or dateTime (the date as written, before any time zone). */
export function dateParts(
  value: unknown,
): { year: number; month?: number; day?: number } | undefined {
  if (typeof value !== "string") return undefined;
  const m = DATE.exec(value);
  if (m === null) return undefined;
  const month = m[2] === undefined ? undefined : Number(m[2]);
  const day = m[3] === undefined ? undefined : Number(m[3]);
  if (month !== undefined && (month < 1 || month > 12)) return undefined;
  if (day !== undefined && (day < 1 || day > 31)) return undefined;
  return { year: Number(m[1]), month, day };
}

/** First possible day of a date, as YYYYMMDD (`1968` → 19680101). */
export function earliestDay(value: unknown): number | undefined {
  const p = dateParts(value);
  return p && p.year * 10_000 + (p.month ?? 1) * 100 + (p.day ?? 1);
}

/** Last possible day of a date, as YYYYMMDD (`1968-07` → 19680731, good enough to compare). */
export function latestDay(value: unknown): number | undefined {
  const p = dateParts(value);
  return p && p.year * 10_000 + (p.month ?? 12) * 100 + (p.day ?? 31);
}

/** YYYY-MM-DD → YYYYMMDD. */
export function dayNumber(isoDate: string): number {
  return Number(isoDate.slice(0, 4)) * 10_000 + Number(isoDate.slice(5, 7)) * 100 +
    Number(isoDate.slice(8, 10));
}

/**
 * The last day that is not "in the future" for a run on `asOf`: the day after, because a
 * source in a time zone east of UTC may already be there (the FHIR mappers allow the same).
 */
export function lastPresentDay(asOf: string): number {
  const next = new Date(Date.parse(asOf.slice(0, 10)) + 86_400_000).toISOString();
  return dayNumber(next);
}

/** Whole years from a birth day to a day, both YYYYMMDD. */
export function ageInYears(birth: number, on: number): number {
  const years = Math.floor(on / 10_000) - Math.floor(birth / 10_000);
  return on % 10_000 < birth % 10_000 ? years - 1 : years;
}

/** The age band at `on` of someone born on `birth` (YYYYMMDD both). */
export function ageBand(birth: number, on: number): string {
  const age = ageInYears(birth, on);
  if (age < 0) return "unknown";
  if (age <= 4) return "0-4";
  if (age <= 17) return "5-17";
  if (age <= 44) return "18-44";
  if (age <= 64) return "45-64";
  return "65+";
}

/** Age bands in report order. */
export const AGE_BANDS = ["0-4", "5-17", "18-44", "45-64", "65+", "deceased", "unknown"] as const;
