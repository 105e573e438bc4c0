/**
 * Planning a run: check the spec against the registries (every problem, with its path), read a
 * sample from the source, and let each transform resolve its config against the columns it will
 * see (inferred types, mapped columns). The plan is plain data a run can store and resume from.
 * @module
 */
import { z } from "zod";
import { hashJson } from "./canonical.ts";
import { ConfigError } from "./errors.ts";
import { extractors } from "./extract/mod.ts";
import { formats } from "./format/mod.ts";
import { loaders } from "./load/mod.ts";
import type { Registry } from "./registry.ts";
import { PipelineSpec, stepConfig, zodProblems } from "./spec.ts";
import { transformers } from "./transform/mod.ts";
import type {
  Batch,
  Extractor,
  Format,
  Loader,
  Row,
  RunContext,
  Schema,
  Transformer,
} from "./types.ts";

/** A registry entry with its parsed config. */
export interface Planned<E> {
  entry: E;
  config: unknown;
}

/** Everything a run needs, resolved. */
export interface Plan {
  spec: PipelineSpec;
  source: Planned<Extractor>;
  transforms: Planned<Transformer>[];
  /** Missing when the repository stores rows (databases). */
  format?: Planned<Format>;
  repository: Planned<Loader>;
  /** Shape of the rows the repository receives. */
  schema: Schema;
  /** `sha256:` of the canonical spec. */
  hash: string;
}

const SAMPLE_ROWS = 1_000;

/**
 * Whether a run of this plan can carry its rows as bytes and typed columns instead of objects:
 * a source that reads blocks, one transform that turns them into columns, and a format and
 * repository that write columns (a UTF-8 CSV file, normalize, Parquet into a file or S3).
 */
export function columnarPlan(plan: Plan): boolean {
  return plan.source.entry.columnar === true && plan.transforms.length === 1 &&
    plan.transforms[0].entry.columnar === true && plan.format?.entry.columnar === true &&
    plan.repository.entry.columnar === true;
}

function resolve<E extends { type: string; config: z.ZodType }>(
  registry: Registry<E>,
  kind: string,
  step: Record<string, unknown>,
  key: string,
  path: string,
  problems: string[],
): Planned<E> | undefined {
  const type = String(step[key]);
  const entry = registry.get(type);
  if (!entry) {
    problems.push(
      `${path}.${key}: unknown ${kind} "${type}"; choose one of ${registry.types().join(", ")}`,
    );
    return undefined;
  }
  const parsed = entry.config.safeParse(stepConfig(step, key));
  if (!parsed.success) {
    problems.push(...zodProblems(parsed.error, path));
    return undefined;
  }
  return { entry, config: parsed.data };
}

/** Check a raw spec and its step configs; throws a ConfigError listing every problem. */
export function checkSpec(raw: unknown): Omit<Plan, "schema" | "hash"> {
  const outer = PipelineSpec.safeParse(raw);
  if (!outer.success) {
    const problems = zodProblems(outer.error);
    throw new ConfigError(`The pipeline spec has ${problems.length} problem(s)`, problems);
  }
  const spec = outer.data;
  const problems: string[] = [];
  const source = resolve(extractors, "source type", spec.source, "type", "source", problems);
  const transforms = spec.transforms.map((t, i) =>
    resolve(transformers, "transform type", t, "type", `transforms[${i}]`, problems)
  );
  const format = spec.output &&
    resolve(formats, "output format", spec.output, "format", "output", problems);
  const repository = resolve(
    loaders,
    "repository type",
    spec.repository,
    "type",
    "repository",
    problems,
  );
  if (repository?.entry.needsFormat && !spec.output) {
    problems.push(
      `output: the ${repository.entry.title.toLowerCase()} repository needs an output format; choose one of ${
        formats.types().join(", ")
      }`,
    );
  }
  if (problems.length > 0 || !source || !repository) {
    throw new ConfigError(`The pipeline spec has ${problems.length} problem(s)`, problems);
  }
  return {
    spec,
    source,
    transforms: transforms as Planned<Transformer>[],
    format: format || undefined,
    repository,
  };
}

/** Run a batch through transforms, dropping what they reject (used on the sample). */
function applyTransforms(ctx: RunContext, steps: Planned<Transformer>[], batch: Batch): Batch {
  let out = batch;
  for (const step of steps) out = step.entry.run(ctx, step.config, out);
  return out;
}

/**
 * Plan a run: check the spec, sample the source, and prepare every transform. Throws a
 * ConfigError listing all problems (`transforms[1].mapping.gender: unknown column "SEX"`).
 */
export async function planPipeline(raw: unknown, ctx: RunContext): Promise<Plan> {
  const checked = checkSpec(raw);
  const { source } = checked;
  let sample: Batch = { rows: [], refs: [], cursor: {} };
  for await (const batch of source.entry.run(ctx, source.config, { batchSize: SAMPLE_ROWS })) {
    sample = batch;
    if (batch.rows.length > 0) break;
  }
  const names = source.entry.columns
    ? await source.entry.columns(ctx, source.config)
    : [...new Set(sample.rows.flatMap((r: Row) => Object.keys(r)))];
  let schema: Schema = { columns: names.map((name) => ({ name, type: "string" })) };
  const quiet: RunContext = { ...ctx, reject: () => {} };
  const problems: string[] = [];
  const transforms: Planned<Transformer>[] = [];
  for (const [i, step] of checked.transforms.entries()) {
    const prepared = step.entry.prepare(step.config, schema, sample.rows);
    problems.push(...prepared.problems.map((p) => `transforms[${i}].${p}`));
    const resolved = { entry: step.entry, config: prepared.config };
    transforms.push(resolved);
    schema = prepared.schema;
    sample = applyTransforms(quiet, [resolved], sample);
  }
  if (problems.length > 0) {
    throw new ConfigError(`The pipeline spec has ${problems.length} problem(s)`, problems);
  }
  return { ...checked, transforms, schema, hash: hashJson(checked.spec) };
}

/**
 * Rebuild a plan from what `planPipeline` worked out earlier (a later step of the same run):
 * the spec is checked again, the transforms keep their prepared configs, nothing is sampled.
 */
export function replan(
  spec: unknown,
  transformConfigs: readonly unknown[],
  schema: Schema,
  hash: string,
): Plan {
  const checked = checkSpec(spec);
  if (checked.transforms.length !== transformConfigs.length) {
    throw new Error("The prepared run does not match its spec");
  }
  const transforms = checked.transforms.map((t, i) => ({
    entry: t.entry,
    config: transformConfigs[i],
  }));
  return { ...checked, transforms, schema, hash };
}
