/**
 * Reading what the report needs from rows and FHIR resources. Rows of the FHIR transforms
 * carry the resource in their `resource` column; rows read straight from FHIR JSON (a Bundle's
 * entries, NDJSON) are the resource themselves. Everything else is a plain row.
 * @module
 */
import type { Row } from "../etl/types.ts";
import { SYSTEMS } from "../fhir/terminology.ts";

/** A FHIR resource, loosely typed: input may come from any FHIR source. */
export type Resource = Record<string, unknown> & { resourceType: string };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** The FHIR resource a row carries, or undefined for a plain row. */
export function resourceOf(row: Row): Resource | undefined {
  const r = row.resource;
  if (isObject(r) && typeof r.resourceType === "string") return r as Resource;
  if (typeof row.resourceType === "string") return row as Resource;
  return undefined;
}

const list = (v: unknown): unknown[] => Array.isArray(v) ? v : [];
const text = (v: unknown): string | undefined =>
  typeof v === "string" && v.trim() !== "" ? v : undefined;

/**
 * The patient id a reference points to: `Patient/<id>`, a URL ending in `Patient/<id>`
 * (with or without `_history`), or `urn:uuid:<id>` as in Synthea's bundles.
 *
 * @example
 * ```ts
 * referencedPatient("Patient/p1"); // "p1"
 * referencedPatient("urn:uuid:64a92987-ac95-c759-a7fc-6681dd9f1a9d"); // "64a9…"
 * referencedPatient("Group/g1"); // undefined
 * ```
 */
export function referencedPatient(reference: unknown): string | undefined {
  const ref = text(reference);
  if (ref === undefined) return undefined;
  if (ref.startsWith("urn:uuid:")) return ref.slice(9) || undefined;
  const m = /(?:^|\/)Patient\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]*)?$/.exec(ref);
  return m?.[1];
}

/**
 * One category per patient from a US Core race or ethnicity extension: the OMB code when there
 * is one, `(multiple)` for several, `(unmapped)` for text only, `(none)` without the extension.
 */
export function ombCategory(patient: Resource, url: string): string {
  for (const ext of list(patient.extension)) {
    if (!isObject(ext) || ext.url !== url) continue;
    const codes = new Set<string>();
    for (const sub of list(ext.extension)) {
      if (!isObject(sub) || sub.url !== "ombCategory" || !isObject(sub.valueCoding)) continue;
      const code = text(sub.valueCoding.code);
      if (code !== undefined) codes.add(code);
    }
    if (codes.size === 1) return [...codes][0];
    return codes.size > 1 ? "(multiple)" : "(unmapped)";
  }
  return "(none)";
}

/** The OMB category of a patient's race. */
export const raceOf = (p: Resource) => ombCategory(p, SYSTEMS.usCoreRace);
/** The OMB category of a patient's ethnicity. */
export const ethnicityOf = (p: Resource) => ombCategory(p, SYSTEMS.usCoreEthnicity);

/** The state of the patient's first address that has one. */
export function stateOf(p: Resource): string | undefined {
  for (const a of list(p.address)) if (isObject(a) && text(a.state)) return (a.state as string);
  return undefined;
}

/** Whether the patient is known to have died. */
export function isDeceased(p: Resource): boolean {
  return p.deceasedBoolean === true || text(p.deceasedDateTime) !== undefined;
}

/** `system|value` of each identifier that has a value. */
export function identifierKeys(p: Resource): string[] {
  const out: string[] = [];
  for (const i of list(p.identifier)) {
    if (isObject(i) && text(i.value)) out.push(`${text(i.system) ?? ""}|${i.value}`);
  }
  return out;
}

const ADDRESS_PARTS = ["text", "city", "district", "state", "postalCode", "country"];

/** Which key fields a patient has, in COMPLETENESS_FIELDS order (`identifiers`: their count). */
export function presentFields(p: Resource, identifiers: number): boolean[] {
  const names = list(p.name).some((n) =>
    isObject(n) && (text(n.family) !== undefined || text(n.text) !== undefined ||
      list(n.given).some((g) => text(g) !== undefined))
  );
  const address = list(p.address).some((a) =>
    isObject(a) &&
    (ADDRESS_PARTS.some((k) => text(a[k]) !== undefined) || list(a.line).some((l) => text(l)))
  );
  const telecom = list(p.telecom).some((t) => isObject(t) && text(t.value) !== undefined);
  return [
    identifiers > 0,
    names,
    text(p.birthDate) !== undefined,
    text(p.gender) !== undefined,
    address,
    telecom,
  ];
}

/** The CVX code of an Immunization's vaccineCode, or undefined when it has none. */
export function cvxCodeOf(im: Resource, system: string): string | undefined {
  const concept = im.vaccineCode;
  if (!isObject(concept)) return undefined;
  for (const c of list(concept.coding)) {
    if (isObject(c) && c.system === system && text(c.code)) return (c.code as string).trim();
  }
  return undefined;
}

/** The patient reference of an Immunization (`patient.reference`). */
export function patientReference(im: Resource): unknown {
  return isObject(im.patient) ? im.patient.reference : undefined;
}
