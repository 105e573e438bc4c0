/**
 * A pipeline in bounded steps, for the run engine: plan once, then run slices of at most a
 * row and time budget from a stored cursor and sink checkpoint, then publish. Everything a later
 * step needs is plain JSON (`PreparedRun`, `SliceResult`), so steps may run in other processes.
 * Knows nothing of KV or queues.
 * @module
 */
import { ConfigError } from "./errors.ts";
import { batchLength } from "./columnar.ts";
import { columnarPlan, type Plan, planPipeline, replan } from "./plan.ts";
import type { RejectedRow } from "./pipeline.ts";
import type {
  Batch,
  Cursor,
  InputFingerprint,
  LoadResult,
  RunContext,
  Schema,
  Sink,
  SinkState,
  Stage,
} from "./types.ts";

/** What step 0 works out once: the checked spec, the transforms' prepared configs, the schema. */
export interface PreparedRun {
  spec: unknown;
  transforms: unknown[];
  schema: Schema;
  hash: string;
  inputs: InputFingerprint[];
}

/** Limits of one step: stop after this many rows or this much time, whichever comes first. */
export interface StepBudget {
  rows: number;
  ms: number;
}

/** What one slice did; the run engine adds it to the run record in one atomic commit. */
export interface SliceResult {
  /** Where the next slice starts; unchanged when nothing was read. */
  cursor: Cursor | null;
  /** The source has no more rows: the next step publishes. */
  done: boolean;
  read: number;
  rejectedByStage: Record<Stage, number>;
  rejected: RejectedRow[];
  sink: SinkState;
  highWater?: string;
  /** What the source noted on the way (retried requests), for the run record. */
  notes: string[];
}

/** Plan the run (samples the source) and fingerprint its inputs. */
export async function prepareRun(raw: unknown, ctx: RunContext): Promise<PreparedRun> {
  const plan = await planPipeline(raw, ctx);
  const inputs = await plan.source.entry.fingerprint(ctx, plan.source.config);
  return {
    spec: plan.spec,
    transforms: plan.transforms.map((t) => t.config),
    schema: plan.schema,
    hash: plan.hash,
    inputs: JSON.parse(JSON.stringify(inputs)),
  };
}

/** The plan of a prepared run, rebuilt without sampling the source again. */
export function planOf(prepared: PreparedRun): Plan {
  return replan(prepared.spec, prepared.transforms, prepared.schema, prepared.hash);
}

function openSink(plan: Plan, ctx: RunContext, resume?: SinkState): Promise<Sink> {
  return plan.repository.entry.open(ctx, plan.repository.config, {
    format: plan.format?.entry,
    formatConfig: plan.format?.config,
    schema: plan.schema,
    name: plan.spec.name,
    steps: true,
  }, resume);
}

function requireCheckpoint(plan: Plan, sink: Sink): asserts sink is Sink & Required<Sink> {
  if (!sink.checkpoint || !sink.suspend) {
    throw new ConfigError(
      `The ${plan.repository.entry.title.toLowerCase()} repository cannot yet be written in steps`,
    );
  }
}

/**
 * Run one slice: read from `from` until the budget is spent or the source ends, transform,
 * write, checkpoint the sink and suspend it. Rejections are collected, not thrown.
 */
export async function runSlice(
  prepared: PreparedRun,
  ctx: RunContext,
  options: {
    from?: Cursor | null;
    sink?: SinkState;
    since?: string;
    budget: StepBudget;
    /** Sees each batch that went to the repository (the run's report is counted from it). */
    onBatch?: (batch: Batch) => void | Promise<void>;
  },
): Promise<SliceResult> {
  const plan = planOf(prepared);
  const rejected: RejectedRow[] = [];
  const byStage: Record<Stage, number> = {
    read: 0,
    normalized: 0,
    mapped: 0,
    valid: 0,
    written: 0,
  };
  const notes: string[] = [];
  const local: RunContext = {
    ...ctx,
    reject(ref, stage, reason) {
      byStage[stage]++;
      rejected.push({ stage, ref, reason });
    },
    note(message) {
      notes.push(message);
    },
  };
  const sink = await openSink(plan, local, options.sink);
  requireCheckpoint(plan, sink);
  const started = performance.now();
  let read = 0;
  let cursor = options.from ?? null;
  let highWater: string | undefined;
  let done = true;
  try {
    const batches = plan.source.entry.run(local, plan.source.config, {
      from: options.from ?? undefined,
      batchSize: Math.min(plan.spec.options.batchSize, options.budget.rows),
      since: options.since,
      // The report counts rows: only a run without one can carry bytes and columns.
      columnar: !options.onBatch && columnarPlan(plan),
    });
    for await (const batch of batches) {
      if (ctx.signal.aborted) throw new ConfigError("The run was cancelled");
      read += batchLength(batch) + (batch.rejected?.length ?? 0);
      for (const r of batch.rejected ?? []) local.reject(r.ref, "read", r.reason);
      let out = batch;
      for (const step of plan.transforms) out = step.entry.run(local, step.config, out);
      await sink.write(out);
      await options.onBatch?.(out);
      cursor = batch.cursor;
      if (batch.highWater !== undefined) highWater = batch.highWater;
      if (read >= options.budget.rows || performance.now() - started >= options.budget.ms) {
        // Leaving the loop ends the generator, which closes its file or connection.
        done = false;
        break;
      }
    }
    const state = await sink.checkpoint();
    await sink.suspend();
    return {
      cursor,
      done,
      read,
      rejectedByStage: byStage,
      rejected,
      sink: state,
      highWater,
      notes,
    };
  } catch (err) {
    // The output stays as at the last committed checkpoint: a retry resumes from there.
    await sink.suspend().catch(() => {});
    throw err;
  }
}

/** Publish the output of a run whose slices are all done. */
export async function publishRun(
  prepared: PreparedRun,
  ctx: RunContext,
  sink: SinkState,
): Promise<LoadResult> {
  const plan = planOf(prepared);
  const open = await openSink(plan, ctx, sink);
  try {
    return await open.commit();
  } catch (err) {
    await open.suspend?.().catch(() => {});
    throw err;
  }
}

/** Throw away the partial output of a failed or cancelled run. */
export async function discardRun(
  prepared: PreparedRun,
  ctx: RunContext,
  sink: SinkState | undefined,
): Promise<void> {
  const plan = planOf(prepared);
  const open = await openSink(plan, ctx, sink);
  await open.abort();
}
