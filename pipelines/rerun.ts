/**
 * Running an ended run again, from the API (`POST /api/v1/runs/:id/rerun`) and from the run page
 * ("Run again"): the same stored spec, the same saved pipeline and the same `since` window, with
 * trigger `rerun` naming the run it repeats. Callers word the refusals for their own answers.
 * @module
 */
import type { EngineDeps } from "../runs/engine.ts";
import { isFinal, runKeys, type RunRecord, type StoredPlan } from "../runs/run_record.ts";
import { runOrigins, startPipelineRun } from "./start.ts";

/** The outcome of {@link rerun}. */
export type RerunOutcome =
  /** The new run, queued. */
  | { outcome: "started"; run: RunRecord }
  /** `run` is still queued or running: nothing was started. */
  | { outcome: "not-ended"; run: RunRecord }
  /** The run's spec is no longer stored: nothing was started. */
  | { outcome: "no-spec" };

/**
 * Start a new run of `run`'s spec for `tenant`, as `by` (a member's email or `token "<name>"`),
 * once `run` has ended.
 */
export async function rerun(
  deps: EngineDeps,
  tenant: string,
  run: RunRecord,
  by: string,
): Promise<RerunOutcome> {
  if (!isFinal(run.status)) return { outcome: "not-ended", run };
  const stored = (await deps.kv.get<StoredPlan>(runKeys.prepared(tenant, run.id))).value;
  if (!stored) return { outcome: "no-spec" };
  const [origin] = await runOrigins(deps.kv, tenant, [run.id]);
  const next = await startPipelineRun(deps, tenant, stored.spec, {
    pipelineId: origin?.pipelineId,
    trigger: "rerun",
    rerunOf: run.id,
    by,
  }, { since: run.since });
  return { outcome: "started", run: next };
}
