/**
 * `deno task examples`: runs the bundled example pipelines straight through (no queue) into `out/`
 * and prints what each produced. Exit code 0 only when every example succeeded.
 * @module
 */
import { resolve } from "node:path";
import { runPipeline } from "../etl/pipeline.ts";

/** The bundled examples, run in this order. */
export const EXAMPLES = [
  "examples/synthea_patients.json",
  "examples/synthea_immunizations.json",
  "examples/clinic_to_parquet.json",
];

if (import.meta.main) {
  const root = resolve(new URL("..", import.meta.url).pathname);
  let failed = 0;
  for (const path of EXAMPLES) {
    const spec = JSON.parse(await Deno.readTextFile(resolve(root, path)));
    const result = await runPipeline(spec, { inputRoot: root, outputRoot: resolve(root, "out") });
    const c = result.counts;
    if (result.status === "succeeded") {
      console.log(
        `✔ ${path}: read ${c.read}, written ${c.written}, rejected ${c.rejected} → out/${result.output?.location} (${result.output?.bytes} bytes, ${result.output?.checksum})`,
      );
      for (const w of result.warnings) console.log(`  warning: ${w}`);
      for (const r of result.rejected.kept.slice(0, 5)) {
        console.log(
          `  rejected ${r.ref.source}:${r.ref.line ?? r.ref.key} (${r.stage}): ${r.reason}`,
        );
      }
    } else {
      failed++;
      console.log(`✘ ${path}: ${result.error}`);
    }
  }
  console.log(
    `\nTry one yourself: deno task etl convert data/samples/synthea/patients.csv --to fhir-patient --preset synthea --format ndjson --out out/patients.ndjson`,
  );
  Deno.exit(failed === 0 ? 0 : 1);
}
