/**
 * The transformations a pipeline can apply. Add one: a new file and one line in `TRANSFORMERS`.
 * @module
 */
import { createRegistry } from "../registry.ts";
import type { Transformer } from "../types.ts";
import { fhirImmunizationTransformer } from "./fhir_immunization.ts";
import { fhirPatientTransformer } from "./fhir_patient.ts";
import { normalizeTransformer } from "./normalize.ts";

/** Every transformation, in the order the dashboard offers them. */
export const TRANSFORMERS: readonly Transformer[] = [
  normalizeTransformer,
  fhirPatientTransformer,
  fhirImmunizationTransformer,
];

/** Transformations by `type`. */
export const transformers = createRegistry("transformer", TRANSFORMERS);
