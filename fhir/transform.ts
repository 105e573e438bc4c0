/**
 * What the `fhir-patient` and `fhir-immunization` transformers do, kept here so the etl
 * entries stay declarations: prepare() resolves the mapping once against the input columns;
 * run() maps each row, validates the resource and keeps only valid rows, rejecting the others
 * with stage "mapped" (cannot map) or "valid" (mapped but invalid).
 * @module
 */
import type { Immunization, Patient } from "fhir-types/r4";
import type { Batch, Row, RunContext, Schema, SourceRef } from "../etl/types.ts";
import type { ImmunizationConfig, PatientConfig } from "./config.ts";
import { createImmunizationMapper } from "./immunization.ts";
import { createPatientMapper } from "./patient.ts";
import { resolveImmunization, resolvePatient } from "./resolve.ts";
import { validateImmunization, validatePatient } from "./validate.ts";

/** Output schema of `fhir-patient`. */
export const PATIENT_SCHEMA: Schema = {
  columns: [
    { name: "id", type: "string" },
    { name: "resource_type", type: "string" },
    { name: "identifier", type: "string" },
    { name: "family", type: "string" },
    { name: "given", type: "string" },
    { name: "gender", type: "string" },
    { name: "birth_date", type: "date" },
    { name: "deceased", type: "boolean" },
    { name: "state", type: "string" },
    { name: "postal_code", type: "string" },
    { name: "resource", type: "json" },
  ],
  resource: "resource",
};

/** Output schema of `fhir-immunization`; `occurrence` may be a date-only value. */
export const IMMUNIZATION_SCHEMA: Schema = {
  columns: [
    { name: "id", type: "string" },
    { name: "resource_type", type: "string" },
    { name: "patient_id", type: "string" },
    { name: "vaccine_code", type: "string" },
    { name: "occurrence", type: "datetime" },
    { name: "status", type: "string" },
    { name: "resource", type: "json" },
  ],
  resource: "resource",
};

/** The input's column names: the schema's, plus any only the sample rows show. */
export function inputColumns(input: Schema, sample: readonly Row[]): string[] {
  const names = new Set(input.columns.map((c) => c.name));
  for (const row of sample) for (const key of Object.keys(row)) names.add(key);
  return [...names];
}

/** prepare() of `fhir-patient`. */
export function preparePatient(config: PatientConfig, input: Schema, sample: Row[]) {
  const { resolved, problems, country } = resolvePatient(config, inputColumns(input, sample));
  return {
    config: { ...config, country: config.country ?? country, resolved },
    schema: PATIENT_SCHEMA,
    problems,
  };
}

/** prepare() of `fhir-immunization`. */
export function prepareImmunization(config: ImmunizationConfig, input: Schema, sample: Row[]) {
  const { resolved, problems } = resolveImmunization(config, inputColumns(input, sample));
  return { config: { ...config, resolved }, schema: IMMUNIZATION_SCHEMA, problems };
}

type Mapper = (row: Row) => (Row & { resource: unknown }) | string;
type Validator = (resource: never, latest: string) => string | undefined;

// Compiled per config object: prepare() runs once, run() once per batch with the same config.
const patientMappers = new WeakMap<PatientConfig, Mapper>();
const immunizationMappers = new WeakMap<ImmunizationConfig, Mapper>();

function patientMapper(config: PatientConfig, batch: Batch): Mapper {
  let map = patientMappers.get(config);
  if (map === undefined) {
    let { resolved } = config;
    if (resolved === undefined) {
      // Called without prepare() (direct use): resolve against the batch's own columns.
      const prepared = preparePatient(config, { columns: [] }, batch.rows.slice(0, 50));
      unusable(prepared.problems);
      resolved = prepared.config.resolved;
    }
    map = createPatientMapper(resolved, config);
    patientMappers.set(config, map);
  }
  return map;
}

function immunizationMapper(config: ImmunizationConfig, batch: Batch): Mapper {
  let map = immunizationMappers.get(config);
  if (map === undefined) {
    let { resolved } = config;
    if (resolved === undefined) {
      const prepared = prepareImmunization(config, { columns: [] }, batch.rows.slice(0, 50));
      unusable(prepared.problems);
      resolved = prepared.config.resolved;
    }
    map = createImmunizationMapper(resolved, config);
    immunizationMappers.set(config, map);
  }
  return map;
}

function unusable(problems: string[]): void {
  if (problems.length > 0) throw new Error(`Cannot map rows: ${problems.join("; ")}`);
}

/** The last acceptable date for births, deaths and occurrences: tomorrow, for time zones. */
function latestDate(now: Date): string {
  return new Date(now.getTime() + 86_400_000).toISOString().slice(0, 10);
}

function mapBatch(ctx: RunContext, batch: Batch, map: Mapper, validate: Validator): Batch {
  const latest = latestDate(ctx.now);
  const rows: Row[] = [];
  const refs: SourceRef[] = [];
  const { rows: input, refs: inputRefs } = batch;
  for (let i = 0; i < input.length; i++) {
    const out = map(input[i]);
    if (typeof out === "string") {
      ctx.reject(inputRefs[i], "mapped", out);
      continue;
    }
    const problem = validate(out.resource as never, latest);
    if (problem !== undefined) {
      ctx.reject(inputRefs[i], "valid", problem);
      continue;
    }
    rows.push(out);
    refs.push(inputRefs[i]);
  }
  return { rows, refs, cursor: batch.cursor };
}

/** run() of `fhir-patient`. */
export function runPatient(ctx: RunContext, config: PatientConfig, batch: Batch): Batch {
  return mapBatch(
    ctx,
    batch,
    patientMapper(config, batch),
    validatePatient as (p: Patient, l: string) => string | undefined,
  );
}

/** run() of `fhir-immunization`. */
export function runImmunization(ctx: RunContext, config: ImmunizationConfig, batch: Batch): Batch {
  return mapBatch(
    ctx,
    batch,
    immunizationMapper(config, batch),
    validateImmunization as (i: Immunization, l: string) => string | undefined,
  );
}
