/**
 * The basic report's JSON shape, version 1 (see README.md beside this file for every field).
 * One shape serves both forms: the internal report (`InternalReport`, exact counts, never sent
 * anywhere) and the suppressed one (`Report`, what pages, CSV, JSON and the API get), whose
 * counts may read `"<5"` or `"≥5"` instead of a number.
 * @module
 */

/** The version of the report's shape; bumped on any change a reader must know about. */
export const REPORT_VERSION = 1;

/**
 * A count as the suppressed report shows it: a number; `"<5"` for 1 to threshold − 1; `"≥5"`
 * for a count hidden so that a small one cannot be worked out from totals; `"withheld"` when
 * a total it is part of is not shown. Zero is shown as 0.
 */
export type Count = number | string;

/** One category of a distribution. */
export interface Cell<C> {
  /** The category as stored (`female`, a CVX code, `2024-03`, `(none)`, `(other)`). */
  key: string;
  /** A readable name where the key is a code (vaccine name, OMB category name). */
  label?: string;
  count: C;
}

/** Counts by category. `withheld`: the breakdown is left out to protect a small count. */
export interface Distribution<C> {
  cells: Cell<C>[];
  withheld?: boolean;
}

/** Share of patients with a key field present. `share` is null when a count is hidden. */
export interface Completeness<C> {
  field: CompletenessField;
  present: C;
  missing: C;
  share: number | null;
}

/** The key fields whose presence the report measures. */
export type CompletenessField =
  | "identifier"
  | "name"
  | "birthDate"
  | "gender"
  | "address"
  | "telecom";

/** Every completeness field, in report order. */
export const COMPLETENESS_FIELDS: readonly CompletenessField[] = [
  "identifier",
  "name",
  "birthDate",
  "gender",
  "address",
  "telecom",
];

/** Outcome of a data-quality check. */
export type CheckStatus = "pass" | "fail" | "not_applicable";

/** A data-quality check: `numerator` rows failed out of `denominator` rows checked. */
export interface CheckResult<C> {
  id: string;
  title: string;
  resourceType: "Patient" | "Immunization";
  status: CheckStatus;
  numerator: C;
  denominator: C;
  /** Source references (`patients.csv line 17`) of failing rows, first ones in run order. */
  examples: string[];
}

/** Patients section: present when the run wrote FHIR Patient resources. */
export interface PatientSection<C> {
  total: C;
  gender: Distribution<C>;
  /** `0-4`, `5-17`, `18-44`, `45-64`, `65+` at `asOf`; `deceased` apart; `unknown` birth. */
  ageBand: Distribution<C>;
  race: Distribution<C>;
  ethnicity: Distribution<C>;
  state: Distribution<C>;
  completeness: Completeness<C>[];
}

/** Immunizations section: present when the run wrote FHIR Immunization resources. */
export interface ImmunizationSection<C> {
  total: C;
  /** By CVX code; label = CDC short description, `status` = CDC status of the code. */
  byVaccine: Distribution<C> & { cells: (Cell<C> & { status?: string })[] };
  /** By CDC status of the code: Active, Inactive, Non-US, Never Active, unknown. */
  byCvxStatus: Distribution<C>;
  /** By year of occurrence (`(none)`: no occurrenceDateTime). */
  byYear: Distribution<C>;
  /** By month `YYYY-MM` (`YYYY-??` when the date has no month). */
  byMonth: Distribution<C>;
  patients: {
    /** Distinct patients the immunizations refer to. */
    referenced: C;
    /** The run's own Patient records with and without an immunization in the run. */
    inRun: { with: C; without: C } | null;
  };
  /** Immunizations per referenced patient: distribution (`1` … `10+`), mean, median. */
  perPatient: { distribution: Distribution<C>; mean: number | null; median: number | null };
}

/** Comparison with the previous successful run of the same pipeline. */
export interface Comparison<C> {
  /** The run promoted last, or null when none was. */
  previousRun: string | null;
  /** Records by deterministic id: null when there is no previous run to compare with. */
  records: {
    current: C;
    previous: C;
    new: C;
    changed: C;
    unchanged: C;
    removed: C;
  } | null;
  /** Records with no deterministic id (plain rows without `id` or key): not compared. */
  untracked: C;
  /** Checks whose status differs from the previous run's. */
  checks: { id: string; previous: CheckStatus; current: CheckStatus }[];
}

/** How the report was suppressed (null in the internal report). */
export interface Suppression {
  threshold: number;
  method: string;
}

/** The report body, with counts of type C. */
export interface ReportBody<C> {
  reportVersion: typeof REPORT_VERSION;
  tenant: string;
  pipeline: string;
  run: string;
  generatedAt: string;
  /** The run's date (YYYY-MM-DD): age bands and "not in the future" checks use it. */
  asOf: string;
  records: { total: C; byType: Distribution<C>; bySource: Distribution<C> };
  patients: PatientSection<C> | null;
  immunizations: ImmunizationSection<C> | null;
  checks: CheckResult<C>[];
  comparison: Comparison<C> | null;
  /** Dimensions whose rarer categories were folded into `(other)` (category cap). */
  truncated: string[];
}

/** The exact report: internal only, never sent out. Pass it to `suppress()`. */
export interface InternalReport extends ReportBody<number> {
  suppression: null;
}

/** The suppressed report: the only form that leaves the engine (page, CSV, JSON, API). */
export interface Report extends ReportBody<Count> {
  suppression: Suppression;
}
