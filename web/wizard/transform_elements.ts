/**
 * What the mapping editor lists for each FHIR resource: the elements (in plain words, with the
 * FHIR path beside them) grouped as a data manager thinks of them, and the value maps with the
 * codes each may target. The element keys are those of `fhir/config.ts` mappings; the code sets
 * and default maps come from `fhir/terminology.ts`, so the editor offers exactly what the
 * transformers accept.
 * @module
 */
import { ImmunizationConfig, PatientConfig } from "../../fhir/config.ts";
import {
  ETHNICITY_MAP,
  GENDER_MAP,
  IMMUNIZATION_STATUSES,
  MARITAL_MAP,
  MARITAL_STATUSES,
  OMB_ETHNICITIES,
  OMB_RACES,
  RACE_MAP,
  ROUTE_MAP,
  ROUTES,
  SITE_MAP,
  SITES,
  STATUS_MAP,
} from "../../fhir/terminology.ts";

/** The two FHIR transformations the editor serves. */
export type FhirKind = "fhir-patient" | "fhir-immunization";

/** One select of the editor: a mapping key (and position, for names and address lines). */
export interface ElementField {
  key: string;
  /** Position in a list element (`given`, `line`). */
  index?: number;
  label: string;
  /** The FHIR element it fills, as the validator names it. */
  path: string;
  help?: string;
}

/** A titled group of selects. */
export interface ElementGroup {
  title: string;
  fields: ElementField[];
}

/** A value map the editor offers: source values → one of `targets` (code → display). */
export interface ValueMapSpec {
  name: string;
  label: string;
  /** The mapping key whose column the values come from. */
  element: string;
  /** Codes and their displays; undefined when any code may be typed. */
  targets?: Record<string, string>;
  /** Values understood without a map entry (compared case- and style-insensitively). */
  defaults: Readonly<Record<string, string>>;
}

const f = (key: string, label: string, path: string, help?: string, index?: number) => ({
  key,
  label,
  path,
  help,
  index,
});

/** The Patient editor's groups. */
export const PATIENT_GROUPS: ElementGroup[] = [
  {
    title: "Who the patient is",
    fields: [
      f(
        "id",
        "Patient record number",
        "Patient.id",
        "Becomes the resource id (made safe when it has other characters)",
      ),
    ],
  },
  {
    title: "Name",
    fields: [
      f("prefix", "Title (Mr., Ms., Dr.)", "Patient.name.prefix"),
      f("given", "First name", "Patient.name.given", undefined, 0),
      f("given", "Middle name", "Patient.name.given", undefined, 1),
      f("family", "Last name", "Patient.name.family"),
      f("suffix", "Suffix (Jr., PhD)", "Patient.name.suffix"),
      f("maidenName", "Maiden name", "Patient.name (maiden)"),
    ],
  },
  {
    title: "Details",
    fields: [
      f("gender", "Gender", "Patient.gender"),
      f("birthDate", "Date of birth", "Patient.birthDate"),
      f("deceasedDateTime", "Date of death", "Patient.deceasedDateTime"),
      f("deceasedBoolean", "Deceased (yes / no)", "Patient.deceasedBoolean"),
      f("maritalStatus", "Marital status", "Patient.maritalStatus"),
      f("race", "Race", "Patient.extension (US Core race)"),
      f("ethnicity", "Ethnicity", "Patient.extension (US Core ethnicity)"),
    ],
  },
  {
    title: "Address",
    fields: [
      f("line", "Street address", "Patient.address.line", undefined, 0),
      f("line", "Street address, second line", "Patient.address.line", undefined, 1),
      f("city", "City", "Patient.address.city"),
      f("district", "County", "Patient.address.district"),
      f("state", "State", "Patient.address.state"),
      f("postalCode", "ZIP or postal code", "Patient.address.postalCode"),
      f("country", "Country", "Patient.address.country"),
    ],
  },
  {
    title: "Contact",
    fields: [
      f("phone", "Phone", "Patient.telecom (phone)"),
      f("email", "Email", "Patient.telecom (email)"),
    ],
  },
];

/** The Immunization editor's groups. */
export const IMMUNIZATION_GROUPS: ElementGroup[] = [
  {
    title: "The vaccination",
    fields: [
      f(
        "patient",
        "Patient record number",
        "Immunization.patient",
        "The same number the patients file uses, so each vaccination points at its patient",
      ),
      f("vaccineCode", "Vaccine code (CVX)", "Immunization.vaccineCode"),
      f("vaccineText", "Vaccine name", "Immunization.vaccineCode.text"),
      f("occurrence", "Date given", "Immunization.occurrenceDateTime"),
      f("status", "Status", "Immunization.status", "Empty cells count as completed"),
      f("id", "Vaccination record id", "Immunization.id"),
    ],
  },
  {
    title: "Details",
    fields: [
      f("lotNumber", "Lot number", "Immunization.lotNumber"),
      f("expirationDate", "Expiration date", "Immunization.expirationDate"),
      f("site", "Body site", "Immunization.site"),
      f("route", "Route", "Immunization.route"),
      f("primarySource", "Recorded by the giver (yes / no)", "Immunization.primarySource"),
    ],
  },
];

const displays = (table: Readonly<Record<string, { display: string }>>) =>
  Object.fromEntries(Object.entries(table).map(([code, e]) => [code, e.display]));
const same = (codes: Iterable<string>) => Object.fromEntries([...codes].map((c) => [c, c]));

/** The value maps a config schema accepts (so a map added to the engine shows up here). */
function acceptedMaps(config: typeof PatientConfig | typeof ImmunizationConfig): Set<string> {
  const maps = config.shape.valueMaps.unwrap();
  return new Set(Object.keys(maps.shape));
}

const PATIENT_MAPS: ValueMapSpec[] = [
  {
    name: "gender",
    label: "Gender",
    element: "gender",
    targets: same(["male", "female", "other", "unknown"]),
    defaults: GENDER_MAP,
  },
  {
    name: "race",
    label: "Race",
    element: "race",
    targets: displays(OMB_RACES),
    defaults: RACE_MAP,
  },
  {
    name: "ethnicity",
    label: "Ethnicity",
    element: "ethnicity",
    targets: displays(OMB_ETHNICITIES),
    defaults: ETHNICITY_MAP,
  },
  {
    name: "maritalStatus",
    label: "Marital status",
    element: "maritalStatus",
    targets: displays(MARITAL_STATUSES),
    defaults: MARITAL_MAP,
  },
];

const IMMUNIZATION_MAPS: ValueMapSpec[] = [
  // Shown once the engine accepts a vaccine code map (valueMaps.vaccineCode).
  { name: "vaccineCode", label: "Vaccine codes", element: "vaccineCode", defaults: {} },
  {
    name: "status",
    label: "Status",
    element: "status",
    targets: same(IMMUNIZATION_STATUSES),
    defaults: STATUS_MAP as Record<string, string>,
  },
  {
    name: "site",
    label: "Body site",
    element: "site",
    targets: displays(SITES),
    defaults: SITE_MAP,
  },
  {
    name: "route",
    label: "Route",
    element: "route",
    targets: displays(ROUTES),
    defaults: ROUTE_MAP,
  },
];

/** Everything the editor shows for `kind`. */
export interface EditorSpec {
  kind: FhirKind;
  resource: "Patient" | "Immunization";
  /** Form field prefix of this kind's inputs. */
  prefix: string;
  groups: ElementGroup[];
  maps: ValueMapSpec[];
  /** Whether the editor has identifier rows (Patient). */
  identifiers: boolean;
}

/** The editor of each FHIR kind. */
export const EDITORS: Record<FhirKind, EditorSpec> = {
  "fhir-patient": {
    kind: "fhir-patient",
    resource: "Patient",
    prefix: "pat",
    groups: PATIENT_GROUPS,
    maps: PATIENT_MAPS.filter((m) => acceptedMaps(PatientConfig).has(m.name)),
    identifiers: true,
  },
  "fhir-immunization": {
    kind: "fhir-immunization",
    resource: "Immunization",
    prefix: "imm",
    groups: IMMUNIZATION_GROUPS,
    maps: IMMUNIZATION_MAPS.filter((m) => acceptedMaps(ImmunizationConfig).has(m.name)),
    identifiers: false,
  },
};

/** List elements: several columns, in order. */
export const LIST_ELEMENTS = new Set(["given", "line"]);
