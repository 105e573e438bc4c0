/**
 * Starting a run of a saved pipeline, from the API, a webhook or a re-run. The engine's run
 * record names the spec, not the saved pipeline, so the pipeline id and what started the run are
 * kept beside it under `["tenants", tenant, "run_origins", runId]`.
 * @module
 */
import { recordAudit } from "../audit/log.ts";
import { type EngineDeps, startRun } from "../runs/engine.ts";
import type { RunRecord } from "../runs/run_record.ts";
import { newRunId } from "../runs/run_id.ts";

/** What started a run, and from which saved pipeline. */
export interface RunOrigin {
  /** Missing for a re-run of a run started without a saved pipeline. */
  pipelineId?: string;
  trigger: "api" | "webhook" | "rerun" | "schedule";
  /** The run this one repeats (trigger `rerun`). */
  rerunOf?: string;
  /** Who started it (a member's email or `token "<name>"`); missing for webhooks and schedules. */
  by?: string;
}

/** KV key of a run's origin. */
export const runOriginKey = (tenant: string, runId: string): Deno.KvKey => [
  "tenants",
  tenant,
  "run_origins",
  runId,
];

/** Queue a run of `spec` for `tenant` and record its origin; returns the queued run. */
export async function startPipelineRun(
  deps: EngineDeps,
  tenant: string,
  spec: unknown,
  origin: RunOrigin,
  options: { id?: string; since?: string } = {},
): Promise<RunRecord> {
  const id = options.id ?? newRunId(deps.now?.());
  // Written first: a run is never visible without its origin.
  await deps.kv.set(runOriginKey(tenant, id), origin);
  const run = await startRun(deps, { tenant, spec, id, since: options.since });
  await recordAudit(deps.kv, tenant, {
    actor: origin.by ?? origin.trigger,
    action: "run.started",
    target: run.id,
    detail: {
      pipeline: origin.pipelineId ?? null,
      trigger: origin.trigger,
      ...(origin.rerunOf ? { rerunOf: origin.rerunOf } : {}),
    },
  });
  return run;
}

/** The origins of `runIds` (undefined for runs started some other way). */
export async function runOrigins(
  kv: Deno.Kv,
  tenant: string,
  runIds: string[],
): Promise<(RunOrigin | undefined)[]> {
  const out: (RunOrigin | undefined)[] = [];
  // getMany reads at most 10 keys at a time.
  for (let i = 0; i < runIds.length; i += 10) {
    const keys = runIds.slice(i, i + 10).map((id) => runOriginKey(tenant, id));
    for (const e of await kv.getMany<RunOrigin[]>(keys)) out.push(e.value ?? undefined);
  }
  return out;
}
