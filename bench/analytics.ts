/**
 * Benchmark of the report's streaming part (run by hand, not in CI): N synthetic Patient
 * resources in batches through `addBatch` + the run's SQLite store, then `finishReport` and
 * `promote`. Prints rows/s of addBatch alone, the finish and promote times, the store's size,
 * the state's size and the process's peak RSS (VmHWM).
 *
 * The patients are made by the real `fhir-patient` transform (Synthea preset, as a run plans
 * it) from the Synthea sample's 115 CSV rows, each copy with its own Id, SSN, driver's licence
 * and passport, so every record is distinct (about 2 KB of JSON, four identifiers each). Only
 * the time spent in `addBatch` counts for rows/s; making the rows is not measured.
 *
 * @example
 * ```sh
 * deno run -A bench/analytics.ts                    # 1,000,000 patients, batches of 1000
 * deno run -A bench/analytics.ts --patients 100000 --batch 500
 * ```
 * @module
 */
import { parseArgs } from "node:util";
import type { Row } from "../etl/types.ts";
import {
  addBatch,
  finishReport,
  newReportState,
  openIdStore,
  promote,
  removeIdStore,
  suppress,
} from "../analytics/mod.ts";
import { SYNTHEA_DIR } from "../analytics/_testing.ts";
import { planPipeline } from "../etl/plan.ts";
import { testContext } from "../etl/testing.ts";
import type { Batch } from "../etl/types.ts";

const args = parseArgs({
  options: {
    patients: { type: "string", default: "1000000" },
    batch: { type: "string", default: "1000" },
  },
});
const total = Number(args.values.patients), size = Number(args.values.batch);

const ctx = testContext({ inputRoot: SYNTHEA_DIR, outputRoot: SYNTHEA_DIR });
const plan = await planPipeline({
  version: 1,
  name: "bench",
  source: { type: "csv", path: "patients.csv" },
  transforms: [{ type: "fhir-patient", preset: "synthea" }],
  output: { format: "ndjson" },
  repository: { type: "file", path: "unused/bench.ndjson" },
}, ctx);
const sample: Row[] = [];
for await (const b of plan.source.entry.run(ctx, plan.source.config, { batchSize: 1000 })) {
  sample.push(...b.rows);
}
const mapping = plan.transforms[0];

/** Patients `from` … `from + n - 1`, as the fhir-patient transform leaves them. */
function patients(from: number, n: number): Batch {
  const rows: Row[] = [];
  for (let k = from; k < from + n; k++) {
    const id = `00000000-0000-4000-8000-${String(k).padStart(12, "0")}`;
    rows.push({
      ...sample[k % sample.length],
      Id: id,
      SSN: `999-${k}`,
      DRIVERS: `S${k}`,
      PASSPORT: `X${k}X`,
    });
  }
  const refs = rows.map((_, i) => ({ source: "patients.csv", line: from + i + 2 }));
  return mapping.entry.run(ctx, mapping.config, { rows, refs, cursor: {} });
}

const peakRssMb = () =>
  Number(/VmHWM:\s+(\d+) kB/.exec(Deno.readTextFileSync("/proc/self/status"))![1]) / 1024;

const dir = await Deno.makeTempDir({ prefix: "bench-analytics-" });
const storePath = `${dir}/run.sqlite`, latestPath = `${dir}/latest.sqlite`;
try {
  const store = openIdStore(storePath);
  let state = newReportState({ asOf: new Date(), source: "bench patients.csv" });
  const rssBefore = peakRssMb();
  let inAddBatch = 0;
  const started = performance.now();
  for (let from = 0; from < total; from += size) {
    const batch = patients(from, Math.min(size, total - from));
    const t = performance.now();
    state = addBatch(state, batch, store);
    inAddBatch += performance.now() - t;
  }
  const fed = performance.now() - started;
  const rssAfterFeeding = peakRssMb();
  let t = performance.now();
  const report = finishReport(state, store, {
    ids: { tenant: "bench", pipeline: "bench", run: "r1" },
    latestPath,
  });
  const finishMs = performance.now() - t;
  t = performance.now();
  promote(store, latestPath, report);
  const promoteMs = performance.now() - t;
  store.close();
  suppress(report, 5);
  const result = {
    patients: total,
    batchSize: size,
    addBatchRowsPerSecond: Math.round(total / (inAddBatch / 1000)),
    addBatchMicrosPerRow: Number(((inAddBatch * 1000) / total).toFixed(2)),
    wallSecondsIncludingGeneration: Number((fed / 1000).toFixed(1)),
    finishSeconds: Number((finishMs / 1000).toFixed(1)),
    promoteSeconds: Number((promoteMs / 1000).toFixed(1)),
    storeMb: Math.round(Deno.statSync(storePath).size / 1048576),
    latestMb: Math.round(Deno.statSync(latestPath).size / 1048576),
    stateBytes: JSON.stringify(state).length,
    peakRssMbWhileFeeding: Math.round(rssAfterFeeding),
    peakRssMb: Math.round(peakRssMb()),
    rssBeforeFeedingMb: Math.round(rssBefore),
  };
  console.log(JSON.stringify(result));
} finally {
  removeIdStore(storePath);
  await Deno.remove(dir, { recursive: true });
}
