/**
 * The declarative mapping: plain JSON naming, for each FHIR element, the source column it comes
 * from, and the zod schemas of the two transformers' configs. `mapping` overrides the preset
 * element by element; `null` switches an element off.
 * @module
 */
import { z } from "zod";

const column = z.string().min(1).nullable();
const columns = z.union([z.string().min(1), z.array(z.string().min(1))]).nullable();
const valueMap = z.record(z.string(), z.string());

/** One identifier: the column holding its value, its system and optional v2-0203 type code. */
export const IdentifierMapping = z.object({
  column: z.string().min(1),
  system: z.string().min(1),
  type: z.string().min(1).optional(),
}).strict();
/** One identifier mapping. */
export type IdentifierMapping = z.output<typeof IdentifierMapping>;

/** Patient element → source column. `given` and `line` may list several columns, in order. */
export const PatientMapping = z.object({
  id: column,
  identifier: z.array(IdentifierMapping).nullable(),
  prefix: column,
  given: columns,
  family: column,
  suffix: column,
  maidenName: column,
  gender: column,
  birthDate: column,
  deceasedDateTime: column,
  deceasedBoolean: column,
  phone: column,
  email: column,
  line: columns,
  city: column,
  district: column,
  state: column,
  postalCode: column,
  country: column,
  maritalStatus: column,
  race: column,
  ethnicity: column,
}).partial().strict();
/** A Patient mapping. */
export type PatientMapping = z.output<typeof PatientMapping>;

/** Immunization element → source column. */
export const ImmunizationMapping = z.object({
  id: column,
  patient: column,
  vaccineCode: column,
  vaccineText: column,
  occurrence: column,
  status: column,
  primarySource: column,
  lotNumber: column,
  expirationDate: column,
  site: column,
  route: column,
}).partial().strict();
/** An Immunization mapping. */
export type ImmunizationMapping = z.output<typeof ImmunizationMapping>;

/** Mapping presets. */
export const Preset = z.enum(["synthea", "generic"]);
/** A preset name. */
export type Preset = z.output<typeof Preset>;

/** Config of the `fhir-patient` transformer. */
export const PatientConfig = z.object({
  preset: Preset.default("generic"),
  mapping: PatientMapping.default({}),
  valueMaps: z.object({
    gender: valueMap,
    maritalStatus: valueMap,
    race: valueMap,
    ethnicity: valueMap,
    state: valueMap,
  }).partial().strict().default({}),
  /** System of the medical record number identifier the presets make. */
  identifierSystem: z.string().min(1).optional(),
  /** Address.country when no country column is mapped (the Synthea preset says "US"). */
  country: z.string().min(1).optional(),
  /** Read slashed dates as day/month/year instead of month/day/year. */
  dayFirst: z.boolean().default(false),
  /** The effective mapping against the input's real column names; filled by prepare(). */
  resolved: PatientMapping.optional(),
});
/** A parsed `fhir-patient` config. */
export type PatientConfig = z.output<typeof PatientConfig>;

/** Config of the `fhir-immunization` transformer. */
export const ImmunizationConfig = z.object({
  preset: Preset.default("generic"),
  mapping: ImmunizationMapping.default({}),
  valueMaps: z.object({
    status: valueMap,
    site: valueMap,
    route: valueMap,
    /** Local vaccine codes or names → CVX codes (e.g. "FLU-QUAD" → "150"). */
    vaccineCode: valueMap,
  }).partial().strict().default({}),
  /** Immunization.primarySource when no column says otherwise. */
  primarySource: z.boolean().default(true),
  dayFirst: z.boolean().default(false),
  resolved: ImmunizationMapping.optional(),
});
/** A parsed `fhir-immunization` config. */
export type ImmunizationConfig = z.output<typeof ImmunizationConfig>;
