/**
 * FHIR R4 mapping for PyxGen: declarative column mappings with presets (Synthea, generic),
 * Patient and Immunization mappers, value maps (gender, marital status, OMB race / ethnicity,
 * US states, CVX), deterministic ids and a fast validator. Depends on `etl/` for types only.
 *
 * @example
 * ```ts
 * import { suggestMapping } from "./fhir/mod.ts";
 * suggestMapping("patient", ["MRN", "First Name", "Last Name", "DOB", "Sex"]);
 * ```
 * @module
 */
export {
  IdentifierMapping,
  ImmunizationConfig,
  ImmunizationMapping,
  PatientConfig,
  PatientMapping,
  Preset,
} from "./config.ts";
export { CVX_AS_OF, CVX_CODES, CVX_SYSTEM, cvxCode, type CvxEntry } from "./cvx.ts";
export { hashId, ID_NAMESPACE, isFhirId, patientId } from "./ids.ts";
export {
  createImmunizationMapper,
  type ImmunizationMapperOptions,
  type ImmunizationRow,
} from "./immunization.ts";
export { createPatientMapper, type PatientMapperOptions, type PatientRow } from "./patient.ts";
export {
  DEFAULT_MRN_SYSTEM,
  type PresetDefinition,
  suggestMapping,
  SYNTHEA_IMMUNIZATION,
  SYNTHEA_PATIENT,
} from "./presets.ts";
export { type Resolution, resolveImmunization, resolvePatient } from "./resolve.ts";
export {
  IMMUNIZATION_SCHEMA,
  PATIENT_SCHEMA,
  prepareImmunization,
  preparePatient,
  runImmunization,
  runPatient,
} from "./transform.ts";
export { validateImmunization, validatePatient } from "./validate.ts";
