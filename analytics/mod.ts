/**
 * The basic report of a run, computed while the data streams through: record counts by type
 * and source, patient demographics and completeness, immunizations by vaccine and month,
 * data-quality checks, a comparison with the previous successful run, and small-cell
 * suppression for everything that leaves the engine (JSON, CSV). See README.md here for the
 * report's shape, the CSV layout and the suppression method.
 *
 * A run is counted in steps that may run in different workers or processes:
 * - the counters live in a small JSON state (< 64 KiB, fit for one KV value), passed in and
 *   out of {@link addBatch} per batch;
 * - per-record facts go to a SQLite file per run ({@link openIdStore}), one transaction per
 *   batch; cross-record checks and the comparison are answered from it by {@link finishReport};
 * - {@link promote} makes a succeeded run the pipeline's baseline for the next comparison.
 *
 * @example
 * ```ts
 * import { addBatch, analyticsPaths, finishReport, newReportState, openIdStore, promote,
 *   removeIdStore, reportCsv, suppress } from "./analytics/mod.ts";
 *
 * const ids = { tenant: "clinic-a", pipeline: "synthea-patients", run: "r1" };
 * const paths = analyticsPaths("data/analytics", ids);
 * const store = openIdStore(paths.store);
 * let state = newReportState({ asOf: new Date(), source: "data/patients.csv" });
 * for (const batch of outputBatches) state = addBatch(state, batch, store); // each step
 * const report = finishReport(state, store, { ids, latestPath: paths.latest });
 * promote(store, paths.latest, report); // only when the run succeeded
 * store.close();
 * removeIdStore(paths.store);
 * const shown = suppress(report, 5); // the JSON for the API and the page
 * const csv = reportCsv(shown);
 * ```
 * @module
 */
export { addBatch, describeRef } from "./add_batch.ts";
export { type CheckDefinition, type CheckId, CHECKS, checkStatus } from "./checks.ts";
export { compareWithLatest, type LatestComparison, promote } from "./compare.ts";
export { reportCsv } from "./csv.ts";
export { type FinishOptions, finishReport } from "./finish.ts";
export { contentHash, textHash } from "./hash.ts";
export {
  type Cell,
  type CheckResult,
  type CheckStatus,
  type Comparison,
  type Completeness,
  COMPLETENESS_FIELDS,
  type CompletenessField,
  type Count,
  type Distribution,
  type ImmunizationSection,
  type InternalReport,
  type PatientSection,
  type Report,
  REPORT_VERSION,
  type ReportBody,
  type Suppression,
} from "./report.ts";
export {
  CAPS,
  type Dimension,
  EXAMPLES,
  newReportState,
  type NewStateOptions,
  OTHER,
  type ReportState,
  YEARS_CAP,
} from "./state.ts";
export { type AnalyticsPaths, analyticsPaths, safeSegment } from "./paths.ts";
export { IdStore, openIdStore, removeIdStore } from "./store.ts";
export { type CellStatus, suppress } from "./suppress.ts";
