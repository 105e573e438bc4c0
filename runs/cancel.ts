/**
 * Cancelling a run: one atomic commit, checked against the record just read, marks a queued or
 * running run `cancelled`. Its pending step message then finds a final run and does nothing
 * (`handleStep` ignores final runs; a step in flight fails its versionstamp check), the
 * tenant's running slot is given back, and the partial output staged so far is discarded.
 * @module
 */
import { discardRun } from "../etl/steps.ts";
import type { EngineDeps } from "./engine.ts";
import { openPlan, tenantRoot } from "./plan_secrets.ts";
import { dropRunReport } from "./run_analytics.ts";
import { isFinal, runKeys, type RunRecord, type StoredPlan } from "./run_record.ts";

/** The outcome of {@link cancelRun}. */
export type CancelOutcome =
  | { outcome: "cancelled"; run: RunRecord }
  | { outcome: "ended"; run: RunRecord }
  | { outcome: "missing" };

/** What cancelling needs from the engine's dependencies. */
export type CancelDeps = Pick<
  EngineDeps,
  | "kv"
  | "now"
  | "inputRoot"
  | "outputRoot"
  | "allowPrivateNetwork"
  | "secrets"
  | "tenantFiles"
  | "analyticsRoot"
>;

/**
 * Cancel run `id` of `tenant`: `cancelled` with the new record, `ended` when the run had already
 * ended (nothing changed) or `missing` when this tenant has no such run.
 */
export async function cancelRun(
  deps: CancelDeps,
  tenant: string,
  id: string,
): Promise<CancelOutcome> {
  const key = runKeys.run(tenant, id);
  // A step committing between our read and our commit moves the versionstamp: read again.
  for (let round = 0; round < 10; round++) {
    const entry = await deps.kv.get<RunRecord>(key);
    const run = entry.value;
    if (!run) return { outcome: "missing" };
    if (isFinal(run.status)) return { outcome: "ended", run };
    const cancelled: RunRecord = {
      ...run,
      status: "cancelled",
      seq: run.seq + 1,
      finishedAt: (deps.now?.() ?? new Date()).toISOString(),
    };
    delete cancelled.lease;
    const op = deps.kv.atomic().check(entry).set(key, cancelled);
    // Give the tenant's running slot back at once rather than when the next run looks.
    const slots = await deps.kv.get<string[]>(runKeys.slots(tenant));
    if (slots.value?.includes(id)) {
      op.check(slots).set(runKeys.slots(tenant), slots.value.filter((s) => s !== id));
    }
    op.delete(runKeys.active(tenant, id)).set(runKeys.ended(tenant, id), {
      at: cancelled.finishedAt,
    });
    if ((await op.commit()).ok) {
      await discardPartial(deps, cancelled);
      return { outcome: "cancelled", run: cancelled };
    }
  }
  throw new Error("The run kept changing while it was being cancelled; try again");
}

async function discardPartial(deps: CancelDeps, run: RunRecord): Promise<void> {
  await dropRunReport(deps, run).catch(() => {});
  if (!run.sink) return;
  const sealed = (await deps.kv.get<StoredPlan>(runKeys.prepared(run.tenant, run.id))).value;
  if (!sealed?.prepared) return;
  const stored = await openPlan(deps, run.tenant, sealed).catch(() => undefined);
  if (!stored?.prepared) return;
  await discardRun(stored.prepared, {
    signal: new AbortController().signal,
    now: new Date(run.startedAt ?? run.createdAt),
    inputRoot: tenantRoot(deps.inputRoot, run.tenant, deps.tenantFiles),
    outputRoot: tenantRoot(deps.outputRoot, run.tenant, deps.tenantFiles),
    reject() {},
    allowPrivateNetwork: deps.allowPrivateNetwork,
    ids: { tenant: run.tenant, pipeline: run.pipeline, run: run.id },
  }, run.sink).catch(() => {});
}
