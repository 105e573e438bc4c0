/**
 * A fast structural validator for the Patient and Immunization resources we produce: id and
 * reference formats, date / dateTime formats and ranges, and the codes of the required value
 * sets (gender, status, marital status, OMB race / ethnicity, CVX) that general validators
 * miss. It returns the first problem as `<FHIR element path>: <reason> ("value")`.
 * Helpers return the problem relative to their element (`.coding[0].code: …`) and callers
 * prefix the path, so a valid resource builds no strings at all.
 * @module
 */
import type { CodeableConcept, Coding, Extension, Immunization, Patient } from "fhir-types/r4";
import { CVX_CODES, CVX_SYSTEM } from "./cvx.ts";
import { fhirDate, fhirDateTime } from "./dates.ts";
import { isFhirId } from "./ids.ts";
import { freezeObjects } from "./values.ts";
import { shareJson } from "../etl/format/json_bytes.ts";
import {
  type CodeEntry,
  GENDERS,
  IDENTIFIER_TYPES,
  IMMUNIZATION_STATUSES,
  MARITAL_STATUSES,
  OMB_ETHNICITIES,
  OMB_RACES,
  ROUTES,
  SITES,
  SYSTEMS,
} from "./terminology.ts";

const TELECOM_SYSTEMS = new Set(["phone", "fax", "email", "pager", "url", "sms", "other"]);
const ADDRESS_PARTS = ["city", "district", "state", "postalCode", "country"] as const;
const NAME_USES = new Set(["usual", "official", "temp", "nickname", "anonymous", "old", "maiden"]);

const q = (v: unknown) => JSON.stringify(v) ?? String(v);
/** `: reason ("value")`, the end of every problem. */
const bad = (reason: string, value: unknown) => `: ${reason} (${q(value)})`;
/** Non-empty with some non-blank content; trim() only for the rare value starting blank. */
const isText = (v: unknown): v is string =>
  typeof v === "string" && v.length > 0 && (v.charCodeAt(0) > 32 || v.trim() !== "");
const isDate = (v: unknown): v is string => typeof v === "string" && fhirDate(v) === v;
const isDateTime = (v: unknown): v is string => typeof v === "string" && fhirDateTime(v) === v;
/** The date part of a date or dateTime, for range checks. */
const day = (v: string) => (v.length > 10 ? v.slice(0, 10) : v);

// Maps, not objects: keyed object loads with varying keys go megamorphic and cost more.
type CodeSets = ReadonlyMap<string, ReadonlySet<string>>;
const bySystem = (set: Readonly<Record<string, CodeEntry>>): CodeSets => {
  const out = new Map<string, Set<string>>();
  for (const e of Object.values(set)) {
    if (!out.has(e.system)) out.set(e.system, new Set());
    out.get(e.system)!.add(e.code);
  }
  return out;
};
const MARITAL_SETS = bySystem(MARITAL_STATUSES);
const RACE_SETS = bySystem(OMB_RACES);
const ETHNICITY_SETS = bySystem(OMB_ETHNICITIES);
const TYPE_SETS = bySystem(IDENTIFIER_TYPES);
const SITE_SETS = bySystem(SITES);
const ROUTE_SETS = bySystem(ROUTES);

// Shared parts the mappers build once from the code tables (identifier types, marital
// statuses, race extensions…): their objects are frozen and the resources are read-only to
// everything downstream, so checking them once is as good as once per row.
const TRUSTED = new WeakSet<object>();

/**
 * Freeze a part that many resources share and let the validators skip it (and JSON writers
 * copy its bytes, see `shareJson`). Only for parts built from this module's code tables; the
 * tests check the same resources without the shortcut.
 */
export function trustedPart<T extends object>(part: T): T {
  TRUSTED.add(shareJson(freezeObjects(part)));
  return part;
}

/** A coding needs system and code; a code of a system we know must be in its value set. */
function checkCoding(c: Coding, sets: CodeSets): string | undefined {
  if (!isText(c.system)) return ".system" + bad("missing", c.system);
  if (!isText(c.code)) return ".code" + bad("missing", c.code);
  const set = sets.get(c.system);
  if (set !== undefined && !set.has(c.code)) {
    return ".code" + bad(`not in ${c.system}`, c.code);
  }
  return undefined;
}

function checkConcept(cc: CodeableConcept, sets: CodeSets): string | undefined {
  if (TRUSTED.has(cc)) return undefined;
  const codings = cc.coding ?? [];
  if (codings.length === 0 && !isText(cc.text)) return bad("no coding and no text", cc);
  for (let i = 0; i < codings.length; i++) {
    const problem = checkCoding(codings[i], sets);
    if (problem !== undefined) return `.coding[${i}]${problem}`;
  }
  return undefined;
}

/** us-core-race / us-core-ethnicity: OMB codings from the set, exactly one text. */
function checkOmb(ext: Extension, sets: CodeSets): string | undefined {
  if (TRUSTED.has(ext)) return undefined;
  const parts = ext.extension ?? [];
  let text = 0;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (p.url === "text") {
      text++;
      if (!isText(p.valueString)) return `.extension[${i}].valueString` + bad("empty", p);
    } else if (p.url === "ombCategory") {
      if (p.valueCoding === undefined) return `.extension[${i}]` + bad("no valueCoding", p);
      const problem = checkCoding(p.valueCoding, sets);
      if (problem !== undefined) return `.extension[${i}].valueCoding${problem}`;
    }
  }
  return text === 1 ? undefined : bad("needs exactly one text extension", text);
}

function checkStrings(parts: string[] | undefined): string | undefined {
  if (parts === undefined) return undefined;
  for (let j = 0; j < parts.length; j++) {
    if (!isText(parts[j])) return `[${j}]` + bad("empty", parts[j]);
  }
  return undefined;
}

function checkName(n: NonNullable<Patient["name"]>[number]): string | undefined {
  if (n.use !== undefined && !NAME_USES.has(n.use)) return ".use" + bad("not a name use", n.use);
  if (n.family === undefined && (n.given ?? []).length === 0 && !isText(n.text)) {
    return bad("no family or given name", n);
  }
  if (n.family !== undefined && !isText(n.family)) return ".family" + bad("empty", n.family);
  let problem = checkStrings(n.given);
  if (problem !== undefined) return ".given" + problem;
  problem = checkStrings(n.prefix);
  if (problem !== undefined) return ".prefix" + problem;
  problem = checkStrings(n.suffix);
  return problem === undefined ? undefined : ".suffix" + problem;
}

function checkPatient(p: Patient, latest: string | undefined): string | undefined {
  if (p.resourceType !== "Patient") return ".resourceType" + bad("not Patient", p.resourceType);
  if (p.id === undefined || !isFhirId(p.id)) return ".id" + bad("not a valid id", p.id);
  const ids = p.identifier ?? [];
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!isText(id.value)) return `.identifier[${i}].value` + bad("missing", id.value);
    if (id.system !== undefined && (!isText(id.system) || id.system.includes(" "))) {
      return `.identifier[${i}].system` + bad("not a URI", id.system);
    }
    const problem = id.type && checkConcept(id.type, TYPE_SETS);
    if (problem) return `.identifier[${i}].type${problem}`;
  }
  const names = p.name ?? [];
  for (let i = 0; i < names.length; i++) {
    const problem = checkName(names[i]);
    if (problem !== undefined) return `.name[${i}]${problem}`;
  }
  const telecom = p.telecom ?? [];
  for (let i = 0; i < telecom.length; i++) {
    const t = telecom[i];
    if (t.system === undefined || !TELECOM_SYSTEMS.has(t.system)) {
      return `.telecom[${i}].system` + bad("not a contact point system", t.system);
    }
    if (!isText(t.value)) return `.telecom[${i}].value` + bad("missing", t.value);
  }
  if (p.gender !== undefined && !GENDERS.has(p.gender)) {
    return ".gender" + bad("not one of male | female | other | unknown", p.gender);
  }
  const birth = p.birthDate;
  if (birth !== undefined) {
    if (!isDate(birth)) return ".birthDate" + bad("not a FHIR date", birth);
    if (latest !== undefined && birth > latest) return ".birthDate" + bad("in the future", birth);
  }
  const death = p.deceasedDateTime;
  if (death !== undefined) {
    if (!isDateTime(death)) return ".deceasedDateTime" + bad("not a FHIR dateTime", death);
    const d = day(death);
    if (birth !== undefined && d < birth.slice(0, d.length)) {
      return ".deceasedDateTime" + bad(`before birthDate ${birth}`, death);
    }
    if (latest !== undefined && d > latest) {
      return ".deceasedDateTime" + bad("in the future", death);
    }
  }
  if (p.deceasedBoolean !== undefined && typeof p.deceasedBoolean !== "boolean") {
    return ".deceasedBoolean" + bad("not a boolean", p.deceasedBoolean);
  }
  const addresses = p.address ?? [];
  for (let i = 0; i < addresses.length; i++) {
    const a = addresses[i];
    const problem = checkStrings(a.line);
    if (problem !== undefined) return `.address[${i}].line${problem}`;
    for (const key of ADDRESS_PARTS) {
      if (a[key] !== undefined && !isText(a[key])) {
        return `.address[${i}].${key}` + bad("empty", a[key]);
      }
    }
  }
  if (p.maritalStatus !== undefined) {
    const problem = checkConcept(p.maritalStatus, MARITAL_SETS);
    if (problem !== undefined) return ".maritalStatus" + problem;
  }
  const extensions = p.extension ?? [];
  for (let i = 0; i < extensions.length; i++) {
    const ext = extensions[i];
    if (!isText(ext.url)) return `.extension[${i}].url` + bad("missing", ext.url);
    const problem = ext.url === SYSTEMS.usCoreRace
      ? checkOmb(ext, RACE_SETS)
      : ext.url === SYSTEMS.usCoreEthnicity
      ? checkOmb(ext, ETHNICITY_SETS)
      : undefined;
    if (problem !== undefined) return `.extension[${i}]${problem}`;
  }
  return undefined;
}

/**
 * The first problem of a Patient, or `undefined` when it is valid. `latest` (YYYY-MM-DD) is the
 * last acceptable date for birth and death.
 *
 * @example
 * ```ts
 * validatePatient({ resourceType: "Patient", id: "p1", gender: "M" as "male" });
 * // 'Patient.gender: not one of male | female | other | unknown ("M")'
 * ```
 */
export function validatePatient(p: Patient, latest?: string): string | undefined {
  const problem = checkPatient(p, latest);
  return problem === undefined ? undefined : "Patient" + problem;
}

// Immunizations come grouped by patient, sharing one reference string: check it once.
let lastGoodReference: string | undefined;

function checkImmunization(im: Immunization, latest: string | undefined): string | undefined {
  if (im.resourceType !== "Immunization") {
    return ".resourceType" + bad("not Immunization", im.resourceType);
  }
  if (im.id === undefined || !isFhirId(im.id)) return ".id" + bad("not a valid id", im.id);
  if (!IMMUNIZATION_STATUSES.has(im.status)) {
    return ".status" + bad("not one of completed | entered-in-error | not-done", im.status);
  }
  const codings = im.vaccineCode?.coding ?? [];
  if (codings.length === 0) return ".vaccineCode.coding" + bad("missing", im.vaccineCode);
  for (let i = 0; i < codings.length; i++) {
    const c = codings[i];
    if (!isText(c.code)) return `.vaccineCode.coding[${i}].code` + bad("missing", c.code);
    if (c.system === CVX_SYSTEM && !CVX_CODES.has(c.code)) {
      return `.vaccineCode.coding[${i}].code` + bad("unknown CVX code", c.code);
    }
  }
  const ref = im.patient?.reference;
  if (ref !== lastGoodReference) {
    if (typeof ref !== "string" || !ref.startsWith("Patient/") || !isFhirId(ref.slice(8))) {
      return ".patient.reference" + bad("not a Patient/<id> reference", ref);
    }
    lastGoodReference = ref;
  }
  const when = im.occurrenceDateTime;
  if (when === undefined && !isText(im.occurrenceString)) {
    return ".occurrence[x]" + bad("missing", when);
  }
  if (when !== undefined) {
    if (!isDateTime(when)) return ".occurrenceDateTime" + bad("not a FHIR dateTime", when);
    if (latest !== undefined && day(when) > latest) {
      return ".occurrenceDateTime" + bad("in the future", when);
    }
  }
  if (im.primarySource !== undefined && typeof im.primarySource !== "boolean") {
    return ".primarySource" + bad("not a boolean", im.primarySource);
  }
  if (im.lotNumber !== undefined && !isText(im.lotNumber)) {
    return ".lotNumber" + bad("empty", im.lotNumber);
  }
  if (im.expirationDate !== undefined && !isDate(im.expirationDate)) {
    return ".expirationDate" + bad("not a FHIR date", im.expirationDate);
  }
  const site = im.site && checkConcept(im.site, SITE_SETS);
  if (site) return ".site" + site;
  const route = im.route && checkConcept(im.route, ROUTE_SETS);
  if (route) return ".route" + route;
  return undefined;
}

/**
 * The first problem of an Immunization, or `undefined` when it is valid. `latest`
 * (YYYY-MM-DD) is the last acceptable occurrence date.
 *
 * @example
 * ```ts
 * validateImmunization(im); // 'Immunization.vaccineCode.coding[0].code: unknown CVX code ("999")'
 * ```
 */
export function validateImmunization(im: Immunization, latest?: string): string | undefined {
  const problem = checkImmunization(im, latest);
  return problem === undefined ? undefined : "Immunization" + problem;
}
