/**
 * A run's basic report, counted while its batches stream to the repository (analytics/): the
 * counters live in KV beside the run (committed with each step's cursor, so a retried step
 * counts once), per-record facts in a SQLite file per run under `analyticsRoot`, and at publish
 * the report is finished, kept as a file (never served as it is: `suppress()` comes first), and
 * the pipeline's id table is promoted for the next run's comparison.
 * @module
 */
import { dirname } from "node:path";
import {
  addBatch,
  analyticsPaths,
  finishReport,
  type InternalReport,
  newReportState,
  openIdStore,
  promote,
  removeIdStore,
  type ReportState,
} from "../analytics/mod.ts";
import type { Batch } from "../etl/types.ts";
import { runOriginKey } from "../pipelines/start.ts";
import type { RunOrigin } from "../pipelines/start.ts";
import { runKeys, type RunRecord } from "./run_record.ts";

/** What a run record keeps of its report (the report itself is a file). */
export interface RunReportSummary {
  generatedAt: string;
  checks: { id: string; status: string }[];
}

/** The engine deps this module reads. */
export interface AnalyticsDeps {
  kv: Deno.Kv;
  /** Where reports and their working files go; without it runs make no report. */
  analyticsRoot?: string;
}

/** Whether a spec asks for the report (`analytics.enabled`, on unless turned off). */
export function wantsReport(spec: unknown): boolean {
  const a = (spec as { analytics?: { enabled?: boolean } } | undefined)?.analytics;
  return a?.enabled !== false;
}

/** The files of a run's report; the pipeline's id names its baseline when the run has one. */
export async function reportPaths(deps: AnalyticsDeps & { analyticsRoot: string }, run: RunRecord) {
  const origin = (await deps.kv.get<RunOrigin>(runOriginKey(run.tenant, run.id))).value;
  return analyticsPaths(deps.analyticsRoot, {
    tenant: run.tenant,
    pipeline: origin?.pipelineId ?? `name-${run.pipeline}`,
    run: run.id,
  });
}

/** The empty counters of a run starting now, to commit with step 0. */
export function firstState(run: RunRecord, recordType: string): ReportState {
  return newReportState({ asOf: new Date(run.startedAt ?? run.createdAt), recordType });
}

/** The run's counters as last committed, or undefined when it makes no report. */
export async function readState(
  deps: AnalyticsDeps,
  run: RunRecord,
): Promise<ReportState | undefined> {
  if (!deps.analyticsRoot) return undefined;
  return (await deps.kv.get<ReportState>(runKeys.analytics(run.tenant, run.id))).value ??
    undefined;
}

/**
 * Count one slice: `onBatch` goes to runSlice, `done()` closes the store and gives the counters
 * to commit with the step.
 */
export async function countSlice(
  deps: AnalyticsDeps & { analyticsRoot: string },
  run: RunRecord,
  state: ReportState,
) {
  const paths = await reportPaths(deps, run);
  await Deno.mkdir(dirname(paths.store), { recursive: true });
  const store = openIdStore(paths.store);
  let current = state;
  return {
    onBatch(batch: Batch) {
      current = addBatch(current, batch, store);
    },
    done(): ReportState {
      store.close();
      return current;
    },
  };
}

/** Finish the report of a run whose slices are done; the file is written before publishing. */
export async function finishRunReport(
  deps: AnalyticsDeps & { analyticsRoot: string },
  run: RunRecord,
  state: ReportState,
): Promise<{ summary: RunReportSummary; promote(): void; close(): void }> {
  const paths = await reportPaths(deps, run);
  await Deno.mkdir(dirname(paths.report), { recursive: true });
  const store = openIdStore(paths.store);
  let report: InternalReport;
  try {
    report = finishReport(state, store, {
      ids: { tenant: run.tenant, pipeline: run.pipeline, run: run.id },
      latestPath: paths.latest,
    });
    const tmp = `${paths.report}.tmp`;
    await Deno.writeTextFile(tmp, JSON.stringify(report), { mode: 0o600 });
    await Deno.rename(tmp, paths.report);
  } catch (err) {
    store.close();
    throw err;
  }
  return {
    summary: {
      generatedAt: report.generatedAt,
      checks: report.checks.map((c) => ({ id: c.id, status: c.status })),
    },
    /** Let go of the working store without promoting (the publish failed). */
    close() {
      store.close();
    },
    // After the run's final commit only: a run that did not succeed never becomes the baseline.
    promote() {
      try {
        promote(store, paths.latest, report);
      } finally {
        store.close();
        removeIdStore(paths.store);
      }
    },
  };
}

/** Drop the working files of a run that failed or was cancelled (its report is not kept). */
export async function dropRunReport(
  deps: AnalyticsDeps,
  run: RunRecord,
): Promise<void> {
  if (!deps.analyticsRoot) return;
  const paths = await reportPaths({ ...deps, analyticsRoot: deps.analyticsRoot }, run);
  removeIdStore(paths.store);
}

/** The internal (unsuppressed) report of a succeeded run, or undefined; never send it as is. */
export async function readInternalReport(
  deps: AnalyticsDeps,
  run: RunRecord,
): Promise<InternalReport | undefined> {
  if (!deps.analyticsRoot || !run.report) return undefined;
  const paths = await reportPaths({ ...deps, analyticsRoot: deps.analyticsRoot }, run);
  try {
    return JSON.parse(await Deno.readTextFile(paths.report));
  } catch {
    return undefined;
  }
}
