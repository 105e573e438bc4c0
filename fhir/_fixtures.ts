/**
 * Test-only: the shared data sets (Synthea sample with the FHIR Synthea wrote for it, the
 * generic clinic samples) and a helper that runs a transformer over rows like the pipeline.
 * @module
 */
import type { Immunization, Patient } from "fhir-types/r4";
import type { Batch, Row, Schema, Transformer } from "../etl/types.ts";
import { testContext } from "../etl/testing.ts";
import { parseCsvObjects } from "./_csv.ts";

// The project ships a copy of shared/data/synthea-sample, so CI needs nothing outside the clone.
const SYNTHEA = new URL("../data/samples/synthea", import.meta.url).pathname;
const read = (path: string) => Deno.readTextFileSync(path);
const ndjson = <T>(path: string): T[] =>
  read(path).split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as T);

/** Synthea's patients.csv rows (older 25-column header), as a CSV source yields them. */
export const syntheaPatients = (): Row[] => parseCsvObjects(read(`${SYNTHEA}/patients.csv`));
/** Synthea's immunizations.csv rows. */
export const syntheaImmunizations = (): Row[] =>
  parseCsvObjects(read(`${SYNTHEA}/immunizations.csv`));
/** The Patient resources Synthea itself wrote for the same people. */
export const expectedPatients = (): Patient[] => ndjson(`${SYNTHEA}/expected/Patient.ndjson`);
/** The Immunization resources Synthea itself wrote. */
export const expectedImmunizations = (): Immunization[] =>
  ndjson(`${SYNTHEA}/expected/Immunization.ndjson`);
/** Five Synthea patients with the current 28-column header (MIDDLE, FIPS, INCOME added). */
export const synthea28 = (): Row[] =>
  parseCsvObjects(read(new URL("./testdata/synthea_patients_28.csv", import.meta.url).pathname));

const samples = new URL("../data/samples/", import.meta.url);
/** The bundled generic clinic patient export. */
export const genericPatients = (): Row[] =>
  parseCsvObjects(read(new URL("generic_clinic_patients.csv", samples).pathname));
/** The bundled generic clinic immunization export. */
export const genericImmunizations = (): Row[] =>
  parseCsvObjects(read(new URL("generic_clinic_immunizations.csv", samples).pathname));

/** A schema naming the rows' columns, as an extractor would report it. */
export function schemaOf(rows: Row[]): Schema {
  return { columns: Object.keys(rows[0] ?? {}).map((name) => ({ name, type: "string" })) };
}

/** What a transformer produced for some rows: prepared config, output batch, rejections. */
export interface Outcome<R> {
  problems: string[];
  rows: (Row & { resource: R })[];
  batch: Batch;
  rejections: ReturnType<typeof testContext>["rejections"];
}

/** Parse `config`, prepare against the rows' columns, run one batch: what a run does. */
export function runTransformer<R>(
  transformer: Transformer,
  config: unknown,
  rows: Row[],
): Outcome<R> {
  const ctx = testContext();
  const prepared = transformer.prepare(
    transformer.config.parse(config),
    schemaOf(rows),
    rows.slice(0, 20),
  );
  const input: Batch = {
    rows,
    refs: rows.map((_, i) => ({ source: "input.csv", line: i + 2 })),
    cursor: { offset: rows.length },
  };
  const batch = transformer.run(ctx, prepared.config, input);
  return {
    problems: prepared.problems,
    rows: batch.rows as (Row & { resource: R })[],
    batch,
    rejections: ctx.rejections,
  };
}
