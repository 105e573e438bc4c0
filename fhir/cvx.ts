/**
 * The CDC CVX code set shipped in `fhir/cvx/cvx.csv` (see its README for the date): lookups
 * for Immunization.vaccineCode. Codes are text and keep their leading zeros ("08").
 * @module
 */
import { parseCsv } from "./_csv.ts";

/** FHIR system of CVX codes. */
export const CVX_SYSTEM = "http://hl7.org/fhir/sid/cvx";

/** The date of the CDC table the shipped list comes from. */
export const CVX_AS_OF = "2025-07-15";

/** One CVX code as the CDC lists it. */
export interface CvxEntry {
  code: string;
  shortDescription: string;
  fullName: string;
  /** "Active", "Inactive", "Non-US" or "Never Active". */
  status: string;
  lastUpdated: string;
}

function loadCvx(): ReadonlyMap<string, CvxEntry> {
  const text = Deno.readTextFileSync(new URL("./cvx/cvx.csv", import.meta.url));
  const [header, ...records] = parseCsv(text);
  const at = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`Cannot read cvx.csv: column "${name}" is missing`);
    return i;
  };
  const [code, short, full, status, updated] = [
    at("code"),
    at("short_description"),
    at("full_name"),
    at("status"),
    at("last_updated"),
  ];
  const entries = new Map<string, CvxEntry>();
  for (const r of records) {
    if (!r[code]) continue;
    entries.set(r[code], {
      code: r[code],
      shortDescription: r[short],
      fullName: r[full],
      status: r[status],
      lastUpdated: r[updated] ?? "",
    });
  }
  return entries;
}

/** Every CVX code of the shipped list, by code. */
export const CVX_CODES: ReadonlyMap<string, CvxEntry> = loadCvx();

/**
 * The CVX code for a source value, or `undefined` when none is known. Numbers and unpadded
 * text are padded: `8` and `"8"` become `"08"` because the list has "08" and no "8".
 *
 * @example
 * ```ts
 * cvxCode(8); // "08"
 * cvxCode("140"); // "140"
 * cvxCode("999999"); // undefined
 * ```
 */
export function cvxCode(value: string | number): string | undefined {
  const text = typeof value === "number" ? String(value) : value;
  if (CVX_CODES.has(text)) return text;
  let digits = text.trim();
  while (digits.length > 1 && digits.charCodeAt(0) === 48) digits = digits.slice(1);
  if (CVX_CODES.has(digits)) return digits;
  const padded = digits.length === 1 ? "0" + digits : digits;
  return CVX_CODES.has(padded) ? padded : undefined;
}
