/**
 * Deterministic resource ids: the same source row always gives the same id, so a re-run
 * updates resources instead of duplicating them, and an Immunization's `Patient/<id>`
 * resolves to the Patient made from the same patient key.
 * @module
 */
import { uuidBytes, uuidV5Parts } from "./uuid5.ts";

/**
 * Namespace of every hashed id: `uuid5(NAMESPACE_URL, "https://pyxgen.dev/fhir/ids")`.
 * Never change it: every id ever written depends on it.
 */
export const ID_NAMESPACE = "06ec1a2a-51bf-53f8-bed7-6ddfba70437c";
const NAMESPACE = uuidBytes(ID_NAMESPACE);

// Characters allowed in a FHIR id: [A-Za-z0-9\-\.]
const ID_CHARS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  ID_CHARS[c] = /[A-Za-z0-9.-]/.test(ch) ? 1 : 0;
}

/** Whether `s` is a valid FHIR id: 1–64 of `A-Z a-z 0-9 - .`. */
export function isFhirId(s: string): boolean {
  const n = s.length;
  if (n === 0 || n > 64) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || ID_CHARS[c] === 0) return false;
  }
  return true;
}

/**
 * A UUID-shaped id from a resource type and identifying values: RFC 9562 UUIDv5 in
 * {@link ID_NAMESPACE} of `type`, then each part, joined by U+001F (a separator that does
 * not occur in data, so ["a|b","c"] and ["a","b|c"] differ).
 *
 * @example
 * ```ts
 * hashId("Patient", ["MRN 001"]); // "b1da94d3-2bab-57b8-bb2f-ed0820180ff4"
 * ```
 */
export function hashId(type: string, parts: readonly string[]): string {
  return uuidV5Parts(NAMESPACE, [type, ...parts], "\x1f");
}

/**
 * The Patient id for a patient key (the mapped id column): the key itself when it is a valid
 * FHIR id, else its hash. Both transformers use this, so references resolve.
 *
 * @example
 * ```ts
 * patientId("b63edfda-d82b-5fc1-4738-10b77b73b271"); // unchanged
 * patientId("MRN 001"); // "b1da94d3-2bab-57b8-bb2f-ed0820180ff4"
 * ```
 */
export function patientId(key: string): string {
  return isFhirId(key) ? key : hashId("Patient", [key]);
}
