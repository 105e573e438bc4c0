/**
 * Where a FHIR conversion's time goes, stage by stage, in one process: CSV read, map + validate,
 * NDJSON encode, SHA-256 (no file is written). Given several source trees (copies of this
 * repository), it runs them in turn in the same process and keeps each one's best time per
 * stage: on a shared, noisy machine that compares two versions of the code far better than
 * separate runs.
 *
 * @example
 * ```sh
 * deno run -A bench/stages.ts patient 3 /tmp/before .   # before/after, best of 3 each
 * ```
 * @module
 */
import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Batch, Encoder, RunContext, Schema } from "../etl/types.ts";

type Kind = "patient" | "immunization";

/** Best microseconds per row of each stage. */
interface StageTimes {
  total: number;
  read: number;
  map: number;
  encode: number;
  hash: number;
}

async function runOnce(tree: string, kind: Kind, data: string): Promise<StageTimes> {
  const url = (p: string) => pathToFileURL(resolve(tree, p)).href;
  const { csvExtractor } = await import(url("etl/extract/csv.ts"));
  const fhir = await import(url("fhir/transform.ts"));
  const { PatientConfig, ImmunizationConfig } = await import(url("fhir/config.ts"));
  const { ndjsonFormat } = await import(url("etl/format/ndjson.ts"));
  const ctx: RunContext = {
    signal: new AbortController().signal,
    now: new Date(),
    inputRoot: ".",
    outputRoot: ".",
    reject() {},
    allowPrivateNetwork: false,
    ids: { tenant: "bench", pipeline: "stages", run: "1" },
  };
  const source = {
    path: `${data}/${kind === "patient" ? "patients" : "immunizations"}.csv`,
    delimiter: "auto",
    encoding: "auto",
  };
  const names: string[] = await csvExtractor.columns(ctx, source);
  const input: Schema = { columns: names.map((name) => ({ name, type: "string" })) };
  const prepared = kind === "patient"
    ? fhir.preparePatient(PatientConfig.parse({ preset: "synthea" }), input, [])
    : fhir.prepareImmunization(ImmunizationConfig.parse({ preset: "synthea" }), input, []);
  const run = kind === "patient" ? fhir.runPatient : fhir.runImmunization;
  const encoder: Encoder = ndjsonFormat.create({}, prepared.schema, { table: "bench" });
  const hash = createHash("sha256");
  const t: StageTimes = { total: 0, read: 0, map: 0, encode: 0, hash: 0 };
  let rows = 0;
  const start = performance.now();
  let last = start;
  const lap = (stage: keyof StageTimes) => {
    const now = performance.now();
    t[stage] += now - last;
    last = now;
  };
  for await (
    const batch of csvExtractor.run(ctx, source, { batchSize: 1000 }) as AsyncIterable<Batch>
  ) {
    lap("read");
    const out: Batch = run(ctx, prepared.config, batch);
    lap("map");
    const bytes = await encoder.encode(out.rows);
    lap("encode");
    hash.update(bytes);
    lap("hash");
    rows += out.rows.length;
  }
  t.total = performance.now() - start;
  for (const k of Object.keys(t) as (keyof StageTimes)[]) t[k] = (t[k] * 1000) / rows;
  return t;
}

if (import.meta.main) {
  const [kind = "patient", reps = "3", ...trees] = Deno.args;
  if (kind !== "patient" && kind !== "immunization") {
    console.error("Usage: stages.ts patient|immunization [reps] [tree ...] (data: bench/out/100k)");
    Deno.exit(2);
  }
  const data = Deno.env.get("STAGES_DATA") ?? "bench/out/100k";
  const best = new Map<string, StageTimes>();
  for (let r = 0; r < Number(reps); r++) {
    for (const tree of trees.length ? trees : ["."]) {
      const t = await runOnce(tree, kind, data);
      const b = best.get(tree);
      best.set(
        tree,
        b
          ? {
            ...b,
            ...Object.fromEntries(
              (Object.keys(t) as (keyof StageTimes)[]).map((k) => [k, Math.min(b[k], t[k])]),
            ),
          }
          : t,
      );
    }
  }
  const f = (n: number) => n.toFixed(2).padStart(6);
  console.log("tree                  total    read     map  encode    hash   (µs per row, best)");
  for (const [tree, b] of best) {
    console.log(
      `${tree.padEnd(20)} ${f(b.total)}  ${f(b.read)}  ${f(b.map)}  ${f(b.encode)}  ${f(b.hash)}`,
    );
  }
}
