/**
 * The code sets the mappers write and the validator checks, with their default value maps
 * (source spellings → code; keys are compared by `normalizeKey`, "" is a blank cell).
 * Race and ethnicity follow US Core 7+ (OMB categories, plus 2131-1 "Other Race", UNK, ASKU).
 * @module
 */
import type { Coding, Immunization, Patient } from "fhir-types/r4";

/** FHIR systems used by the mappers. */
export const SYSTEMS = {
  ssn: "http://hl7.org/fhir/sid/us-ssn",
  identifierType: "http://terminology.hl7.org/CodeSystem/v2-0203",
  maritalStatus: "http://terminology.hl7.org/CodeSystem/v3-MaritalStatus",
  nullFlavor: "http://terminology.hl7.org/CodeSystem/v3-NullFlavor",
  cdcRace: "urn:oid:2.16.840.1.113883.6.238",
  actSite: "http://terminology.hl7.org/CodeSystem/v3-ActSite",
  route: "http://terminology.hl7.org/CodeSystem/v3-RouteOfAdministration",
  usCoreRace: "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race",
  usCoreEthnicity: "http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity",
} as const;

/** Patient.gender codes (AdministrativeGender, required binding). */
export const GENDERS: ReadonlySet<string> = new Set(["male", "female", "other", "unknown"]);

/** Default gender value map. A blank cell means the gender is not known. */
export const GENDER_MAP: Readonly<Record<string, NonNullable<Patient["gender"]>>> = {
  m: "male",
  male: "male",
  man: "male",
  f: "female",
  female: "female",
  woman: "female",
  o: "other",
  other: "other",
  x: "other",
  nonbinary: "other",
  u: "unknown",
  unknown: "unknown",
  unk: "unknown",
  unspecified: "unknown",
  notspecified: "unknown",
  "": "unknown",
};

/** Immunization.status codes (required binding). */
export const IMMUNIZATION_STATUSES: ReadonlySet<string> = new Set([
  "completed",
  "entered-in-error",
  "not-done",
]);

/** Default status value map: "given" and HL7 v2 completion codes land on FHIR codes. */
export const STATUS_MAP: Readonly<Record<string, Immunization["status"]>> = {
  completed: "completed",
  complete: "completed",
  given: "completed",
  administered: "completed",
  done: "completed",
  cp: "completed",
  notdone: "not-done",
  notgiven: "not-done",
  notadministered: "not-done",
  refused: "not-done",
  declined: "not-done",
  missed: "not-done",
  re: "not-done",
  na: "not-done",
  enteredinerror: "entered-in-error",
  error: "entered-in-error",
  void: "entered-in-error",
  voided: "entered-in-error",
  deleted: "entered-in-error",
  "": "completed",
};

/** A code with its system and display. */
export type CodeEntry = Required<Pick<Coding, "system" | "code" | "display">>;

function entries(system: string, displays: Record<string, string>): Record<string, CodeEntry> {
  const out: Record<string, CodeEntry> = {};
  for (const [code, display] of Object.entries(displays)) out[code] = { system, code, display };
  return out;
}

/** Patient.maritalStatus codes (v3 MaritalStatus + UNK), by code. */
export const MARITAL_STATUSES: Readonly<Record<string, CodeEntry>> = {
  ...entries(SYSTEMS.maritalStatus, {
    A: "Annulled",
    D: "Divorced",
    I: "Interlocutory",
    L: "Legally Separated",
    M: "Married",
    P: "Polygamous",
    S: "Never Married",
    T: "Domestic partner",
    U: "unmarried",
    W: "Widowed",
  }),
  UNK: { system: SYSTEMS.nullFlavor, code: "UNK", display: "unknown" },
};

/** Default marital status value map (Synthea writes M, S, D, W). */
export const MARITAL_MAP: Readonly<Record<string, string>> = {
  ...Object.fromEntries(Object.keys(MARITAL_STATUSES).map((c) => [c, c])),
  married: "M",
  single: "S",
  nevermarried: "S",
  divorced: "D",
  widowed: "W",
  widow: "W",
  widower: "W",
  separated: "L",
  legallyseparated: "L",
  annulled: "A",
  domesticpartner: "T",
  partner: "T",
  unmarried: "U",
  polygamous: "P",
  unknown: "UNK",
};

const nullFlavors = {
  UNK: { system: SYSTEMS.nullFlavor, code: "UNK", display: "unknown" },
  ASKU: { system: SYSTEMS.nullFlavor, code: "ASKU", display: "asked but unknown" },
};

/** US Core race ombCategory codes, by code. */
export const OMB_RACES: Readonly<Record<string, CodeEntry>> = {
  ...entries(SYSTEMS.cdcRace, {
    "1002-5": "American Indian or Alaska Native",
    "2028-9": "Asian",
    "2054-5": "Black or African American",
    "2076-8": "Native Hawaiian or Other Pacific Islander",
    "2106-3": "White",
    "2131-1": "Other Race",
  }),
  ...nullFlavors,
};

const unknownish = { unknown: "UNK", unk: "UNK", declined: "ASKU", refused: "ASKU", asku: "ASKU" };

/** Default race value map (Synthea writes white, black, asian, native, hawaiian, other). */
export const RACE_MAP: Readonly<Record<string, string>> = {
  ...Object.fromEntries(Object.keys(OMB_RACES).map((c) => [c, c])),
  white: "2106-3",
  caucasian: "2106-3",
  black: "2054-5",
  africanamerican: "2054-5",
  blackorafricanamerican: "2054-5",
  asian: "2028-9",
  native: "1002-5",
  nativeamerican: "1002-5",
  americanindian: "1002-5",
  alaskanative: "1002-5",
  americanindianoralaskanative: "1002-5",
  hawaiian: "2076-8",
  nativehawaiian: "2076-8",
  pacificislander: "2076-8",
  nativehawaiianorotherpacificislander: "2076-8",
  other: "2131-1",
  otherrace: "2131-1",
  ...unknownish,
};

/** US Core ethnicity ombCategory codes, by code. */
export const OMB_ETHNICITIES: Readonly<Record<string, CodeEntry>> = {
  ...entries(SYSTEMS.cdcRace, {
    "2135-2": "Hispanic or Latino",
    "2186-5": "Not Hispanic or Latino",
  }),
  ...nullFlavors,
};

/** Default ethnicity value map (Synthea writes hispanic, nonhispanic). */
export const ETHNICITY_MAP: Readonly<Record<string, string>> = {
  ...Object.fromEntries(Object.keys(OMB_ETHNICITIES).map((c) => [c, c])),
  hispanic: "2135-2",
  latino: "2135-2",
  hispanicorlatino: "2135-2",
  nonhispanic: "2186-5",
  nothispanic: "2186-5",
  nothispanicorlatino: "2186-5",
  nonhispanicorlatino: "2186-5",
  ...unknownish,
};

/** Identifier.type codes (v2-0203) the mappings may name, with their displays. */
export const IDENTIFIER_TYPES: Readonly<Record<string, CodeEntry>> = entries(
  SYSTEMS.identifierType,
  {
    MR: "Medical Record Number",
    SS: "Social Security Number",
    DL: "Driver's License",
    PPN: "Passport Number",
    MB: "Member Number",
    MA: "Patient Medicaid number",
    MC: "Patient's Medicare number",
    PI: "Patient internal identifier",
    PT: "Patient external identifier",
    NI: "National unique individual identifier",
    AN: "Account number",
  },
);

/** Immunization.site codes (v3 ActSite), by code. */
export const SITES: Readonly<Record<string, CodeEntry>> = entries(SYSTEMS.actSite, {
  LA: "left arm",
  RA: "right arm",
  LD: "left deltoid",
  RD: "right deltoid",
  LUA: "left upper arm",
  RUA: "right upper arm",
  LLFA: "left lower forearm",
  RLFA: "right lower forearm",
  LT: "left thigh",
  RT: "right thigh",
  LVL: "left vastus lateralis",
  RVL: "right vastus lateralis",
  LG: "left gluteus medius",
  RG: "right gluteus medius",
  BU: "buttock",
});

/** Default site value map: the codes and their displays. */
export const SITE_MAP: Readonly<Record<string, string>> = Object.fromEntries(
  Object.values(SITES).flatMap((e) => [[e.code, e.code], [e.display, e.code]]),
);

/** Immunization.route codes (v3 RouteOfAdministration, the R4 immunization-route set). */
export const ROUTES: Readonly<Record<string, CodeEntry>> = entries(SYSTEMS.route, {
  IDINJ: "Injection, intradermal",
  IM: "Injection, intramuscular",
  IVINJ: "Injection, intravenous",
  NASINHLC: "Inhalation, nasal",
  PO: "Swallow, oral",
  SQ: "Injection, subcutaneous",
  TRNSDERM: "Transdermal",
});

/** Default route value map. */
export const ROUTE_MAP: Readonly<Record<string, string>> = {
  ...Object.fromEntries(
    Object.values(ROUTES).flatMap((e) => [[e.code, e.code], [e.display, e.code]]),
  ),
  intramuscular: "IM",
  sc: "SQ",
  subq: "SQ",
  subcut: "SQ",
  subcutaneous: "SQ",
  id: "IDINJ",
  intradermal: "IDINJ",
  iv: "IVINJ",
  intravenous: "IVINJ",
  in: "NASINHLC",
  intranasal: "NASINHLC",
  nasal: "NASINHLC",
  oral: "PO",
  transdermal: "TRNSDERM",
};
