/**
 * `finishReport`: the exact report of a run from its state and store. The result is internal:
 * only `suppress(report, threshold)` may leave the engine.
 * @module
 */
import type { SQLOutputValue } from "node:sqlite";
import type { RunIds } from "../etl/types.ts";
import { CVX_CODES } from "../fhir/cvx.ts";
import { OMB_ETHNICITIES, OMB_RACES } from "../fhir/terminology.ts";
import { AGE_BANDS } from "./_dates.ts";
import { type CheckTally, storeFacts } from "./_queries.ts";
import { CHECKS, checkStatus } from "./checks.ts";
import { compareWithLatest } from "./compare.ts";
import {
  type Cell,
  COMPLETENESS_FIELDS,
  type Distribution,
  type ImmunizationSection,
  type InternalReport,
  REPORT_VERSION,
  type ReportBody,
} from "./report.ts";
import type { CheckCounts, ReportState } from "./state.ts";
import { IDENTIFIERS_PER_PATIENT, type IdStore } from "./store.ts";

/** Options of {@link finishReport}. */
export interface FinishOptions {
  ids: RunIds;
  /** The pipeline's latest table (see `promote()`); missing or absent file: no comparison. */
  latestPath?: string;
  /** The previous run's report, for checks that changed status (else latest.sqlite's). */
  previous?: Pick<ReportBody<unknown>, "checks">;
  /** When the report is made (default now). */
  generatedAt?: Date;
}

const byCount = (a: Cell<number>, b: Cell<number>) =>
  b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

function distribution(
  counts: Record<string, number>,
  label?: (key: string) => string | undefined,
): Distribution<number> {
  const cells = Object.entries(counts).map(([key, count]) => {
    const name = label?.(key);
    return name === undefined ? { key, count } : { key, label: name, count };
  });
  return { cells: cells.sort(byCount) };
}

function ordered(counts: Record<string, number>, keys: readonly string[]): Distribution<number> {
  return {
    cells: keys.filter((k) => counts[k] !== undefined).map((key) => ({ key, count: counts[key] })),
  };
}

function refText(state: ReportState, ref: SQLOutputValue): string {
  return typeof ref === "number" ? `${state.refSource} line ${ref}` : String(ref);
}

const PER_PATIENT_BUCKETS = ["1", "2", "3", "4", "5", "6-9", "10+"] as const;

function bucketOf(n: number): string {
  return n <= 5 ? String(n) : n <= 9 ? "6-9" : "10+";
}

function immunizationSection(
  state: ReportState,
  facts: ReturnType<typeof storeFacts>,
  hasPatients: boolean,
): ImmunizationSection<number> {
  const years: Record<string, number> = {};
  const months: Record<string, number> = {};
  for (const [year, slots] of Object.entries(state.years)) {
    years[year] = slots.reduce((a, b) => a + b, 0);
    slots.forEach((n, i) => {
      if (n > 0) months[i < 12 ? `${year}-${String(i + 1).padStart(2, "0")}` : `${year}-??`] = n;
    });
  }
  if (state.undated > 0) years["(none)"] = state.undated;
  const sortByKey = (d: Distribution<number>) => ({
    cells: d.cells.sort((a, b) => (a.key < b.key ? -1 : 1)),
  });
  const buckets: Record<string, number> = {};
  let sum = 0;
  for (const [n, patients] of facts.perPatient) {
    buckets[bucketOf(n)] = (buckets[bucketOf(n)] ?? 0) + patients;
    sum += n * patients;
  }
  const byVaccine = distribution(state.counts.vaccine, (k) => CVX_CODES.get(k)?.shortDescription);
  return {
    total: state.counts.type.Immunization ?? 0,
    byVaccine: {
      cells: byVaccine.cells.map((c) => {
        const status = CVX_CODES.get(c.key)?.status;
        return status === undefined ? c : { ...c, status };
      }),
    },
    byCvxStatus: distribution(state.counts.cvxStatus),
    byYear: sortByKey(distribution(years)),
    byMonth: sortByKey(distribution(months)),
    patients: { referenced: facts.referenced, inRun: hasPatients ? facts.inRun : null },
    perPatient: {
      distribution: ordered(buckets, PER_PATIENT_BUCKETS),
      mean: facts.referenced === 0 ? null : Math.round((sum / facts.referenced) * 10) / 10,
      median: median(facts.perPatient, facts.referenced),
    },
  };
}

function median(histogram: [number, number][], total: number): number | null {
  if (total === 0) return null;
  const at = (rank: number) => {
    let seen = 0;
    for (const [n, c] of histogram) if ((seen += c) > rank) return n;
    return histogram[histogram.length - 1][0];
  };
  return total % 2 === 1 ? at((total - 1) / 2) : (at(total / 2 - 1) + at(total / 2)) / 2;
}

const label = (table: Record<string, { display: string }>) => (key: string) => table[key]?.display;

/**
 * The exact report of a run: counters from `state`, cross-record checks and the comparison
 * from the store. Safe to call again (a retried step). Internal: pass it through
 * `suppress()` before it goes anywhere.
 *
 * @example
 * ```ts
 * const report = finishReport(state, store, {
 *   ids: { tenant: "clinic-a", pipeline: "synthea-patients", run: "r1" },
 *   latestPath: "data/analytics/clinic-a/pipelines/synthea-patients/latest.sqlite",
 * });
 * const shown = suppress(report, 5);
 * ```
 */
export function finishReport(
  state: ReportState,
  store: IdStore,
  options: FinishOptions,
): InternalReport {
  const db = store.db;
  // Rows a crashed step wrote past the saved state are not part of the run.
  db.prepare("DELETE FROM records WHERE seq >= ?").run(state.seq);
  db.prepare("DELETE FROM idents WHERE k >= ?").run(state.seq * IDENTIFIERS_PER_PATIENT);
  const facts = storeFacts(db);
  const patients = state.counts.type.Patient ?? 0;
  const immunizations = state.counts.type.Immunization ?? 0;
  const finishTallies: Record<string, CheckTally> = {
    "patient.identifier-unique": {
      ...facts.identifierUnique,
      checked: state.complete.identifier,
    },
    "immunization.occurrence-after-birth": facts.afterBirth,
    "immunization.patient-resolves": facts.resolves,
  };
  const checks = CHECKS.map((def) => {
    const streamed = (state.checks as Record<string, CheckCounts | undefined>)[def.id];
    const t = streamed
      ? { failing: streamed.failing, checked: streamed.checked, examples: streamed.examples }
      : {
        failing: finishTallies[def.id].failing,
        checked: finishTallies[def.id].checked,
        examples: finishTallies[def.id].refs.map((r) => refText(state, r)),
      };
    return {
      id: def.id,
      title: def.title,
      resourceType: def.resourceType,
      status: checkStatus(t.failing, t.checked),
      numerator: t.failing,
      denominator: t.checked,
      examples: t.examples,
    };
  });
  const latest = compareWithLatest(db, options.latestPath);
  const before = options.previous
    ? Object.fromEntries(options.previous.checks.map((c) => [c.id, c.status]))
    : latest?.previousChecks ?? {};
  const changedChecks = checks
    .filter((c) => before[c.id] !== undefined && before[c.id] !== c.status)
    .map((c) => ({ id: c.id, previous: before[c.id], current: c.status }));
  const withId = Number(
    db.prepare("SELECT COUNT(*) AS n FROM records WHERE id IS NOT NULL").get()!.n,
  );
  return {
    reportVersion: REPORT_VERSION,
    tenant: options.ids.tenant,
    pipeline: options.ids.pipeline,
    run: options.ids.run,
    generatedAt: (options.generatedAt ?? new Date()).toISOString(),
    asOf: state.asOf,
    suppression: null,
    records: {
      total: state.total,
      byType: distribution(state.counts.type),
      bySource: distribution(state.counts.source),
    },
    patients: patients === 0 ? null : {
      total: patients,
      gender: distribution(state.counts.gender),
      ageBand: ordered(state.counts.ageBand, AGE_BANDS),
      race: distribution(state.counts.race, label(OMB_RACES)),
      ethnicity: distribution(state.counts.ethnicity, label(OMB_ETHNICITIES)),
      state: distribution(state.counts.state),
      completeness: COMPLETENESS_FIELDS.map((field) => {
        const present = state.complete[field];
        return { field, present, missing: patients - present, share: present / patients };
      }),
    },
    immunizations: immunizations === 0 ? null : immunizationSection(state, facts, patients > 0),
    checks,
    comparison: latest === null && changedChecks.length === 0 ? null : {
      previousRun: latest?.previousRun ?? null,
      records: latest && {
        current: latest.current,
        previous: latest.previous,
        new: latest.new,
        changed: latest.changed,
        unchanged: latest.unchanged,
        removed: latest.removed,
      },
      untracked: state.total - withId,
      checks: changedChecks,
    },
    truncated: [...state.truncated],
  };
}
