/**
 * Source row → FHIR R4 Patient with US Core race / ethnicity extensions. The mapping is
 * compiled once into closures over column names; shared parts (codings, extensions) are built
 * once and frozen, so a row costs only its own values.
 * @module
 */
import type {
  Address,
  ContactPoint,
  Extension,
  HumanName,
  Identifier,
  Patient,
} from "fhir-types/r4";
import type { Row } from "../etl/types.ts";
import type { PatientConfig, PatientMapping } from "./config.ts";
import { fhirDate, fhirDateTime } from "./dates.ts";
import { hashId, isFhirId } from "./ids.ts";
import {
  ETHNICITY_MAP,
  GENDER_MAP,
  IDENTIFIER_TYPES,
  MARITAL_MAP,
  MARITAL_STATUSES,
  OMB_ETHNICITIES,
  OMB_RACES,
  RACE_MAP,
  SYSTEMS,
} from "./terminology.ts";
import { US_STATES } from "./us_states.ts";
import { createValueMap } from "./value_map.ts";
import { conceptsByCode, ombExtensions, pair } from "./parts.ts";
import { trustedPart } from "./validate.ts";
import { writeJsonWith } from "../etl/format/json_bytes.ts";
import { writePatientJson } from "./patient_json.ts";
import { cellBoolean, cellText, NO_COLUMN, postalCode } from "./values.ts";

/** A mapped Patient row: key fields for tables, and the resource. */
export interface PatientRow extends Row {
  id: string;
  resource_type: "Patient";
  identifier: string | null;
  family: string | null;
  given: string | null;
  gender: string | null;
  birth_date: string | null;
  deceased: boolean | null;
  state: string | null;
  postal_code: string | null;
  resource: Patient;
}

/** Options of {@link createPatientMapper}, taken from the transformer's config. */
export type PatientMapperOptions = Partial<
  Pick<PatientConfig, "valueMaps" | "country" | "dayFirst">
>;

const list = (v: string | string[] | null | undefined): string[] =>
  v == null ? [] : Array.isArray(v) ? v : [v];

/**
 * Compile a resolved mapping into a row mapper. The mapper returns the Patient row, or a
 * string saying why the row cannot be mapped (`Patient.gender: cannot map value to …`).
 *
 * @example
 * ```ts
 * const map = createPatientMapper({ id: "mrn", family: "last", gender: "sex" });
 * map({ mrn: "A1", last: "Doe", sex: "F" }); // { id: "A1", gender: "female", resource: {...}, ... }
 * map({ mrn: "A2", last: "Roe", sex: "?" }); // 'Patient.gender: cannot map value to ... ("?")'
 * ```
 */
export function createPatientMapper(
  m: PatientMapping,
  options: PatientMapperOptions = {},
): (row: Row) => PatientRow | string {
  const vm = options.valueMaps ?? {};
  const dayFirst = options.dayFirst ?? false;
  const genderMap = createValueMap(GENDER_MAP, vm.gender);
  const maritalMap = createValueMap(MARITAL_MAP, vm.maritalStatus);
  const raceMap = createValueMap(RACE_MAP, vm.race);
  const ethnicityMap = createValueMap(ETHNICITY_MAP, vm.ethnicity);
  const stateMap = createValueMap(US_STATES, vm.state);
  const maritalConcepts = conceptsByCode(MARITAL_STATUSES);
  const raceExtensions = ombExtensions(SYSTEMS.usCoreRace, OMB_RACES);
  const ethnicityExtensions = ombExtensions(SYSTEMS.usCoreEthnicity, OMB_ETHNICITIES);
  const idSpecs = (m.identifier ?? []).map((spec) => {
    const type = spec.type === undefined ? undefined : IDENTIFIER_TYPES[spec.type];
    if (spec.type !== undefined && !Object.hasOwn(IDENTIFIER_TYPES, spec.type)) {
      throw new Error(`Unknown identifier type "${spec.type}"`);
    }
    return {
      column: spec.column,
      system: spec.system,
      type: type && trustedPart({ coding: [{ ...type }], text: type.display }),
      key: spec.type === "MR",
    };
  });
  const keyIdentifier = Math.max(0, idSpecs.findIndex((s) => s.key));
  const givenCols = list(m.given), lineCols = list(m.line);
  // Each element reads its column at its own site with a fixed key, so V8's property caches
  // stay monomorphic; an unmapped element reads a symbol no row has.
  const col = (c: string | null | undefined): PropertyKey => c ?? NO_COLUMN;
  const idCol = col(m.id), prefixCol = col(m.prefix), familyCol = col(m.family);
  const suffixCol = col(m.suffix), maidenCol = col(m.maidenName), genderCol = col(m.gender);
  const birthCol = col(m.birthDate), deathCol = col(m.deceasedDateTime);
  const deadCol = col(m.deceasedBoolean), phoneCol = col(m.phone), emailCol = col(m.email);
  const cityCol = col(m.city), districtCol = col(m.district), stateCol = col(m.state);
  const zipCol = col(m.postalCode), countryCol = col(m.country), maritalCol = col(m.maritalStatus);
  const raceCol = col(m.race), ethnicityCol = col(m.ethnicity);
  const hasGender = m.gender != null;
  const defaultCountry = options.country;
  const tracksDeath = m.deceasedDateTime != null || m.deceasedBoolean != null;

  // Arrays are filled here and copied at their exact size (see pair()).
  const ids: Identifier[] = [], texts: string[] = [];

  return (input) => {
    const row = input as Record<PropertyKey, unknown>;
    let n = 0;
    let keyValue: string | null = null;
    for (let i = 0; i < idSpecs.length; i++) {
      const spec = idSpecs[i];
      const value = cellText(row[spec.column]);
      if (value === undefined) continue;
      ids[n++] = spec.type === undefined
        ? { system: spec.system, value }
        : { type: spec.type, system: spec.system, value };
      if (i === keyIdentifier || keyValue === null) keyValue = value;
    }
    const identifier = n === 0 ? undefined : ids.slice(0, n);
    const rawId = cellText(row[idCol]);
    let id: string;
    if (rawId !== undefined) id = isFhirId(rawId) ? rawId : hashId("Patient", [rawId]);
    else if (identifier !== undefined) {
      id = hashId("Patient", identifier.map((i) => `${i.system}|${i.value}`));
    } else return `Patient.identifier: missing (no id or identifier value in this row)`;

    const family = cellText(row[familyCol]);
    n = 0;
    for (const c of givenCols) {
      const g = cellText(row[c]);
      if (g !== undefined) texts[n++] = g;
    }
    const given = n === 0 ? undefined : n === 1 ? [texts[0]] : texts.slice(0, n);
    if (family === undefined && given === undefined) {
      return `Patient.name: missing (no family or given name in this row)`;
    }
    const official: HumanName = { use: "official" };
    if (family !== undefined) official.family = family;
    if (given !== undefined) official.given = given;
    const prefix = cellText(row[prefixCol]), suffix = cellText(row[suffixCol]);
    if (prefix !== undefined) official.prefix = [prefix];
    if (suffix !== undefined) official.suffix = [suffix];
    const maiden = cellText(row[maidenCol]);
    // Synthea's own FHIR keeps given names and prefix on the maiden name; so do we.
    const name: HumanName[] = maiden === undefined
      ? [official]
      : [official, { ...official, use: "maiden", family: maiden }];

    const resource: Patient = { resourceType: "Patient", id };
    let gender: Patient["gender"];
    if (hasGender) {
      const raw = cellText(row[genderCol]) ?? "";
      gender = genderMap.get(raw) as Patient["gender"];
      if (gender === undefined) {
        return `Patient.gender: cannot map value to male | female | other | unknown ("${raw}")`;
      }
    }
    let birthDate: string | undefined;
    const rawBirth = cellText(row[birthCol]);
    if (rawBirth !== undefined) {
      birthDate = fhirDate(rawBirth, dayFirst);
      if (birthDate === undefined) return `Patient.birthDate: not a valid date ("${rawBirth}")`;
    }
    let deceasedDateTime: string | undefined, deceasedBoolean: boolean | undefined;
    const rawDeath = cellText(row[deathCol]);
    if (rawDeath !== undefined) {
      deceasedDateTime = fhirDateTime(rawDeath, dayFirst);
      if (deceasedDateTime === undefined) {
        return `Patient.deceasedDateTime: not a valid date or date-time ("${rawDeath}")`;
      }
    } else if (deadCol !== NO_COLUMN) {
      const raw = row[deadCol];
      deceasedBoolean = cellBoolean(raw);
      const rawText = cellText(raw);
      if (deceasedBoolean === undefined && rawText !== undefined) {
        // A "deceased" column sometimes holds the date of death instead of a flag.
        deceasedDateTime = fhirDateTime(rawText, dayFirst);
        if (deceasedDateTime === undefined) {
          return `Patient.deceasedBoolean: not a boolean or date ("${rawText}")`;
        }
      }
    }

    let race: Extension | undefined, ethnicity: Extension | undefined;
    const rawRace = cellText(row[raceCol]);
    if (rawRace !== undefined) {
      const code = raceMap.get(rawRace);
      race = code !== undefined ? raceExtensions.get(code)! : {
        url: SYSTEMS.usCoreRace,
        extension: [{ url: "text", valueString: rawRace }],
      };
    }
    const rawEthnicity = cellText(row[ethnicityCol]);
    if (rawEthnicity !== undefined) {
      const code = ethnicityMap.get(rawEthnicity);
      ethnicity = code !== undefined ? ethnicityExtensions.get(code)! : {
        url: SYSTEMS.usCoreEthnicity,
        extension: [{ url: "text", valueString: rawEthnicity }],
      };
    }
    const extension = pair(race, ethnicity);
    if (extension !== undefined) resource.extension = extension;
    if (identifier !== undefined) resource.identifier = identifier;
    resource.name = name;

    const phone = cellText(row[phoneCol]), email = cellText(row[emailCol]);
    if (phone !== undefined || email !== undefined) {
      resource.telecom = pair<ContactPoint>(
        phone === undefined ? undefined : { system: "phone", value: phone, use: "home" },
        email === undefined ? undefined : { system: "email", value: email },
      );
    }
    if (gender !== undefined) resource.gender = gender;
    if (birthDate !== undefined) resource.birthDate = birthDate;
    if (deceasedDateTime !== undefined) resource.deceasedDateTime = deceasedDateTime;
    else if (deceasedBoolean !== undefined) resource.deceasedBoolean = deceasedBoolean;

    n = 0;
    for (const c of lineCols) {
      const l = cellText(row[c]);
      if (l !== undefined) texts[n++] = l;
    }
    const line = n === 0 ? undefined : n === 1 ? [texts[0]] : texts.slice(0, n);
    const city = cellText(row[cityCol]), district = cellText(row[districtCol]);
    const rawState = cellText(row[stateCol]);
    const state = rawState === undefined ? undefined : (stateMap.get(rawState) ?? rawState);
    const zip = postalCode(row[zipCol]);
    if (
      line !== undefined || city !== undefined || district !== undefined || state !== undefined ||
      zip !== undefined
    ) {
      const address: Address = {};
      if (line !== undefined) address.line = line;
      if (city !== undefined) address.city = city;
      if (district !== undefined) address.district = district;
      if (state !== undefined) address.state = state;
      if (zip !== undefined) address.postalCode = zip;
      const country = cellText(row[countryCol]) ?? defaultCountry;
      if (country !== undefined) address.country = country;
      resource.address = [address];
    }
    const rawMarital = cellText(row[maritalCol]);
    if (rawMarital !== undefined) {
      const code = maritalMap.get(rawMarital);
      resource.maritalStatus = code !== undefined
        ? maritalConcepts.get(code)!
        : { text: rawMarital };
    }

    writeJsonWith(resource, writePatientJson);
    return {
      id,
      resource_type: "Patient",
      identifier: keyValue,
      family: family ?? null,
      given: given === undefined ? null : given.length === 1 ? given[0] : given.join(" "),
      gender: gender ?? null,
      birth_date: birthDate ?? null,
      deceased: tracksDeath ? (deceasedDateTime !== undefined || deceasedBoolean === true) : null,
      state: state ?? null,
      postal_code: zip ?? null,
      resource,
    };
  };
}
