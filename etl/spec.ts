/**
 * The pipeline spec: a versioned JSON document naming a source, transforms in order, an output
 * format and a repository, each with its entry's config, plus run options. Parsing collects
 * every problem with its path instead of stopping at the first.
 * @module
 */
import { z } from "zod";

/** Run options every pipeline has. */
export const PipelineOptions = z.object({
  // 1,000 rows: lower peak memory than 5,000 and no slower (bench/README.md).
  batchSize: z.number().int().min(1).max(100_000).default(1_000)
    .describe("Rows read and transformed together"),
  maxRejected: z.number().int().min(0).default(1_000)
    .describe("The run fails when more rows than this are rejected"),
  keepRejected: z.number().int().min(0).max(100_000).default(1_000)
    .describe("How many rejected rows are kept with their reason"),
});

/** Run options after defaults. */
export type PipelineOptions = z.output<typeof PipelineOptions>;

const Step = (key: string) => z.looseObject({ [key]: z.string().min(1) });

/** The outer shape of a spec; each step's own config is checked against its registry entry. */
export const PipelineSpec = z.object({
  version: z.literal(1),
  name: z.string().min(1).max(120).default("pipeline"),
  source: Step("type"),
  transforms: z.array(Step("type")).default([]),
  /** Optional for repositories that store rows (databases); required for files and S3. */
  output: Step("format").optional(),
  repository: Step("type"),
  options: PipelineOptions.default(PipelineOptions.parse({})),
  /** The basic report (analytics/): on unless turned off. */
  analytics: z.object({
    enabled: z.boolean().default(true).describe("Make the basic report of each run"),
    dimensions: z.array(z.string().min(1).max(40)).max(20).optional()
      .describe("Which parts of the report the dashboard shows first (all are computed)"),
  }).strict().optional(),
});

/** A spec whose outer shape is valid; step configs are still raw. */
export type PipelineSpec = z.output<typeof PipelineSpec>;

/** A zod issue path as the user reads it: `transforms[1].mapping.gender`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out;
}

/** Every issue of a zod error as `path: message`, each path prefixed. */
export function zodProblems(error: z.ZodError, prefix = ""): string[] {
  return error.issues.map((issue) => {
    const path = formatPath(issue.path);
    const full = prefix && path ? `${prefix}.${path}` : prefix || path || "(spec)";
    return `${full}: ${issue.message}`;
  });
}

/** Split a step into its registry key and its config (the other fields). */
export function stepConfig(step: Record<string, unknown>, key: string): Record<string, unknown> {
  const { [key]: _type, ...config } = step;
  return config;
}
