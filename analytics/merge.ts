/**
 * One report from several runs' internal reports (a tenant's latest run of each pipeline):
 * counts summed by key, shares and statuses worked out again from the sums, check examples
 * concatenated up to the cap, the comparison left out (it belongs to one pipeline). The result
 * is internal like its parts: `suppress()` it before it goes anywhere, so suppression sees the
 * merged counts (a sum of shown counts may hide a small one, and a sum of small ones may not
 * be small).
 *
 * Counts are summed per run, so a patient written by two pipelines counts twice, and
 * cross-record facts (patients with an immunization, references that resolve) stay answered
 * within each run: a patient of one pipeline never resolves an immunization of another.
 * @module
 */
import { AGE_BANDS } from "./_dates.ts";
import { CHECKS, checkStatus } from "./checks.ts";
import {
  type Cell,
  COMPLETENESS_FIELDS,
  type Distribution,
  type ImmunizationSection,
  type InternalReport,
  type PatientSection,
  REPORT_VERSION,
} from "./report.ts";
import { EXAMPLES } from "./state.ts";

/** What names the merged report. */
export interface MergeIds {
  tenant: string;
  /** e.g. `all pipelines`. */
  pipeline: string;
  /** e.g. the merged run ids joined by `;`. */
  run: string;
}

type Order = "count" | "key" | readonly string[];

const PER_PATIENT = ["1", "2", "3", "4", "5", "6-9", "10+"] as const;

/** Cells of several distributions summed by key; the first label (and status) seen wins. */
function mergeDist<T extends Cell<number>>(
  dists: (Distribution<number> & { cells: T[] })[],
  order: Order,
) {
  const byKey = new Map<string, T>();
  for (const d of dists) {
    for (const c of d.cells) {
      const seen = byKey.get(c.key);
      byKey.set(c.key, seen ? { ...seen, count: seen.count + c.count } : { ...c });
    }
  }
  const cells = [...byKey.values()];
  const cmpKey = (a: T, b: T) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  if (order === "count") cells.sort((a, b) => b.count - a.count || cmpKey(a, b));
  else if (order === "key") cells.sort(cmpKey);
  else {
    const rank = (k: string) => (order.includes(k) ? order.indexOf(k) : order.length);
    cells.sort((a, b) => rank(a.key) - rank(b.key) || cmpKey(a, b));
  }
  return { cells };
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

function mergePatients(parts: PatientSection<number>[]): PatientSection<number> | null {
  if (parts.length === 0) return null;
  const total = sum(parts.map((p) => p.total));
  return {
    total,
    gender: mergeDist(parts.map((p) => p.gender), "count"),
    ageBand: mergeDist(parts.map((p) => p.ageBand), AGE_BANDS),
    race: mergeDist(parts.map((p) => p.race), "count"),
    ethnicity: mergeDist(parts.map((p) => p.ethnicity), "count"),
    state: mergeDist(parts.map((p) => p.state), "count"),
    completeness: COMPLETENESS_FIELDS.map((field) => {
      const of = parts.map((p) => p.completeness.find((c) => c.field === field));
      const present = sum(of.map((c) => c?.present ?? 0));
      const missing = sum(of.map((c) => c?.missing ?? 0));
      return { field, present, missing, share: total === 0 ? 0 : present / total };
    }),
  };
}

/** The median from the per-patient buckets, or null when it falls in a bucket of a range. */
function bucketMedian(cells: Cell<number>[], total: number): number | null {
  if (total === 0) return null;
  const at = (rank: number) => {
    let seen = 0;
    for (const c of cells) if ((seen += c.count) > rank) return c.key;
    return cells[cells.length - 1].key;
  };
  const keys = total % 2 === 1 ? [at((total - 1) / 2)] : [at(total / 2 - 1), at(total / 2)];
  const values = keys.map((k) => (/^\d+$/.test(k) ? Number(k) : NaN));
  if (values.some(Number.isNaN)) return null;
  return sum(values) / values.length;
}

function mergeImmunizations(
  reports: InternalReport[],
): ImmunizationSection<number> | null {
  const parts = reports.flatMap((r) => (r.immunizations ? [r.immunizations] : []));
  if (parts.length === 0) return null;
  const referenced = sum(parts.map((p) => p.patients.referenced));
  const perPatient = mergeDist(parts.map((p) => p.perPatient.distribution), PER_PATIENT);
  const single = parts.length === 1 ? parts[0].perPatient : undefined;
  const weighted = sum(parts.map((p) => (p.perPatient.mean ?? 0) * p.patients.referenced));
  return {
    total: sum(parts.map((p) => p.total)),
    byVaccine: mergeDist(parts.map((p) => p.byVaccine), "count"),
    byCvxStatus: mergeDist(parts.map((p) => p.byCvxStatus), "count"),
    byYear: mergeDist(parts.map((p) => p.byYear), "key"),
    byMonth: mergeDist(parts.map((p) => p.byMonth), "key"),
    patients: { referenced, inRun: inRun(reports) },
    perPatient: {
      distribution: perPatient,
      // One part: its exact figures. Several: the mean weighted by patients (from rounded
      // means, so within 0.05), the median only when it falls on a single-count bucket.
      mean: single
        ? single.mean
        : referenced === 0
        ? null
        : Math.round(weighted / referenced * 10) / 10,
      median: single ? single.median : bucketMedian(perPatient.cells, referenced),
    },
  };
}

/**
 * The runs' patients with and without an immunization in their own run. A run of patients
 * alone adds all its patients to `without`, so `with + without` stays the Patient count, the
 * sum suppression relies on.
 */
function inRun(reports: InternalReport[]): { with: number; without: number } | null {
  const withPatients = reports.filter((r) => r.patients);
  if (withPatients.length === 0) return null;
  let w = 0, wo = 0;
  for (const r of withPatients) {
    const own = r.immunizations?.patients.inRun;
    if (own) {
      w += own.with;
      wo += own.without;
    } else wo += r.patients!.total;
  }
  return { with: w, without: wo };
}

/**
 * The internal reports of several runs as one internal report (see the module doc).
 * `generatedAt` defaults to the newest part's. Throws a RangeError when `reports` is empty.
 *
 * @example
 * ```ts
 * const merged = mergeReports([patientsReport, immunizationsReport], {
 *   tenant: "clinic-a", pipeline: "all pipelines", run: "r1;r2",
 * });
 * const shown = suppress(merged, 5);
 * ```
 */
export function mergeReports(
  reports: InternalReport[],
  ids: MergeIds,
  generatedAt?: Date,
): InternalReport {
  if (reports.length === 0) {
    throw new RangeError("Cannot merge reports: no report was given");
  }
  // By default the merged report is as new as its newest part: the same answer every time.
  const made = generatedAt?.toISOString() ?? reports.map((r) => r.generatedAt).sort().at(-1)!;
  const patients = reports.flatMap((r) => (r.patients ? [r.patients] : []));
  const checks = CHECKS.map((def) => {
    const of = reports.flatMap((r) => r.checks.filter((c) => c.id === def.id));
    const numerator = sum(of.map((c) => c.numerator));
    const denominator = sum(of.map((c) => c.denominator));
    return {
      id: def.id,
      title: def.title,
      resourceType: def.resourceType,
      status: checkStatus(numerator, denominator),
      numerator,
      denominator,
      examples: of.flatMap((c) => c.examples).slice(0, EXAMPLES),
    };
  });
  return {
    reportVersion: REPORT_VERSION,
    tenant: ids.tenant,
    pipeline: ids.pipeline,
    run: ids.run,
    generatedAt: made,
    asOf: reports.map((r) => r.asOf).sort().at(-1)!,
    suppression: null,
    records: {
      total: sum(reports.map((r) => r.records.total)),
      byType: mergeDist(reports.map((r) => r.records.byType), "count"),
      bySource: mergeDist(reports.map((r) => r.records.bySource), "count"),
    },
    patients: mergePatients(patients),
    immunizations: mergeImmunizations(reports),
    checks,
    comparison: null,
    truncated: [...new Set(reports.flatMap((r) => r.truncated))].sort(),
  };
}
