/**
 * Cron schedules of saved pipelines, wired to the minute tick of `triggers/schedule.ts`: the
 * schedules are read from their system index each minute, and a due one starts a run.
 * @module
 */
import type { EngineDeps } from "../runs/engine.ts";
import type { EnqueueScheduled, ScheduledPipeline } from "../triggers/schedule.ts";
import { startPipelineRun } from "./start.ts";
import { getPipeline, pipelineKeys } from "./store.ts";

/** Every scheduled pipeline of every tenant. */
export async function listSchedules(kv: Deno.Kv): Promise<ScheduledPipeline[]> {
  const out: ScheduledPipeline[] = [];
  const entries = kv.list<{ cron: string; notBefore: string }>({
    prefix: pipelineKeys.schedules(),
  });
  for await (const { key, value } of entries) {
    const [, , tenant, pipelineId] = key as [string, string, string, string];
    out.push({ tenant, pipelineId, cron: value.cron, notBefore: new Date(value.notBefore) });
  }
  return out;
}

/** Start the run of a due schedule (a pipeline deleted meanwhile is skipped). */
export function enqueueScheduled(deps: EngineDeps): EnqueueScheduled {
  return async (schedule) => {
    const pipeline = await getPipeline(deps.kv, schedule.tenant, schedule.pipelineId);
    if (!pipeline) return;
    await startPipelineRun(deps, schedule.tenant, pipeline.spec, {
      pipelineId: pipeline.id,
      trigger: "schedule",
    });
  };
}
