/**
 * Test helpers: run the project's real pipeline pieces (plan, source, transforms) to get the
 * output batches a run would write, and hand-made FHIR resources as batches.
 * @module
 */
import { planPipeline } from "../etl/plan.ts";
import { testContext } from "../etl/testing.ts";
import type { Batch, Row } from "../etl/types.ts";
import { addBatch } from "./add_batch.ts";
import { newReportState, type NewStateOptions, type ReportState } from "./state.ts";
import { type IdStore, openIdStore } from "./store.ts";

/** The Synthea sample (the project ships a copy of shared/data/synthea-sample). */
export const SYNTHEA_DIR = new URL("../data/samples/synthea/", import.meta.url).pathname;

/** The run date the tests use. */
export const AS_OF = new Date("2026-11-26T00:00:00Z");

/**
 * The transformed batches of a Synthea CSV through the real pipeline pieces: the spec is
 * planned as a run would plan it, the CSV source reads it, the FHIR transform maps it.
 */
export async function* syntheaBatches(
  kind: "patients" | "immunizations",
  batchSize = 100,
): AsyncGenerator<Batch> {
  const ctx = testContext({ inputRoot: SYNTHEA_DIR, outputRoot: SYNTHEA_DIR, now: AS_OF });
  const spec = {
    version: 1,
    name: `synthea-${kind}`,
    source: { type: "csv", path: `${kind}.csv` },
    transforms: [{
      type: kind === "patients" ? "fhir-patient" : "fhir-immunization",
      preset: "synthea",
    }],
    output: { format: "ndjson" },
    repository: { type: "file", path: `unused/${kind}.ndjson` },
    options: { batchSize },
  };
  const plan = await planPipeline(spec, ctx);
  for await (const batch of plan.source.entry.run(ctx, plan.source.config, { batchSize })) {
    let out = batch;
    for (const t of plan.transforms) out = t.entry.run(ctx, t.config, out);
    yield out;
  }
  if (ctx.rejections.length > 0) throw new Error(`Rejected: ${JSON.stringify(ctx.rejections)}`);
}

/** A batch of rows as a FHIR transform leaves them (`resource` column), refs `<source> line n`. */
export function resourceBatch(resources: Row[], source = "fixture.ndjson", first = 1): Batch {
  return {
    rows: resources.map((resource) => ({ id: resource.id, resource })),
    refs: resources.map((_, i) => ({ source, line: first + i })),
    cursor: {},
  };
}

/** A temporary folder removed by the returned function. */
export async function tempDir(): Promise<{ dir: string; [Symbol.asyncDispose](): Promise<void> }> {
  const dir = await Deno.makeTempDir({ prefix: "analytics-test-" });
  return { dir, [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }) };
}

/** Feed batches into a fresh state and a store at `path`. */
export async function feed(
  batches: Iterable<Batch> | AsyncIterable<Batch>,
  path: string,
  options: Partial<NewStateOptions> = {},
): Promise<{ state: ReportState; store: IdStore }> {
  const store = openIdStore(path);
  let state = newReportState({ asOf: AS_OF, ...options });
  for await (const batch of batches) state = addBatch(state, batch, store);
  return { state, store };
}

/** Test run ids. */
export const IDS = { tenant: "clinic-a", pipeline: "synthea", run: "run-1" };
