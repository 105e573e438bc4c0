/**
 * `fhir-patient`: rows → FHIR R4 Patient resources through a declarative column mapping with
 * presets (Synthea, generic). The logic lives in `fhir/`; this is the registry entry.
 * @module
 */
import { PatientConfig } from "../../fhir/config.ts";
import { preparePatient, runPatient } from "../../fhir/transform.ts";
import { defineTransformer } from "../define.ts";

/**
 * Maps each row to a Patient (id, identifiers, name, gender, birth date, death, address,
 * telecom, marital status, US Core race and ethnicity), validates it and keeps valid rows.
 *
 * @example
 * ```ts
 * const { config, problems } = fhirPatientTransformer.prepare(
 *   PatientConfig.parse({ preset: "synthea" }), schema, sampleRows);
 * const out = fhirPatientTransformer.run(ctx, config, batch); // rows: { id, ..., resource }
 * ```
 */
export const fhirPatientTransformer = defineTransformer({
  type: "fhir-patient",
  title: "FHIR Patient",
  description:
    "Map rows to FHIR R4 Patient resources (Synthea or generic column presets, value maps for " +
    "gender, marital status, race, ethnicity and state); rows that cannot be mapped or are " +
    "invalid are rejected with the element and reason.",
  config: PatientConfig,
  secrets: [],
  stage: "mapped",
  prepare: preparePatient,
  run: runPatient,
});
