/**
 * The report's running counters: a plain JSON object, small enough to live in one Deno KV value
 * (< 64 KiB) whatever the input, because every dimension has a cap on distinct categories
 * (rarer ones go to `(other)`) and on the length of a category. Worst case, every dimension
 * full with maximum-length keys and 7-digit counts: about 43 KB (see state_test.ts).
 * @module
 */
import { STREAM_CHECKS, type StreamCheckId } from "./checks.ts";
import { COMPLETENESS_FIELDS, type CompletenessField } from "./report.ts";

/** The dimensions counted by category. */
export type Dimension =
  | "type"
  | "source"
  | "gender"
  | "ageBand"
  | "race"
  | "ethnicity"
  | "state"
  | "vaccine"
  | "cvxStatus";

/** Per dimension: most distinct categories kept, and most UTF-8 bytes of a category. */
export const CAPS: Readonly<Record<Dimension, { keys: number; bytes: number }>> = {
  type: { keys: 32, bytes: 64 },
  source: { keys: 16, bytes: 160 },
  gender: { keys: 16, bytes: 32 },
  ageBand: { keys: 8, bytes: 16 },
  race: { keys: 24, bytes: 64 },
  ethnicity: { keys: 16, bytes: 64 },
  state: { keys: 80, bytes: 48 },
  // 288 CVX codes in the CDC list, and room for unknown ones.
  vaccine: { keys: 320, bytes: 16 },
  cvxStatus: { keys: 8, bytes: 16 },
};

/** Most distinct occurrence years kept (later ones count under `(other)`). */
export const YEARS_CAP = 150;
/** Example source references kept per check. */
export const EXAMPLES = 5;
/** Most UTF-8 bytes of an example reference. */
export const EXAMPLE_BYTES = 160;
/** The bucket categories beyond a cap go to. */
export const OTHER = "(other)";

/** One streaming check's counts. */
export interface CheckCounts {
  failing: number;
  checked: number;
  examples: string[];
}

/** The report's running state: plain JSON, passed in and out of `addBatch`. */
export interface ReportState {
  v: 1;
  /** The run's date, YYYY-MM-DD. */
  asOf: string;
  /** Source description for every record; missing: each row's `ref.source`. */
  source?: string;
  /** Record type of plain (non-FHIR) rows: the target table or pipeline name. */
  recordType: string;
  /** Records added so far: the store position of the next record. */
  seq: number;
  /** The first `ref.source` seen: the store keeps only line numbers for its rows. */
  refSource?: string;
  total: number;
  counts: Record<Dimension, Record<string, number>>;
  /** Immunizations by occurrence year: 13 slots, months 1–12 then "month not given". */
  years: Record<string, number[]>;
  /** Immunizations without an occurrence date. */
  undated: number;
  /** Patients with each key field present. */
  complete: Record<CompletenessField, number>;
  checks: Record<StreamCheckId, CheckCounts>;
  /** Dimensions that overflowed into `(other)`. */
  truncated: string[];
}

/** Options of {@link newReportState}. */
export interface NewStateOptions {
  /** The run's date: age bands and "not in the future" use it. */
  asOf: Date | string;
  /** The pipeline's source, e.g. `data/patients.csv` or `postgres table patients`. */
  source?: string;
  /** What plain rows count as (the target table or the pipeline name); default `record`. */
  recordType?: string;
}

/**
 * A fresh report state for a run.
 *
 * @example
 * ```ts
 * const state = newReportState({ asOf: new Date("2026-11-02"), source: "data/patients.csv" });
 * ```
 */
export function newReportState(options: NewStateOptions): ReportState {
  const asOf = typeof options.asOf === "string" ? options.asOf : options.asOf.toISOString();
  if (!/^\d{4}-\d{2}-\d{2}/.test(asOf) || Number.isNaN(Date.parse(asOf.slice(0, 10)))) {
    throw new RangeError(`Cannot use "${asOf}" as the report date: give a date like 2026-11-02`);
  }
  const counts = {} as Record<Dimension, Record<string, number>>;
  for (const d of Object.keys(CAPS) as Dimension[]) counts[d] = {};
  const complete = {} as Record<CompletenessField, number>;
  for (const f of COMPLETENESS_FIELDS) complete[f] = 0;
  const checks = {} as Record<StreamCheckId, CheckCounts>;
  for (const id of STREAM_CHECKS) checks[id] = { failing: 0, checked: 0, examples: [] };
  const state: ReportState = {
    v: 1,
    asOf: asOf.slice(0, 10),
    recordType: clip(options.recordType ?? "record", CAPS.type.bytes),
    seq: 0,
    total: 0,
    counts,
    years: {},
    undated: 0,
    complete,
    checks,
    truncated: [],
  };
  if (options.source !== undefined) state.source = clip(options.source, CAPS.source.bytes);
  return state;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * `text` cut to at most `bytes` UTF-8 bytes (on a character boundary), control characters
 * made spaces, so a category can never blow the state's size.
 */
export function clip(text: string, bytes: number): string {
  // deno-lint-ignore no-control-regex
  const clean = /[\u0000-\u001f\u007f]/.test(text)
    // deno-lint-ignore no-control-regex
    ? text.replace(/[\u0000-\u001f\u007f]/g, " ")
    : text;
  if (clean.length * 3 <= bytes) return clean;
  const encoded = encoder.encode(clean);
  if (encoded.length <= bytes) return clean;
  // A cut inside a character decodes to U+FFFD: drop it.
  return decoder.decode(encoded.subarray(0, bytes)).replace(/\uFFFD+$/, "");
}
