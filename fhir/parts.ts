/**
 * Parts many resources share, built once from the code tables with their objects frozen (the
 * validator trusts them), and a helper for exact-size arrays. Mapped resources are read-only.
 * @module
 */
import type { CodeableConcept, Extension } from "fhir-types/r4";
import type { CodeEntry } from "./terminology.ts";
import { trustedPart } from "./validate.ts";

/** A shared CodeableConcept per code of a table: one coding, the display as text. */
export function conceptsByCode(
  entries: Readonly<Record<string, CodeEntry>>,
): Map<string, CodeableConcept> {
  const out = new Map<string, CodeableConcept>();
  for (const e of Object.values(entries)) {
    out.set(e.code, trustedPart({ coding: [{ ...e }], text: e.display }));
  }
  return out;
}

/** A shared us-core-race / us-core-ethnicity extension per OMB code (text is required). */
export function ombExtensions(
  url: string,
  entries: Readonly<Record<string, CodeEntry>>,
): Map<string, Extension> {
  const out = new Map<string, Extension>();
  for (const e of Object.values(entries)) {
    out.set(
      e.code,
      trustedPart({
        url,
        extension: [
          { url: "ombCategory", valueCoding: { ...e } },
          { url: "text", valueString: e.display },
        ],
      }),
    );
  }
  return out;
}

/**
 * Both, one or neither, as an array of exactly that size: `push()` on a fresh array reserves
 * 17 slots, and allocation is most of what mapping a row costs.
 */
export function pair<T>(a: T | undefined, b: T | undefined): T[] | undefined {
  if (a === undefined) return b === undefined ? undefined : [b];
  return b === undefined ? [a] : [a, b];
}
