/**
 * Resolving a config against the input's columns, once before a run: preset + `mapping`
 * overrides → the effective mapping in the input's own column names, and a problem for every
 * mapped column that does not exist (`mapping.gender: unknown column "SEX"`) or value map
 * entry that names no valid code.
 * @module
 */
import { cvxCode } from "./cvx.ts";
import type {
  IdentifierMapping,
  ImmunizationConfig,
  ImmunizationMapping,
  PatientConfig,
  PatientMapping,
} from "./config.ts";
import {
  type PresetDefinition,
  suggestMapping,
  SYNTHEA_IMMUNIZATION,
  SYNTHEA_PATIENT,
} from "./presets.ts";
import {
  GENDERS,
  IDENTIFIER_TYPES,
  IMMUNIZATION_STATUSES,
  MARITAL_STATUSES,
  OMB_ETHNICITIES,
  OMB_RACES,
  ROUTES,
  SITES,
} from "./terminology.ts";
import { normalizeKey } from "./value_map.ts";

/** The effective mapping and what is wrong with it. */
export interface Resolution<M> {
  resolved: M;
  problems: string[];
  /** Address.country the preset implies (Synthea: "US"). */
  country?: string;
}

type Lookup = (name: string) => string | undefined;

function lookup(columns: readonly string[]): Lookup {
  const byKey = new Map<string, string>();
  for (const c of columns) if (!byKey.has(normalizeKey(c))) byKey.set(normalizeKey(c), c);
  return (name) => byKey.get(normalizeKey(name));
}

/**
 * Merge preset and user mapping and resolve every column. A column the user named must exist;
 * a preset column may be missing (the two Synthea headers differ) unless the preset requires it.
 */
function merge<M extends Record<string, unknown>>(
  preset: PresetDefinition<M>,
  user: M,
  find: Lookup,
  problems: string[],
): M {
  const out: Record<string, unknown> = {};
  const keys = new Set([...Object.keys(preset.mapping), ...Object.keys(user)]);
  for (const key of keys) {
    const fromUser = Object.hasOwn(user, key);
    const value = fromUser ? user[key] : preset.mapping[key];
    if (value === null || value === undefined) continue;
    const strict = fromUser || preset.required.includes(key);
    const missing = (path: string, name: string) => {
      if (strict) problems.push(`mapping.${path}: unknown column "${name}"`);
    };
    if (typeof value === "string") {
      const c = find(value);
      if (c === undefined) missing(key, value);
      else out[key] = c;
    } else if (key === "identifier") {
      const list: IdentifierMapping[] = [];
      (value as IdentifierMapping[]).forEach((spec, i) => {
        const c = find(spec.column);
        if (c === undefined) missing(`identifier[${i}].column`, spec.column);
        else list.push({ ...spec, column: c });
        if (spec.type !== undefined && !Object.hasOwn(IDENTIFIER_TYPES, spec.type)) {
          problems.push(
            `mapping.identifier[${i}].type: unknown identifier type "${spec.type}" ` +
              `(one of ${Object.keys(IDENTIFIER_TYPES).join(" | ")})`,
          );
        }
      });
      if (list.length > 0) out[key] = list;
    } else if (Array.isArray(value)) {
      const list: string[] = [];
      (value as string[]).forEach((name, i) => {
        const c = find(name);
        if (c === undefined) missing(`${key}[${i}]`, name);
        else list.push(c);
      });
      if (list.length > 0) out[key] = list;
    }
  }
  return out as M;
}

function checkValueMap(
  name: string,
  map: Record<string, string> | undefined,
  valid: (code: string) => boolean,
  expected: string,
  problems: string[],
): void {
  for (const [from, to] of Object.entries(map ?? {})) {
    if (!valid(to)) problems.push(`valueMaps.${name}.${from}: "${to}" is not one of ${expected}`);
  }
}

const list = (codes: Iterable<string>) => [...codes].join(" | ");

const has = (table: object) => (code: string) => Object.hasOwn(table, code);

function patientPreset(
  config: PatientConfig,
  columns: readonly string[],
): PresetDefinition<PatientMapping> {
  const system = config.identifierSystem;
  if (config.preset !== "synthea") {
    return {
      mapping: suggestMapping("patient", columns, { identifierSystem: system }),
      required: [],
    };
  }
  if (system === undefined) return SYNTHEA_PATIENT;
  // identifierSystem names the system of the medical record number, whatever the preset.
  const identifier = SYNTHEA_PATIENT.mapping.identifier?.map((i) =>
    i.type === "MR" ? { ...i, system } : i
  );
  return { ...SYNTHEA_PATIENT, mapping: { ...SYNTHEA_PATIENT.mapping, identifier } };
}

/** Resolve a `fhir-patient` config against the input's column names. */
export function resolvePatient(
  config: PatientConfig,
  columns: readonly string[],
): Resolution<PatientMapping> {
  const problems: string[] = [];
  const preset = patientPreset(config, columns);
  const resolved = merge(preset, config.mapping, lookup(columns), problems);
  const reported = (element: string) => problems.some((p) => p.startsWith(`mapping.${element}`));
  if (
    resolved.id === undefined && resolved.identifier === undefined && !reported("id") &&
    !reported("identifier")
  ) {
    problems.push(
      "mapping.id: no column for the patient id or an identifier (map id or identifier)",
    );
  }
  if (
    resolved.family === undefined && resolved.given === undefined && !reported("family") &&
    !reported("given")
  ) {
    problems.push("mapping.family: no column for the patient name (map family or given)");
  }
  const vm = config.valueMaps;
  checkValueMap("gender", vm.gender, (c) => GENDERS.has(c), list(GENDERS), problems);
  const marital = Object.keys(MARITAL_STATUSES);
  checkValueMap(
    "maritalStatus",
    vm.maritalStatus,
    has(MARITAL_STATUSES),
    list(marital),
    problems,
  );
  checkValueMap("race", vm.race, has(OMB_RACES), list(Object.keys(OMB_RACES)), problems);
  const eth = Object.keys(OMB_ETHNICITIES);
  checkValueMap("ethnicity", vm.ethnicity, has(OMB_ETHNICITIES), list(eth), problems);
  return { resolved, problems, country: preset.country };
}

/** Resolve a `fhir-immunization` config against the input's column names. */
export function resolveImmunization(
  config: ImmunizationConfig,
  columns: readonly string[],
): Resolution<ImmunizationMapping> {
  const problems: string[] = [];
  const preset: PresetDefinition<ImmunizationMapping> = config.preset === "synthea"
    ? SYNTHEA_IMMUNIZATION
    : { mapping: suggestMapping("immunization", columns), required: [] };
  const resolved = merge(preset, config.mapping, lookup(columns), problems);
  for (const element of ["patient", "vaccineCode", "occurrence"] as const) {
    if (
      resolved[element] === undefined && !problems.some((p) => p.startsWith(`mapping.${element}:`))
    ) {
      problems.push(`mapping.${element}: required, and no input column was found for it`);
    }
  }
  const vm = config.valueMaps;
  const statuses = list(IMMUNIZATION_STATUSES);
  checkValueMap("status", vm.status, (c) => IMMUNIZATION_STATUSES.has(c), statuses, problems);
  checkValueMap("site", vm.site, has(SITES), list(Object.keys(SITES)), problems);
  checkValueMap("route", vm.route, has(ROUTES), list(Object.keys(ROUTES)), problems);
  checkValueMap(
    "vaccineCode",
    vm.vaccineCode,
    (c) => cvxCode(c) !== undefined,
    "the CDC's CVX codes (e.g. 08, 150, 208)",
    problems,
  );
  return { resolved, problems };
}
