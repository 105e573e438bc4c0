/**
 * Canonical JSON (keys sorted at every level) and its SHA-256, for pipeline hashes that do not
 * change when a spec's keys are reordered.
 * @module
 */
import { createHash } from "node:crypto";

/** JSON text with object keys sorted, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => {
    if (v && typeof v === "object" && !Array.isArray(v)) {
      return Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]]));
    }
    return v;
  });
}

/** `sha256:<hex>` of a value's canonical JSON. */
export function hashJson(value: unknown): string {
  return `sha256:${createHash("sha256").update(canonicalJson(value)).digest("hex")}`;
}
