/**
 * `fhir-immunization`: rows → FHIR R4 Immunization resources (CVX codes, patient references
 * matching `fhir-patient` ids). The logic lives in `fhir/`; this is the registry entry.
 * @module
 */
import { ImmunizationConfig } from "../../fhir/config.ts";
import { prepareImmunization, runImmunization } from "../../fhir/transform.ts";
import { defineTransformer } from "../define.ts";

/**
 * Maps each row to an Immunization (status, CVX vaccineCode with CDC display, patient
 * reference, occurrence, primary source, lot, site, route), validates it and keeps valid rows.
 *
 * @example
 * ```ts
 * const { config } = fhirImmunizationTransformer.prepare(
 *   ImmunizationConfig.parse({ preset: "synthea" }), schema, sampleRows);
 * const out = fhirImmunizationTransformer.run(ctx, config, batch);
 * ```
 */
export const fhirImmunizationTransformer = defineTransformer({
  type: "fhir-immunization",
  title: "FHIR Immunization",
  description:
    "Map rows to FHIR R4 Immunization resources with CVX vaccine codes and Patient/<id> " +
    "references that match the fhir-patient ids; rows that cannot be mapped or are invalid " +
    "are rejected with the element and reason.",
  config: ImmunizationConfig,
  secrets: [],
  stage: "mapped",
  prepare: prepareImmunization,
  run: runImmunization,
});
