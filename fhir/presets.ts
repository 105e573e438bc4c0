/**
 * Mapping presets. `synthea` names Synthea's CSV columns (the older 25-column and the current
 * 28-column patients.csv both work: columns a file lacks are skipped, except `required`).
 * `generic` is suggested per input from common column names by {@link suggestMapping}, which
 * the dashboard also calls to pre-fill its mapping form.
 * @module
 */
import type { ImmunizationMapping, PatientMapping } from "./config.ts";
import { SYSTEMS } from "./terminology.ts";
import { normalizeKey } from "./value_map.ts";

/** A preset: its mapping, the elements it cannot do without, and defaults of options. */
export interface PresetDefinition<M> {
  mapping: M;
  required: readonly (keyof M)[];
  country?: string;
}

/** System of medical record numbers when the config names none. */
export const DEFAULT_MRN_SYSTEM = "urn:pyxgen:mrn";

/** Synthea's patients.csv, as Synthea itself maps it to FHIR. */
export const SYNTHEA_PATIENT: PresetDefinition<PatientMapping> = {
  mapping: {
    id: "Id",
    identifier: [
      { column: "Id", system: "https://github.com/synthetichealth/synthea" },
      { column: "Id", system: "http://hospital.smarthealthit.org", type: "MR" },
      { column: "SSN", system: SYSTEMS.ssn, type: "SS" },
      // Synthea writes the OID of the person's state; this sample's people live in MA (25).
      { column: "DRIVERS", system: "urn:oid:2.16.840.1.113883.4.3.25", type: "DL" },
      {
        column: "PASSPORT",
        system: "http://standardhealthrecord.org/fhir/StructureDefinition/passportNumber",
        type: "PPN",
      },
    ],
    prefix: "PREFIX",
    given: ["FIRST", "MIDDLE"],
    family: "LAST",
    suffix: "SUFFIX",
    maidenName: "MAIDEN",
    gender: "GENDER",
    birthDate: "BIRTHDATE",
    deceasedDateTime: "DEATHDATE",
    line: "ADDRESS",
    city: "CITY",
    state: "STATE",
    postalCode: "ZIP",
    maritalStatus: "MARITAL",
    race: "RACE",
    ethnicity: "ETHNICITY",
  },
  required: ["id"],
  country: "US",
};

/** Synthea's immunizations.csv. */
export const SYNTHEA_IMMUNIZATION: PresetDefinition<ImmunizationMapping> = {
  mapping: { patient: "PATIENT", vaccineCode: "CODE", occurrence: "DATE" },
  required: ["patient", "vaccineCode", "occurrence"],
};

// Candidate column names per element, best first, as normalizeKey() spells them.
const PATIENT_NAMES: Record<string, string[]> = {
  id: ["mrn", "patientid", "medicalrecordnumber", "patientnumber", "chartnumber", "id"],
  ssn: ["ssn", "socialsecuritynumber"],
  prefix: ["prefix", "nameprefix", "title"],
  given: ["firstname", "given", "givenname", "first", "fname", "forename"],
  middle: ["middlename", "middle", "middleinitial"],
  family: ["lastname", "surname", "family", "familyname", "last", "lname"],
  suffix: ["suffix", "namesuffix"],
  maidenName: ["maidenname", "maiden"],
  gender: ["sex", "gender", "administrativegender"],
  birthDate: ["dob", "birthdate", "dateofbirth", "birthday"],
  deceasedDateTime: ["deathdate", "dateofdeath", "deceaseddate", "dod"],
  deceasedBoolean: ["deceased", "isdeceased"],
  phone: ["phone", "telephone", "phonenumber", "homephone", "tel", "mobile", "cellphone"],
  email: ["email", "emailaddress"],
  line: ["address", "street", "addressline1", "address1", "streetaddress", "line1"],
  line2: ["addressline2", "address2", "line2"],
  city: ["city", "town"],
  district: ["county", "district"],
  state: ["state", "province", "stateprovince"],
  postalCode: ["zip", "zipcode", "postalcode", "postcode"],
  country: ["country", "countrycode"],
  maritalStatus: ["maritalstatus", "marital"],
  race: ["race"],
  ethnicity: ["ethnicity"],
};

const IMMUNIZATION_NAMES: Record<keyof ImmunizationMapping, string[]> = {
  id: ["immunizationid", "vaccinationid"],
  patient: ["mrn", "patientid", "medicalrecordnumber", "patientnumber", "patient", "personid"],
  vaccineCode: ["vaccinecode", "cvx", "cvxcode", "code"],
  vaccineText: ["vaccinename", "vaccine", "vaccinedescription", "description"],
  occurrence: [
    "administeredon",
    "administeredat",
    "administrationdate",
    "administereddate",
    "vaccinationdate",
    "dategiven",
    "immunizationdate",
    "occurrence",
    "date",
  ],
  status: ["status"],
  primarySource: ["primarysource"],
  lotNumber: ["lot", "lotnumber", "lotno"],
  expirationDate: ["expirationdate", "expiration", "expirydate"],
  site: ["site", "bodysite", "injectionsite"],
  route: ["route", "routeofadministration"],
};

function finder(columns: readonly string[]): (names: string[]) => string | undefined {
  const byKey = new Map<string, string>();
  for (const c of columns) if (!byKey.has(normalizeKey(c))) byKey.set(normalizeKey(c), c);
  return (names) => {
    for (const n of names) if (byKey.has(n)) return byKey.get(n);
    return undefined;
  };
}

/**
 * A mapping suggested from the input's column names: each element gets the first column whose
 * name is a known synonym (compared case- and style-insensitively); elements with no match are
 * left out. The patient key column (MRN-like) gives both the id and an MR identifier.
 *
 * @example
 * ```ts
 * suggestMapping("patient", ["MRN", "First Name", "last_name", "DOB", "Sex"]);
 * // { id: "MRN", identifier: [{ column: "MRN", system: "urn:pyxgen:mrn", type: "MR" }],
 * //   given: ["First Name"], family: "last_name", gender: "Sex", birthDate: "DOB" }
 * ```
 */
export function suggestMapping(
  kind: "patient",
  columns: readonly string[],
  options?: { identifierSystem?: string },
): PatientMapping;
export function suggestMapping(
  kind: "immunization",
  columns: readonly string[],
): ImmunizationMapping;
export function suggestMapping(
  kind: "patient" | "immunization",
  columns: readonly string[],
  options: { identifierSystem?: string } = {},
): PatientMapping | ImmunizationMapping {
  const find = finder(columns);
  if (kind === "immunization") {
    const out: Record<string, string> = {};
    for (const [element, names] of Object.entries(IMMUNIZATION_NAMES)) {
      const c = find(names);
      if (c !== undefined) out[element] = c;
    }
    return out as ImmunizationMapping;
  }
  const out: PatientMapping = {};
  const identifier: NonNullable<PatientMapping["identifier"]> = [];
  const id = find(PATIENT_NAMES.id);
  if (id !== undefined) {
    out.id = id;
    identifier.push({
      column: id,
      system: options.identifierSystem ?? DEFAULT_MRN_SYSTEM,
      type: "MR",
    });
  }
  const ssn = find(PATIENT_NAMES.ssn);
  if (ssn !== undefined) identifier.push({ column: ssn, system: SYSTEMS.ssn, type: "SS" });
  if (identifier.length > 0) out.identifier = identifier;
  const given = [find(PATIENT_NAMES.given), find(PATIENT_NAMES.middle)].filter((c) =>
    c !== undefined
  );
  if (given.length > 0) out.given = given;
  const line = [find(PATIENT_NAMES.line), find(PATIENT_NAMES.line2)].filter((c) => c !== undefined);
  if (line.length > 0) out.line = line;
  const simple = [
    "prefix",
    "family",
    "suffix",
    "maidenName",
    "gender",
    "birthDate",
    "deceasedDateTime",
    "deceasedBoolean",
    "phone",
    "email",
    "city",
    "district",
    "state",
    "postalCode",
    "country",
    "maritalStatus",
    "race",
    "ethnicity",
  ] as const;
  for (const element of simple) {
    const c = find(PATIENT_NAMES[element]);
    if (c !== undefined) out[element] = c;
  }
  return out;
}
