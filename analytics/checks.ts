/**
 * The data-quality checks of the basic report. Streaming checks are counted per batch in the
 * report state; the others need every record of the run (duplicates, references, birth dates
 * of patients that may come after their immunizations) and are answered from the run's store
 * when the report is finished.
 * @module
 */
import type { CheckStatus } from "./report.ts";

/** How a check is computed: per batch (`stream`) or from the run's store at the end. */
export type CheckPhase = "stream" | "finish";

/** A check's definition. */
export interface CheckDefinition {
  id: string;
  title: string;
  resourceType: "Patient" | "Immunization";
  phase: CheckPhase;
}

/** Every check, in report order. Ids are stored in reports: never rename one. */
export const CHECKS = [
  {
    id: "patient.birthdate-valid",
    title: "Birth date is not in the future and not before 1900",
    resourceType: "Patient",
    phase: "stream",
  },
  {
    id: "patient.gender-valueset",
    title: "Gender is one of male, female, other, unknown",
    resourceType: "Patient",
    phase: "stream",
  },
  {
    id: "patient.identifier-unique",
    title: "No identifier (system and value) is shared with a different patient",
    resourceType: "Patient",
    phase: "finish",
  },
  {
    id: "immunization.cvx-known",
    title: "Vaccine code is a CVX code in the CDC list",
    resourceType: "Immunization",
    phase: "stream",
  },
  {
    id: "immunization.cvx-status",
    title: 'Vaccine code is not one the CDC marks "Never Active"',
    resourceType: "Immunization",
    phase: "stream",
  },
  {
    id: "immunization.status-present",
    title: "Status is present (completed, entered-in-error or not-done)",
    resourceType: "Immunization",
    phase: "stream",
  },
  {
    id: "immunization.occurrence-not-future",
    title: "Occurrence date is not in the future",
    resourceType: "Immunization",
    phase: "stream",
  },
  {
    id: "immunization.occurrence-after-birth",
    title: "Occurrence is not before the patient's birth date (patient in the same run)",
    resourceType: "Immunization",
    phase: "finish",
  },
  {
    id: "immunization.patient-resolves",
    title: "Patient reference points to a Patient in the same run",
    resourceType: "Immunization",
    phase: "finish",
  },
] as const satisfies readonly CheckDefinition[];

/** A check id. */
export type CheckId = (typeof CHECKS)[number]["id"];

/** Ids of the checks counted per batch. */
export type StreamCheckId = Extract<(typeof CHECKS)[number], { phase: "stream" }>["id"];

/** Ids of the streaming checks, in report order. */
export const STREAM_CHECKS: readonly StreamCheckId[] = CHECKS
  .filter((c) => c.phase === "stream")
  .map((c) => c.id as StreamCheckId);

/**
 * Status from the counts: not applicable when nothing was checked, fail when any row failed.
 *
 * @example
 * ```ts
 * checkStatus(0, 0); // "not_applicable"
 * checkStatus(2, 117); // "fail"
 * ```
 */
export function checkStatus(failing: number, checked: number): CheckStatus {
  if (checked === 0) return "not_applicable";
  return failing > 0 ? "fail" : "pass";
}
