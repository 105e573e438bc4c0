/**
 * Throughput of the two FHIR transformers alone (no extract, no encode) on the Synthea sample
 * repeated to N rows, in batches like a run: `deno run -A fhir/_bench.ts [rows] [batch]`.
 * Raw CSV strings in; prints rows/s per round and the best round.
 * @module
 */
import { fhirImmunizationTransformer } from "../etl/transform/fhir_immunization.ts";
import { fhirPatientTransformer } from "../etl/transform/fhir_patient.ts";
import type { Row, Transformer } from "../etl/types.ts";
import { testContext } from "../etl/testing.ts";
import { schemaOf, syntheaImmunizations, syntheaPatients } from "./_fixtures.ts";

const total = Number(Deno.args[0] ?? 200_000);
const batchSize = Number(Deno.args[1] ?? 5_000);

function repeat(rows: Row[]): Row[] {
  // Fresh objects per row, like an extractor makes; ids repeat, which does not matter here.
  return Array.from({ length: total }, (_, i) => ({ ...rows[i % rows.length] }));
}

function bench(name: string, transformer: Transformer, sample: Row[]): void {
  const rows = repeat(sample);
  const refs = rows.map((_, i) => ({ source: "bench.csv", line: i + 2 }));
  const { config } = transformer.prepare(
    transformer.config.parse({ preset: "synthea" }),
    schemaOf(sample),
    sample.slice(0, 20),
  );
  const rates: number[] = [];
  for (let round = 0; round < 5; round++) {
    const ctx = testContext();
    let kept = 0;
    const start = performance.now();
    for (let i = 0; i < rows.length; i += batchSize) {
      const batch = {
        rows: rows.slice(i, i + batchSize),
        refs: refs.slice(i, i + batchSize),
        cursor: {},
      };
      kept += transformer.run(ctx, config, batch).rows.length;
    }
    const seconds = (performance.now() - start) / 1000;
    if (kept !== rows.length) throw new Error(`${name}: ${rows.length - kept} rows rejected`);
    rates.push(Math.round(rows.length / seconds));
  }
  console.log(`${name}: ${rates.join(" ")} rows/s (best ${Math.max(...rates)})`);
}

bench("fhir-patient", fhirPatientTransformer, syntheaPatients());
bench("fhir-immunization", fhirImmunizationTransformer, syntheaImmunizations());
