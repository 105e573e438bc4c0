/**
 * The reports the API and the pages show, always suppressed with the tenant's threshold: a
 * run's report, or the tenant's report merged from the latest succeeded run of each saved
 * pipeline. When there is none, a sentence says why (the run has not succeeded, its pipeline
 * has the report turned off, it was made before reports existed, …). The internal reports
 * read here never leave this module unsuppressed.
 * @module
 */
import { mergeReports } from "../analytics/merge.ts";
import type { Report } from "../analytics/report.ts";
import { getReportSettings } from "../analytics/settings.ts";
import { suppress } from "../analytics/suppress.ts";
import { runOrigins } from "../pipelines/start.ts";
import { listPipelines } from "../pipelines/store.ts";
import type { EngineDeps } from "../runs/engine.ts";
import { getRun } from "../runs/engine.ts";
import { readInternalReport, wantsReport } from "../runs/run_analytics.ts";
import { runKeys, type RunRecord, type StoredPlan } from "../runs/run_record.ts";
import { RunId } from "./http.ts";

/** A run's suppressed report, or why there is none (`run` missing: no such run here). */
export type RunReport =
  | { run: RunRecord; report: Report }
  | { run?: RunRecord; report?: undefined; reason: string };

/** A run the tenant report is made of. */
export interface IncludedRun {
  pipelineId: string;
  /** The saved pipeline's name. */
  pipeline: string;
  run: string;
  finishedAt: string | null;
}

/** The tenant's suppressed report and the runs in it, or why there is none. */
export type TenantReport =
  | { report: Report; runs: IncludedRun[] }
  | { report?: undefined; reason: string };

/** Most runs read (newest first) looking for each pipeline's latest report. */
export const MAX_RUNS_SCANNED = 2_000;

/** Why a run of this tenant has no report to show. */
async function noReportReason(deps: EngineDeps, run: RunRecord): Promise<string> {
  if (run.status === "queued" || run.status === "running") {
    return `The run is still ${run.status}; its report is made when it succeeds.`;
  }
  if (run.status !== "succeeded") {
    const what = run.status === "failed" ? "failed" : "was cancelled";
    return `The run ${what}, so it has no report: reports are made only for runs that succeed.`;
  }
  if (run.report) {
    return "This run's report is no longer stored; run the pipeline again to get a new one.";
  }
  const stored = (await deps.kv.get<StoredPlan>(runKeys.prepared(run.tenant, run.id))).value;
  if (stored && !wantsReport(stored.spec)) {
    return "This pipeline has its report turned off (the Analytics step, or " +
      '"analytics": { "enabled": false } in its spec), so this run made none. Turn the report ' +
      "on and run the pipeline again.";
  }
  if (!deps.analyticsRoot) {
    return "This portal is set up without a folder for reports, so no run makes one; ask " +
      "whoever runs the portal to set it up.";
  }
  return "This run was made before reports existed, so it has none; run the pipeline again " +
    "to get one.";
}

/**
 * The report of `tenant`'s run `id`, suppressed with the tenant's threshold, or the reason
 * there is none. Another tenant's run, like an unknown id, has no `run`.
 */
export async function findRunReport(
  deps: EngineDeps,
  tenant: string,
  id: string,
): Promise<RunReport> {
  const run = RunId.safeParse(id).success ? await getRun(deps.kv, tenant, id) : undefined;
  if (!run) return { reason: `There is no run with id "${id}".` };
  const internal = await readInternalReport(deps, run);
  if (!internal) return { run, reason: await noReportReason(deps, run) };
  const { suppressBelow } = await getReportSettings(deps.kv, tenant);
  return { run, report: suppress(internal, suppressBelow) };
}

/** The latest succeeded run with a report of each of `pipelineIds`, scanning newest first. */
async function latestReportRuns(
  deps: EngineDeps,
  tenant: string,
  pipelineIds: Set<string>,
): Promise<Map<string, RunRecord>> {
  const found = new Map<string, RunRecord>();
  const take = async (page: RunRecord[]) => {
    const origins = await runOrigins(deps.kv, tenant, page.map((r) => r.id));
    page.forEach((run, i) => {
      const id = origins[i]?.pipelineId;
      if (!id || !pipelineIds.has(id) || found.has(id)) return;
      if (run.status === "succeeded" && run.report) found.set(id, run);
    });
  };
  let page: RunRecord[] = [];
  let scanned = 0;
  // Run ids are time-ordered: a reverse read is newest first.
  for await (
    const e of deps.kv.list<RunRecord>({ prefix: runKeys.runs(tenant) }, { reverse: true })
  ) {
    page.push(e.value);
    if (++scanned >= MAX_RUNS_SCANNED) break;
    if (page.length === 100) {
      await take(page);
      page = [];
      if (found.size === pipelineIds.size) return found;
    }
  }
  await take(page);
  return found;
}

/**
 * `tenant`'s report across its latest runs: for each saved pipeline, its latest succeeded run
 * with a report, merged (`analytics/merge.ts`) and then suppressed with the tenant's threshold.
 */
export async function findTenantReport(deps: EngineDeps, tenant: string): Promise<TenantReport> {
  const pipelines = await listPipelines(deps.kv, tenant);
  const none = "There is no report yet: none of your saved pipelines has a run that succeeded " +
    "with its report turned on. Run a pipeline and come back when it has succeeded.";
  if (pipelines.length === 0) return { reason: none };
  const latest = await latestReportRuns(deps, tenant, new Set(pipelines.map((p) => p.id)));
  const runs: IncludedRun[] = [];
  const internals = [];
  for (const p of pipelines) {
    const run = latest.get(p.id);
    const internal = run && await readInternalReport(deps, run);
    if (!run || !internal) continue;
    internals.push(internal);
    runs.push({
      pipelineId: p.id,
      pipeline: p.name,
      run: run.id,
      finishedAt: run.finishedAt ?? null,
    });
  }
  if (internals.length === 0) return { reason: none };
  const merged = mergeReports(internals, {
    tenant,
    pipeline: "all pipelines",
    run: runs.map((r) => r.run).join(";"),
  });
  const { suppressBelow } = await getReportSettings(deps.kv, tenant);
  return { report: suppress(merged, suppressBelow), runs };
}
