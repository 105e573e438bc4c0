/**
 * The step engine: starts runs and handles their step messages. Each step reads one bounded
 * slice from the stored cursor and commits the new cursor, counts, sink checkpoint, kept
 * rejections and the next step message in ONE atomic KV commit guarded by the run's
 * versionstamp, so a duplicate or late delivery of a step changes nothing.
 * @module
 */
import { StageTally } from "../etl/counts.ts";
import { ConfigError, RetriableError, userMessage } from "../etl/errors.ts";
import { buildManifest } from "../etl/manifest.ts";
import { checkSpec } from "../etl/plan.ts";
import {
  discardRun,
  planOf,
  prepareRun,
  publishRun,
  runSlice,
  type StepBudget,
} from "../etl/steps.ts";
import type { RunContext, Stage } from "../etl/types.ts";
import type { JobQueue, StepMessage } from "./job_queue.ts";
import type { SpecSecrets } from "../pipelines/spec_secrets.ts";
import { openedSpec, openPlan, sealedSpec, sealPrepared, tenantRoot } from "./plan_secrets.ts";
import {
  countSlice,
  dropRunReport,
  finishRunReport,
  firstState,
  readState,
  wantsReport,
} from "./run_analytics.ts";
import { newRunId } from "./run_id.ts";
import {
  addRetries,
  isFinal,
  newRun,
  runKeys,
  type RunRecord,
  type StoredPlan,
} from "./run_record.ts";

/** What the engine runs with. */
export interface EngineDeps {
  kv: Deno.Kv;
  queue: JobQueue;
  inputRoot: string;
  outputRoot: string;
  allowPrivateNetwork: boolean;
  /** Per step; keep `ms` well under KV's ~5 s redelivery deadline. */
  budget: StepBudget;
  now?: () => Date;
  /** Runs of one tenant that may be running at once (default 2). */
  perTenantLimit?: number;
  /** Which consumer this is (e.g. `step-worker-2`), kept on runs as `worker` for operators. */
  name?: string;
  /** Seals and opens spec secrets (the vault); without it specs are used as they are. */
  secrets?: SpecSecrets;
  /** Each tenant reads and writes files under `<root>/<tenant>` only (the portal's setting). */
  tenantFiles?: boolean;
  /** Where runs' basic reports are made and kept; without it no report is made. */
  analyticsRoot?: string;
}

/**
 * How long a worker holds the publish step (report finish, file moves, uploads): a report of 5M
 * rows can take minutes on a busy machine; a worker that dies here is replaced after this long.
 */
const PUBLISH_LEASE_MS = 300_000;

/** How long a worker holds a step before another delivery may take it over. */
const leaseMs = (deps: EngineDeps) => deps.budget.ms * 3 + 10_000;

const stepMessage = (run: RunRecord, suffix = ""): StepMessage => ({
  kind: "step",
  id: `${run.id}:${run.seq}${suffix}`,
  tenant: run.tenant,
  run: run.id,
  seq: run.seq,
});

function contextOf(deps: EngineDeps, run: RunRecord, notes: string[] = []): RunContext {
  return {
    signal: new AbortController().signal,
    now: new Date(run.startedAt ?? run.createdAt),
    inputRoot: tenantRoot(deps.inputRoot, run.tenant, deps.tenantFiles),
    outputRoot: tenantRoot(deps.outputRoot, run.tenant, deps.tenantFiles),
    reject() {},
    allowPrivateNetwork: deps.allowPrivateNetwork,
    ids: { tenant: run.tenant, pipeline: run.pipeline, run: run.id },
    note: (message) => notes.push(message),
  };
}

/**
 * Queue a run of a pipeline spec. The spec's outer shape is checked at once (a bad spec is a
 * ConfigError for the caller); everything else happens in steps.
 */
export async function startRun(
  deps: EngineDeps,
  input: { tenant: string; spec: unknown; since?: string; id?: string },
): Promise<RunRecord> {
  // Checked with its connections and secrets in place; stored with its secrets sealed.
  const checked = checkSpec(await openedSpec(deps, input.tenant, input.spec));
  const spec = await sealedSpec(deps, input.tenant, input.spec);
  const now = deps.now?.() ?? new Date();
  const run = newRun({
    id: input.id ?? newRunId(),
    tenant: input.tenant,
    pipeline: checked.spec.name,
    since: input.since,
  }, now);
  run.stages = stagesOf(checked.transforms.map((t) => t.entry.stage));
  const op = deps.kv.atomic()
    .check({ key: runKeys.run(run.tenant, run.id), versionstamp: null })
    .set(runKeys.run(run.tenant, run.id), run)
    .set(runKeys.prepared(run.tenant, run.id), { spec } satisfies StoredPlan)
    .set(runKeys.active(run.tenant, run.id), { at: run.createdAt });
  const msg = stepMessage(run);
  deps.queue.stage(op, msg);
  if (!(await op.commit()).ok) throw new ConfigError(`A run with id "${run.id}" already exists`);
  await deps.queue.published(msg);
  return run;
}

/**
 * The stages a pipeline has a step for: reading and writing always, each transform's own stage,
 * and validation where a transform maps to FHIR (it checks every resource it makes).
 */
export function stagesOf(transformStages: Stage[]): Stage[] {
  const has = new Set<Stage>(["read", "written", ...transformStages]);
  if (has.has("mapped")) has.add("valid");
  return (["read", "normalized", "mapped", "valid", "written"] as Stage[]).filter((s) =>
    has.has(s)
  );
}

/** Read a run (undefined when this tenant has none with that id). */
export async function getRun(
  kv: Deno.Kv,
  tenant: string,
  id: string,
): Promise<RunRecord | undefined> {
  return (await kv.get<RunRecord>(runKeys.run(tenant, id))).value ?? undefined;
}

/** Options of {@link handleStep}. */
export interface StepOptions {
  /**
   * This worker will go on with the next step itself (see {@link startWorker}): the next
   * step's message is still committed with this step, but delayed by the lease, so it only
   * does anything if this worker dies before taking that step.
   */
  chain?: boolean;
}

/**
 * Handle one step message. Returns quietly for stale or duplicate messages; throws a
 * RetriableError to have the queue deliver it again later. Returns the next step's message
 * when it committed one (with `chain`, the caller should handle it now).
 */
export async function handleStep(
  deps: EngineDeps,
  msg: StepMessage,
  options: StepOptions = {},
): Promise<StepMessage | undefined> {
  const key = runKeys.run(msg.tenant, msg.run);
  const entry = await deps.kv.get<RunRecord>(key);
  const run = entry.value;
  if (!run || isFinal(run.status) || run.seq !== msg.seq) return;
  if (run.lease && run.lease.until > Date.now()) {
    // A redelivery while another worker still runs this step (KV redelivers after ~5 s; a
    // publish that finishes a big report takes longer). Not a failure: look again when the
    // lease ends, without using up the queue's attempts.
    await lookAgainAfterLease(deps, msg, run.lease.until);
    return;
  }
  // Publishing finishes the report and moves the output: give it longer than a slice.
  const lease = run.readDone ? Math.max(leaseMs(deps), PUBLISH_LEASE_MS) : leaseMs(deps);
  const leased = await deps.kv.atomic().check(entry).set(key, {
    ...run,
    lease: { owner: `${Deno.pid}:${crypto.randomUUID()}`, until: Date.now() + lease },
  }).commit();
  if (!leased.ok) return;
  const held = { key, versionstamp: leased.versionstamp };
  const planEntry = await deps.kv.get<StoredPlan>(runKeys.prepared(run.tenant, run.id));
  if (!planEntry.value) return;
  const sealedPlan = planEntry.value;
  const now = () => (deps.now?.() ?? new Date()).toISOString();
  const next: RunRecord = {
    ...run,
    seq: run.seq + 1,
    steps: run.steps + 1,
    heartbeatAt: now(),
    worker: `${Deno.pid}/${deps.name ?? "main"}`,
  };
  delete next.lease;
  const op = deps.kv.atomic().check(held);
  const notes: string[] = [];
  let stored: StoredPlan = sealedPlan;
  let finished: Awaited<ReturnType<typeof finishRunReport>> | undefined;
  try {
    stored = await openPlan(deps, run.tenant, sealedPlan);
    if (!stored.prepared) {
      if (!(await takeSlot(deps, run, op))) {
        await waitForSlot(deps, run, held);
        return;
      }
      next.status = "running";
      next.startedAt ??= now();
      const ctx = contextOf(deps, next, notes);
      const prepared = await prepareRun(await openedSpec(deps, run.tenant, stored.spec), ctx);
      // The total for progress, when the source can say it cheaply (never throws).
      const { source } = planOf(prepared);
      const total = await source.entry.count?.(ctx, source.config, { since: run.since });
      if (total !== undefined) next.total = total;
      op.set(
        runKeys.prepared(run.tenant, run.id),
        {
          spec: sealedPlan.spec,
          prepared: await sealPrepared(deps, run.tenant, prepared),
        } satisfies StoredPlan,
      );
      if (deps.analyticsRoot && wantsReport(prepared.spec)) {
        op.set(runKeys.analytics(run.tenant, run.id), firstState(next, planOf(prepared).spec.name));
      }
    } else if (!run.readDone) {
      const state = await readState(deps, run);
      const counting = state && deps.analyticsRoot
        ? await countSlice({ ...deps, analyticsRoot: deps.analyticsRoot }, run, state)
        : undefined;
      let slice;
      try {
        slice = await runSlice(stored.prepared, contextOf(deps, run, notes), {
          from: run.cursor,
          sink: run.sink,
          since: run.since,
          budget: deps.budget,
          onBatch: counting?.onBatch,
        });
      } finally {
        const counted = counting?.done();
        if (counted) op.set(runKeys.analytics(run.tenant, run.id), counted);
      }
      const tally = StageTally.from(run.counts, run.rejectedByStage);
      tally.addRead(slice.read);
      for (const r of slice.rejected) tally.addRejected(r.stage);
      next.counts = tally.counts();
      next.rejectedByStage = tally.rejectedByStage;
      next.cursor = slice.cursor;
      notes.push(...slice.notes);
      next.sink = slice.sink;
      next.readDone = slice.done;
      if (slice.highWater !== undefined) next.highWater = slice.highWater;
      const options = planOf(stored.prepared).spec.options;
      if (tally.rejected > options.maxRejected) {
        throw new ConfigError(
          `More than ${options.maxRejected} rows were rejected (the limit set in options.maxRejected); nothing was written. Fix the rows listed below or raise the limit.`,
        );
      }
      const keep = slice.rejected.slice(0, Math.max(0, options.keepRejected - run.rejectedKept));
      if (keep.length > 0) {
        op.set(runKeys.rejected(run.tenant, run.id, run.seq), keep);
        next.rejectedKept += keep.length;
      }
    } else {
      const ctx = contextOf(deps, run, notes);
      const state = await readState(deps, run);
      if (state && deps.analyticsRoot) {
        finished = await finishRunReport(
          { ...deps, analyticsRoot: deps.analyticsRoot },
          run,
          state,
        );
        next.report = finished.summary;
      }
      const output = await publishRun(stored.prepared, ctx, run.sink ?? {});
      const plan = planOf(stored.prepared);
      next.output = output;
      next.manifest = buildManifest(
        plan,
        stored.prepared.inputs,
        output,
        run.counts,
        new Date(run.startedAt ?? run.createdAt),
      );
      next.status = "succeeded";
      next.finishedAt = now();
      if (run.counts.read === 0) next.warnings = [...run.warnings, "No rows were read"];
    }
  } catch (err) {
    if (err instanceof RetriableError) {
      // Let the queue's retry take the step at once instead of waiting out the lease, and
      // show users why it is being retried.
      const again = {
        ...run,
        retries: addRetries(run.retries, [
          `Step ${run.seq}: ${err.message}; it will be tried again`,
        ]),
      };
      await deps.kv.atomic().check(held).set(key, again).commit();
      throw err;
    }
    finished?.close();
    await failRun(deps, run, userMessage(err), stored);
    return;
  }
  next.retries = addRetries(run.retries, notes);
  op.set(key, next);
  // The slot list is given back after this commit, not in it: a publish cannot be undone, so
  // its commit must not fail over another run's slot change.
  if (isFinal(next.status)) {
    op.delete(runKeys.active(run.tenant, run.id));
    op.set(runKeys.ended(run.tenant, run.id), { at: next.finishedAt });
  }
  const follow = isFinal(next.status) ? undefined : stepMessage(next);
  const later = options.chain ? { delayMs: leaseMs(deps) } : undefined;
  if (follow) deps.queue.stage(op, follow, later);
  if (!(await op.commit()).ok) {
    // Cancelled (or failed) while this step ran: what the step staged after the run's last
    // checkpoint was never committed, and the canceller could not see it. Discard it here.
    finished?.close();
    const ended = await getRun(deps.kv, run.tenant, run.id);
    if (ended && isFinal(ended.status) && ended.status !== "succeeded") {
      await dropRunReport(deps, run).catch(() => {});
      if (stored.prepared && next.sink && !isFinal(next.status)) {
        await discardRun(stored.prepared, contextOf(deps, run), next.sink).catch(() => {});
      }
      return;
    }
    // Another commit got in between: another run took the tenant's last slot (step 0), or this
    // run changed. Queue the same step again shortly; if the run moved on, that commit fails
    // too and the step is simply dropped. Nothing here uses up queue attempts.
    await waitForSlot(deps, run, held).catch(() => {});
    return;
  }
  if (follow) await deps.queue.published(follow, later);
  if (isFinal(next.status)) await releaseSlot(deps, next);
  if (finished) {
    // Best effort: without it the next run compares with an older baseline, nothing is lost.
    try {
      finished.promote();
    } catch (err) {
      console.error(`Could not keep run ${run.id}'s ids for the next comparison: ${err}`);
    }
  }
  return follow;
}

/** Fail a run with a message for users, discarding its partial output. */
export async function failRun(
  deps: EngineDeps,
  run: RunRecord,
  error: string,
  stored?: StoredPlan,
): Promise<void> {
  const plan = stored ??
    (await deps.kv.get<StoredPlan>(runKeys.prepared(run.tenant, run.id))).value ?? undefined;
  await dropRunReport(deps, run).catch(() => {});
  if (plan?.prepared && run.sink) {
    const sink = run.sink;
    await openPlan(deps, run.tenant, plan)
      .then((opened) => discardRun(opened.prepared!, contextOf(deps, run), sink))
      .catch(() => {});
  }
  const key = runKeys.run(run.tenant, run.id);
  // Retry against a fresh read: the run may have moved on since `run` was read.
  for (let i = 0; i < 5; i++) {
    const entry = await deps.kv.get<RunRecord>(key);
    if (!entry.value || isFinal(entry.value.status)) return;
    const failed: RunRecord = {
      ...entry.value,
      status: "failed",
      error,
      seq: entry.value.seq + 1,
      finishedAt: (deps.now?.() ?? new Date()).toISOString(),
    };
    const op = deps.kv.atomic().check(entry).set(key, failed)
      .delete(runKeys.active(run.tenant, run.id))
      .set(runKeys.ended(run.tenant, run.id), { at: failed.finishedAt });
    if ((await op.commit()).ok) return await releaseSlot(deps, failed);
  }
}

/** A step message the queue gave up on: fail its run, saying why. */
export async function deadStep(deps: EngineDeps, msg: StepMessage, reason: string): Promise<void> {
  const run = await getRun(deps.kv, msg.tenant, msg.run);
  // A letter for a step the run has moved past (taken up by another delivery) fails nothing.
  if (!run || isFinal(run.status) || run.seq !== msg.seq) return;
  // A worker still holds the step: it is slow, not failing.
  if (run.lease && run.lease.until > Date.now()) {
    await lookAgainAfterLease(deps, msg, run.lease.until);
    return;
  }
  await failRun(
    deps,
    run,
    `The run stopped after repeated failures of one of its steps; try again later. (${reason})`,
  );
}

/** Deliver `msg` again a second after the lease that blocks it ends. */
async function lookAgainAfterLease(deps: EngineDeps, msg: StepMessage, until: number) {
  const later = { delayMs: Math.max(1_000, until - Date.now() + 1_000) };
  const again = { ...msg, id: `${msg.id}:after-lease-${until}` };
  const op = deps.kv.atomic();
  deps.queue.stage(op, again, later);
  if ((await op.commit()).ok) await deps.queue.published(again, later);
}

/** Runs steps and goes on with each run's next step (see {@link startWorker}). */
export interface StepRunner {
  /** Handle a delivered step; resolves when that step is done (its successors go on). */
  run(msg: StepMessage): Promise<void>;
  /** Stop chaining and wait for the steps in hand. */
  close(): Promise<void>;
}

/**
 * Steps are chained: after committing a step, the worker takes the run's next step itself at
 * once instead of waiting for the queue to hand it over (tens of milliseconds per step with
 * KV, more between handles). The next step's message is committed with each step all the
 * same, delayed by the lease, so if this worker dies the queue hands the step to another one;
 * when this worker got there first, that message finds the run moved on and does nothing.
 */
export function stepRunner(deps: EngineDeps): StepRunner {
  const chains = new Set<Promise<void>>();
  let closing = false;
  const carryOn = (msg: StepMessage) => {
    const chain: Promise<void> = handleStep(deps, msg, { chain: true }).then((next) => {
      if (next && !closing) carryOn(next);
    }, async (err) => {
      // Hand the step to the queue, whose retries back off and end in a dead letter; the
      // delayed message of this step would take it up too, but only once the lease ran out.
      if (!(err instanceof RetriableError) || closing) return;
      const again: StepMessage = { ...msg, id: `${msg.id}:c${Date.now()}` };
      const op = deps.kv.atomic();
      deps.queue.stage(op, again, { delayMs: 1_000 });
      if ((await op.commit()).ok) await deps.queue.published(again, { delayMs: 1_000 });
    }).catch(() => {}).finally(() => chains.delete(chain));
    chains.add(chain);
  };
  return {
    async run(msg) {
      const next = await handleStep(deps, msg, { chain: true });
      if (next && !closing) carryOn(next);
    },
    async close() {
      closing = true;
      while (chains.size > 0) await Promise.all(chains);
    },
  };
}

/**
 * Consume step messages until the returned function is called: the worker loop of `main.ts`,
 * `deno task worker` and the step Web Workers, with steps chained ({@link stepRunner}).
 */
export function startWorker(deps: EngineDeps): () => Promise<void> {
  const runner = stepRunner(deps);
  deps.queue.listen((msg) => runner.run(msg), (msg, reason) => deadStep(deps, msg, reason));
  // Stop chaining at once, and let the queue finish the steps it handed out.
  return async () => void await Promise.all([runner.close(), deps.queue.close()]);
}

/**
 * Claim one of the tenant's running slots for this run in `op` (checked with it), or say there
 * is none free. Slots of runs that ended meanwhile are given back on the way.
 */
async function takeSlot(deps: EngineDeps, run: RunRecord, op: Deno.AtomicOperation) {
  const slots = await deps.kv.get<string[]>(runKeys.slots(run.tenant));
  const held: string[] = [];
  for (const id of slots.value ?? []) {
    if (id === run.id) continue;
    const other = await getRun(deps.kv, run.tenant, id);
    if (other && !isFinal(other.status)) held.push(id);
  }
  if (held.length >= (deps.perTenantLimit ?? 2)) return false;
  op.check(slots).set(runKeys.slots(run.tenant), [...held, run.id]);
  return true;
}

/** Give the run's slot back (best effort: a slot of a final run is ignored anyway). */
async function releaseSlot(deps: EngineDeps, run: RunRecord): Promise<void> {
  for (let i = 0; i < 5; i++) {
    const slots = await deps.kv.get<string[]>(runKeys.slots(run.tenant));
    if (!slots.value?.includes(run.id)) return;
    const rest = slots.value.filter((id) => id !== run.id);
    const ok = await deps.kv.atomic().check(slots).set(runKeys.slots(run.tenant), rest).commit()
      .then((r) => r.ok, () => false);
    if (ok) return;
  }
}

/**
 * All slots are taken: put the same step back on the queue a little later. Other tenants'
 * messages are handled meanwhile, so one tenant's queue of runs cannot hold theirs up.
 */
async function waitForSlot(
  deps: EngineDeps,
  run: RunRecord,
  held: { key: Deno.KvKey; versionstamp: string },
): Promise<void> {
  const waits = (run.waits ?? 0) + 1;
  const waiting: RunRecord = { ...run, waits };
  delete waiting.lease;
  const msg = stepMessage(run, `:w${waits}`);
  const op = deps.kv.atomic().check(held).set(held.key, waiting);
  deps.queue.stage(op, msg, { delayMs: 250 });
  if ((await op.commit()).ok) await deps.queue.published(msg, { delayMs: 250 });
}

/**
 * The watchdog: a run not final whose last step committed more than `staleMs` ago (its worker
 * died, or its message was lost) gets its current step queued again, up to `maxResumes` times;
 * then it fails with a message. Returns the runs it touched.
 */
export async function watchRuns(
  deps: EngineDeps,
  options: { staleMs: number; maxResumes?: number },
): Promise<string[]> {
  const touched: string[] = [];
  const now = Date.now();
  for await (const { key } of deps.kv.list({ prefix: runKeys.actives() })) {
    const [, , tenant, id] = key as [string, string, string, string];
    const entry = await deps.kv.get<RunRecord>(runKeys.run(tenant, id));
    const run = entry.value;
    if (!run || isFinal(run.status)) {
      await deps.kv.delete(key);
      continue;
    }
    const last = Date.parse(run.heartbeatAt ?? run.createdAt);
    if (now - last < options.staleMs || (run.lease && run.lease.until > now)) continue;
    touched.push(id);
    const resumes = (run.resumes ?? 0) + 1;
    if (resumes > (options.maxResumes ?? 3)) {
      await failRun(
        deps,
        run,
        "The run stopped making progress (its worker stopped more than once); start it again.",
      );
      continue;
    }
    const resumed: RunRecord = { ...run, resumes, heartbeatAt: new Date(now).toISOString() };
    delete resumed.lease;
    const msg = stepMessage(run, `:r${resumes}`);
    const op = deps.kv.atomic().check(entry).set(entry.key, resumed);
    deps.queue.stage(op, msg);
    if ((await op.commit()).ok) await deps.queue.published(msg);
  }
  return touched;
}
