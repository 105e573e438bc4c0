/**
 * Source dates and times to FHIR `date` / `dateTime` strings without per-row regexes:
 * ISO forms ("2014-02-15", "2014-02-15T10:14:03Z", "2014-02-15 10:14"), compact "20140215",
 * and slashed forms ("3/14/1985", or day first when asked). Invalid calendar dates give
 * `undefined`, never a guess.
 * @module
 */

const DAYS = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function digits(s: string, from: number, count: number): number {
  let n = 0;
  for (let i = from; i < from + count; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

function validDay(y: number, m: number, d: number): boolean {
  if (y < 1 || m < 1 || m > 12 || d < 1 || d > DAYS[m]) return false;
  return m !== 2 || d < 29 || (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0));
}

const pad2 = (n: number) => (n < 10 ? "0" + n : String(n));

/** A slashed or dotted date ("3/14/1985", "14.03.1985", "1985/03/14") as YYYY-MM-DD. */
function otherDate(s: string, dayFirst: boolean): string | undefined {
  const parts = s.split(s.includes("/") ? "/" : s.includes(".") ? "." : "-");
  if (parts.length !== 3 || parts.some((p) => p.length === 0 || p.length > 4)) return undefined;
  let [a, b, c] = parts;
  if (a.length === 4) [a, b, c] = [b, c, a];
  else if (c.length !== 4) return undefined; // two-digit years have no safe century
  else if (dayFirst) [a, b] = [b, a];
  const y = digits(c, 0, 4), m = digits(a, 0, a.length), d = digits(b, 0, b.length);
  if (!validDay(y, m, d)) return undefined;
  return `${c}-${pad2(m)}-${pad2(d)}`;
}

/**
 * A FHIR `date` from source text; a date-time keeps only its date part.
 *
 * @example
 * ```ts
 * fhirDate("1968-07-31"); // "1968-07-31"
 * fhirDate("07/31/1968"); // "1968-07-31"
 * fhirDate("1968-02-30"); // undefined
 * ```
 */
export function fhirDate(s: string, dayFirst = false): string | undefined {
  const n = s.length;
  if (n >= 10 && s.charCodeAt(4) === 45 && s.charCodeAt(7) === 45) {
    if (n > 10 && s[10] !== "T" && s[10] !== " ") return undefined;
    const ok = validDay(digits(s, 0, 4), digits(s, 5, 2), digits(s, 8, 2));
    return ok ? (n === 10 ? s : s.slice(0, 10)) : undefined;
  }
  if (n === 8 && digits(s, 0, 8) >= 0) {
    const y = digits(s, 0, 4), m = digits(s, 4, 2), d = digits(s, 6, 2);
    return validDay(y, m, d) ? `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6)}` : undefined;
  }
  if (n === 4) return digits(s, 0, 4) > 0 ? s : undefined;
  if (n === 7 && s.charCodeAt(4) === 45) {
    const m = digits(s, 5, 2);
    return digits(s, 0, 4) > 0 && m >= 1 && m <= 12 ? s : undefined;
  }
  return n >= 6 && n <= 10 ? otherDate(s, dayFirst) : undefined;
}

/** "Z", "+05:30", "-0500", "+05" → FHIR offset; undefined when malformed. */
function offset(s: string, at: number): string | undefined {
  const rest = s.length - at;
  if (rest === 0) return "Z"; // FHIR needs a zone when a time is given: read it as UTC
  const sign = s[at];
  if (sign === "Z" && rest === 1) return "Z";
  if (sign !== "+" && sign !== "-") return undefined;
  const h = digits(s, at + 1, 2);
  let m = 0;
  if (rest === 6 && s[at + 3] === ":") m = digits(s, at + 4, 2);
  else if (rest === 5) m = digits(s, at + 3, 2);
  else if (rest !== 3) return undefined;
  if (h < 0 || m < 0 || m > 59 || h > 14 || (h === 14 && m > 0)) return undefined;
  return `${sign}${pad2(h)}:${pad2(m)}`;
}

/**
 * A FHIR `dateTime` from source text: a date-only value stays a date, a time keeps its
 * instant (seconds added when missing, no zone read as UTC).
 *
 * @example
 * ```ts
 * fhirDateTime("2014-02-15T10:14:03Z"); // "2014-02-15T10:14:03Z"
 * fhirDateTime("2014-02-15 10:14"); // "2014-02-15T10:14:00Z"
 * fhirDateTime("2014-02-15"); // "2014-02-15"
 * ```
 */
export function fhirDateTime(s: string, dayFirst = false): string | undefined {
  const n = s.length;
  // The common case, already canonical: 2014-02-15T10:14:03Z
  if (
    n === 20 && s.charCodeAt(19) === 90 && s.charCodeAt(10) === 84 && s.charCodeAt(13) === 58 &&
    s.charCodeAt(16) === 58 && s.charCodeAt(4) === 45 && s.charCodeAt(7) === 45 &&
    validDay(digits(s, 0, 4), digits(s, 5, 2), digits(s, 8, 2))
  ) {
    const h = digits(s, 11, 2), m = digits(s, 14, 2), sec = digits(s, 17, 2);
    return h >= 0 && h < 24 && m >= 0 && m < 60 && sec >= 0 && sec <= 60 ? s : undefined;
  }
  let split = s.indexOf("T");
  if (split < 0) split = s.indexOf(" ");
  if (split < 0) return fhirDate(s, dayFirst);
  const date = fhirDate(s.slice(0, split), dayFirst);
  if (date === undefined || date.length !== 10) return undefined;
  let p = split + 1;
  const h = digits(s, p, 2), m = s[p + 2] === ":" ? digits(s, p + 3, 2) : -1;
  if (h < 0 || h > 23 || m < 0 || m > 59) return undefined;
  p += 5;
  let sec = "00", frac = "";
  if (s[p] === ":") {
    const v = digits(s, p + 1, 2);
    if (v < 0 || v > 60) return undefined;
    sec = s.slice(p + 1, p + 3);
    p += 3;
    if (s[p] === ".") {
      let q = p + 1;
      while (q < n && s.charCodeAt(q) >= 48 && s.charCodeAt(q) <= 57) q++;
      if (q === p + 1) return undefined;
      frac = s.slice(p, q);
      p = q;
    }
  }
  const zone = offset(s, s[p] === " " ? p + 1 : p);
  if (zone === undefined) return undefined;
  return `${date}T${s.slice(split + 1, split + 3)}:${
    s.slice(split + 4, split + 6)
  }:${sec}${frac}${zone}`;
}

/**
 * A key that is equal for equal instants however they are written ("…03Z", "…03.000Z",
 * "…05:14:03-05:00"), used where ids must not depend on formatting. Dates stay as they are.
 */
export function instantKey(dateTime: string): string {
  if (dateTime.length <= 10) return dateTime;
  if (dateTime.length === 20 && dateTime.endsWith("Z")) return dateTime;
  const ms = Date.parse(dateTime);
  if (Number.isNaN(ms)) return dateTime;
  const iso = new Date(ms).toISOString();
  return iso.endsWith(".000Z") ? iso.slice(0, 19) + "Z" : iso;
}
