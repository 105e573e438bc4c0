/**
 * Running a pipeline: plan, then stream batches from the source through the transforms into the
 * repository, counting every stage and keeping rejected rows with their source reference. The
 * output is published only when the run succeeds.
 * @module
 */
import { StageTally } from "./counts.ts";
import { ConfigError, userMessage } from "./errors.ts";
import { buildManifest, type Manifest } from "./manifest.ts";
import { batchLength } from "./columnar.ts";
import { columnarPlan, type Plan, planPipeline } from "./plan.ts";
import type {
  Batch,
  Cursor,
  LoadResult,
  RunContext,
  RunIds,
  Sink,
  SourceRef,
  Stage,
  StageCounts,
} from "./types.ts";

/** A rejected row as runs keep it. */
export interface RejectedRow {
  stage: Stage;
  ref: SourceRef;
  reason: string;
}

/** Progress reported after each batch. */
export interface Progress {
  counts: StageCounts;
  cursor: Cursor;
}

/** The outcome of a run. */
export interface RunResult {
  status: "succeeded" | "failed";
  /** For users: what went wrong and what to do, one or a few lines, never a stack trace. */
  error?: string;
  /** Things a user should see even on success (zero rows read). */
  warnings: string[];
  counts: StageCounts;
  rejected: { total: number; byStage: Record<Stage, number>; kept: RejectedRow[] };
  output?: LoadResult;
  manifest?: Manifest;
  /** Incremental sources: pass this as `since` to the next run (set only on success). */
  highWater?: string;
  startedAt: string;
  finishedAt: string;
}

/** Where a run reads and writes, and who watches it. */
export interface RunOptions {
  inputRoot: string;
  outputRoot: string;
  now?: Date;
  signal?: AbortSignal;
  onProgress?: (progress: Progress) => void;
  /** See {@link RunContext.allowPrivateNetwork}; off unless the deployment allows it. */
  allowPrivateNetwork?: boolean;
  /** Names for key templates; defaults: tenant "local", pipeline = spec name, a random run id. */
  ids?: Partial<RunIds>;
  /** Incremental sources: the high-water mark of the last successful run. */
  since?: string;
  /**
   * False: rows as objects even where the plan could carry bytes and columns (see
   * `columnarPlan`); for comparing both paths. Default true.
   */
  columnar?: boolean;
}

/** Stops the batch loop when rejections pass the user's limit. */
class TooManyRejected extends Error {}

function applyTransforms(ctx: RunContext, plan: Plan, batch: Batch): Batch {
  let out = batch;
  for (const step of plan.transforms) out = step.entry.run(ctx, step.config, out);
  return out;
}

/**
 * Run a pipeline spec to the end in this process. Never throws for a user's mistake or bad
 * data: the result says `failed` with a readable `error`.
 *
 * @example
 * ```ts
 * const result = await runPipeline(JSON.parse(await Deno.readTextFile("examples/synthea_patients.json")),
 *   { inputRoot: ".", outputRoot: "out" });
 * console.log(result.status, result.counts);
 * ```
 */
export async function runPipeline(raw: unknown, options: RunOptions): Promise<RunResult> {
  const started = options.now ?? new Date();
  const tally = new StageTally();
  const kept: RejectedRow[] = [];
  const warnings: string[] = [];
  let keepLimit = 1_000;
  let maxRejected = Infinity;
  const ctx: RunContext = {
    signal: options.signal ?? new AbortController().signal,
    now: started,
    inputRoot: options.inputRoot,
    outputRoot: options.outputRoot,
    reject(ref, stage, reason) {
      tally.addRejected(stage);
      if (kept.length < keepLimit) kept.push({ stage, ref, reason });
    },
    allowPrivateNetwork: options.allowPrivateNetwork ?? false,
    note(message) {
      // Retries can be many; the first few say enough.
      if (warnings.length < 20) warnings.push(message);
    },
    ids: {
      tenant: options.ids?.tenant ?? "local",
      pipeline: options.ids?.pipeline ?? "pipeline",
      run: options.ids?.run ?? crypto.randomUUID(),
    },
  };
  const finish = (status: RunResult["status"], extra: Partial<RunResult>): RunResult => ({
    status,
    warnings,
    counts: tally.counts(),
    rejected: { total: tally.rejected, byStage: tally.rejectedByStage, kept },
    startedAt: started.toISOString(),
    finishedAt: new Date().toISOString(),
    ...extra,
  });

  let plan: Plan;
  try {
    plan = await planPipeline(raw, ctx);
  } catch (err) {
    return finish("failed", { error: userMessage(err) });
  }
  const { options: opts } = plan.spec;
  keepLimit = opts.keepRejected;
  if (!options.ids?.pipeline) ctx.ids.pipeline = plan.spec.name;
  maxRejected = opts.maxRejected;
  let sink: Sink | undefined;
  try {
    // Hashed on a helper thread while the rows are read; awaited before the manifest.
    const fingerprints = plan.source.entry.fingerprint(ctx, plan.source.config);
    fingerprints.catch(() => {});
    sink = await plan.repository.entry.open(ctx, plan.repository.config, {
      format: plan.format?.entry,
      formatConfig: plan.format?.config,
      schema: plan.schema,
      name: plan.spec.name,
    });
    const batches = plan.source.entry.run(ctx, plan.source.config, {
      batchSize: opts.batchSize,
      since: options.since,
      columnar: options.columnar !== false && columnarPlan(plan),
    });
    let highWater = options.since;
    let lastCursor: Cursor | undefined;
    for await (const batch of batches) {
      if (ctx.signal.aborted) throw new ConfigError("The run was cancelled");
      tally.addRead(batchLength(batch) + (batch.rejected?.length ?? 0));
      for (const r of batch.rejected ?? []) ctx.reject(r.ref, "read", r.reason);
      const out = applyTransforms(ctx, plan, batch);
      // Checked per batch so a transform never sees its own reject() throw.
      if (tally.rejected > maxRejected) throw new TooManyRejected();
      await sink.write(out);
      if (batch.highWater !== undefined) highWater = batch.highWater;
      lastCursor = batch.cursor;
      options.onProgress?.({ counts: tally.counts(), cursor: batch.cursor });
    }
    const counts = tally.counts();
    if (counts.read === 0 && options.since !== undefined) {
      warnings.push(
        `No new rows since the last successful run (high-water mark ${options.since}); nothing changed in the ${plan.source.entry.title.toLowerCase()}`,
      );
    } else if (counts.read === 0) {
      warnings.push(
        `No rows were read from the ${plan.source.entry.title.toLowerCase()}: check that it holds data rows under its header`,
      );
    }
    if (lastCursor?.stoppedAtPageLimit === true) {
      warnings.push(
        `Stopped after ${lastCursor.pages} pages, the limit set in maxPages: the API has more records. Raise or remove maxPages to read them all.`,
      );
    }
    const inputs = await fingerprints;
    const output = await sink.commit();
    sink = undefined;
    if (output.records !== counts.written) {
      throw new Error(`Repository wrote ${output.records} records, expected ${counts.written}`);
    }
    const manifest = buildManifest(plan, inputs, output, counts, started);
    return finish("succeeded", { output, manifest, highWater });
  } catch (err) {
    await sink?.abort().catch(() => {});
    if (err instanceof TooManyRejected) {
      return finish("failed", {
        error:
          `More than ${maxRejected} rows were rejected (the limit set in options.maxRejected); nothing was written. Fix the rows listed below or raise the limit.`,
      });
    }
    return finish("failed", { error: userMessage(err) });
  }
}
