/**
 * `YYYY-MM-DD` read without a regular expression: the shape nearly every date column has, and
 * the one the engine writes. Shared by normalize's coercion and the Parquet writer.
 * @module
 */

/** Whether y-m-d is a day of the Gregorian calendar. */
export function validDay(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  if (m === 2) return d <= ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28);
  return d <= (m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31);
}

/**
 * The date at the start of `text` as `y * 10000 + m * 100 + d` when its first ten characters
 * are `DDDD-DD-DD` (digits), else -1. The day is not checked: see {@link validDay}.
 *
 * @example
 * ```ts
 * isoDateNumber("2024-02-30"); // 20240230 (shape only)
 * isoDateNumber("02/03/2024"); // -1
 * ```
 */
export function isoDateNumber(text: string): number {
  if (text.length < 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return -1;
  let n = 0;
  for (let i = 0; i < 10; i++) {
    if (i === 4 || i === 7) continue;
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}
