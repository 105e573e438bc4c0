/**
 * The JSON of a Patient made by {@link createPatientMapper}, written from what the mapper knows
 * (its keys, their order, which values are strings) instead of looking each up: about a third
 * of the time the general writer takes, and writing JSON is most of a Patient's cost. It must
 * stay in step with the mapper: `patient_json_test.ts` compares it with `JSON.stringify` on
 * rows that use every element.
 * @module
 */
import type { Address, HumanName, Identifier, Patient } from "fhir-types/r4";
import type { JsonBuffer } from "../etl/format/json_bytes.ts";

const encoder = new TextEncoder();
const key = (k: string, first = false) => encoder.encode(`${first ? "" : ","}"${k}":`);

const START = encoder.encode('{"resourceType":"Patient","id":');
const EXTENSION = key("extension"), IDENTIFIER = key("identifier"), NAME = key("name");
const TELECOM = key("telecom"), GENDER = key("gender"), BIRTH_DATE = key("birthDate");
const DECEASED_DATE_TIME = key("deceasedDateTime"), DECEASED_BOOLEAN = key("deceasedBoolean");
const ADDRESS = key("address"), MARITAL_STATUS = key("maritalStatus");
const TYPE = key("type", true), SYSTEM = key("system"), SYSTEM_FIRST = key("system", true);
const VALUE = key("value"), USE_OFFICIAL = encoder.encode('{"use":"official"');
const FAMILY = key("family"), GIVEN = key("given"), PREFIX = key("prefix");
const SUFFIX = key("suffix");
const ADDRESS_PARTS = ["city", "district", "state", "postalCode", "country"] as const;
const ADDRESS_KEYS = ADDRESS_PARTS.map((k) => [key(k, true), key(k)] as const);
const LINE = key("line", true);

/** `[ "a", "b" ]` of strings; false for anything else. */
function strings(items: unknown, out: JsonBuffer): boolean {
  if (!Array.isArray(items)) return false;
  out.byte(91); // [
  for (let i = 0; i < items.length; i++) {
    const s = items[i];
    if (typeof s !== "string") return false;
    if (i > 0) out.byte(44);
    out.string(s);
  }
  out.byte(93); // ]
  return true;
}

/** `,"key":"value"` when the value is a string, nothing when it is absent; false otherwise. */
function text(v: unknown, key: Uint8Array, out: JsonBuffer): boolean {
  if (v === undefined) return true;
  if (typeof v !== "string") return false;
  out.raw(key);
  out.string(v);
  return true;
}

/** `[a, b]`, each item by `write`; false when one cannot be written so. */
function list<T>(items: T[], out: JsonBuffer, write: (item: T, out: JsonBuffer) => boolean) {
  out.byte(91); // [
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out.byte(44);
    if (!write(items[i], out)) return false;
  }
  out.byte(93); // ]
  return true;
}

function identifier(id: Identifier, out: JsonBuffer): boolean {
  if (typeof id.system !== "string" || typeof id.value !== "string") return false;
  out.byte(123); // {
  if (id.type !== undefined) {
    out.raw(TYPE);
    if (!out.value(id.type)) return false;
    out.raw(SYSTEM);
  } else out.raw(SYSTEM_FIRST);
  out.string(id.system);
  out.raw(VALUE);
  out.string(id.value);
  out.byte(125);
  return true;
}

/** The official name as the mapper builds it; any other (a maiden name) on the general path. */
function name(n: HumanName, out: JsonBuffer): boolean {
  if (n.use !== "official") return out.value(n);
  out.raw(USE_OFFICIAL);
  if (
    !text(n.family, FAMILY, out) || !part(n.given, GIVEN, out, strings) ||
    !part(n.prefix, PREFIX, out, strings) || !part(n.suffix, SUFFIX, out, strings)
  ) return false;
  out.byte(125);
  return true;
}

function address(a: Address, out: JsonBuffer): boolean {
  out.byte(123);
  let first = true;
  if (a.line !== undefined) {
    if (!part(a.line, LINE, out, strings)) return false;
    first = false;
  }
  for (let i = 0; i < ADDRESS_PARTS.length; i++) {
    const v = a[ADDRESS_PARTS[i]];
    if (v === undefined) continue;
    if (!text(v, ADDRESS_KEYS[i][first ? 0 : 1], out)) return false;
    first = false;
  }
  out.byte(125);
  return true;
}

const general = (v: unknown, out: JsonBuffer) => out.value(v);

/** `,"key":` and the value when it is there (true when it is not); false when it cannot be. */
function part<T>(
  v: T | undefined,
  key: Uint8Array,
  out: JsonBuffer,
  write: (v: T, out: JsonBuffer) => boolean = general,
): boolean {
  if (v === undefined) return true;
  out.raw(key);
  return write(v, out);
}

const identifiers = (l: Identifier[], out: JsonBuffer) => list(l, out, identifier);
const names = (l: HumanName[], out: JsonBuffer) => list(l, out, name);
const addresses = (l: Address[], out: JsonBuffer) => list(l, out, address);

/**
 * Write `p`, made by the Patient mapper, as `JSON.stringify(p)` would; false (the caller then
 * starts over on the general path) when something is not as the mapper makes it.
 */
export function writePatientJson(p: Patient, out: JsonBuffer): boolean {
  if (typeof p.id !== "string") return false;
  out.raw(START);
  out.string(p.id);
  const ok = part(p.extension, EXTENSION, out) &&
    part(p.identifier, IDENTIFIER, out, identifiers) &&
    part(p.name, NAME, out, names) &&
    part(p.telecom, TELECOM, out) &&
    text(p.gender, GENDER, out) &&
    text(p.birthDate, BIRTH_DATE, out) &&
    (p.deceasedDateTime !== undefined
      ? text(p.deceasedDateTime, DECEASED_DATE_TIME, out)
      : part(p.deceasedBoolean, DECEASED_BOOLEAN, out)) &&
    part(p.address, ADDRESS, out, addresses) &&
    part(p.maritalStatus, MARITAL_STATUS, out);
  if (ok) out.byte(125);
  return ok;
}
