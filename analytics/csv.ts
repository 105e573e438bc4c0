/**
 * The suppressed report as one CSV table (RFC 4180, CRLF, header row):
 * `section,dimension,category,label,value`. Only a `Report` (the output of `suppress()`) is
 * accepted, so exact counts never reach a CSV. Text a spreadsheet would run as a formula gets
 * a leading `'`, as the CSV output format does.
 *
 * Rows, by section:
 * - `report,meta,<field>,,<value>`: reportVersion, tenant, pipeline, run, generatedAt, asOf,
 *   threshold, truncated (dimensions folded into `(other)`, `;`-separated).
 * - `records,total,all`; `records,type|source,<key>`.
 * - `patients,total,all`; `patients,gender|ageBand|race|ethnicity|state,<key>,<label>`;
 *   `patients,completeness.<field>,present|missing|share`.
 * - `immunizations,total,all`; `immunizations,vaccine|cvxStatus|year|month,<key>,<label>`;
 *   `immunizations,patients,referenced|inRun.with|inRun.without`;
 *   `immunizations,perPatient,<bucket>|mean|median`.
 * - `checks,<check id>,status|numerator|denominator|example,<title on status>`.
 * - `comparison,records,current|previous|new|changed|unchanged|removed|untracked`;
 *   `comparison,previousRun,id`; `comparison,checks,<check id>,<previous>,<current>`.
 * - A withheld breakdown adds `…,<dimension>,(withheld),,withheld`.
 * @module
 */
import { isFormulaLike } from "../etl/format/csv.ts";
import type { Count, Distribution, Report } from "./report.ts";

type Value = Count | boolean | null | undefined;

function field(value: Value): string {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (typeof value === "string" && isFormulaLike(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * The report as CSV text.
 *
 * @example
 * ```ts
 * const csv = reportCsv(suppress(report, 5));
 * // section,dimension,category,label,value
 * // records,total,all,,1506
 * ```
 */
export function reportCsv(report: Report): string {
  const lines: string[] = ["section,dimension,category,label,value"];
  const row = (section: string, dimension: string, category: string, label: Value, v: Value) =>
    lines.push([section, dimension, category, label, v].map(field).join(","));
  const dist = (section: string, dimension: string, d: Distribution<Count>) => {
    for (const c of d.cells) row(section, dimension, c.key, c.label, c.count);
    if (d.withheld) row(section, dimension, "(withheld)", null, "withheld");
  };
  const r = report;
  const meta: [string, Value][] = [
    ["reportVersion", r.reportVersion],
    ["tenant", r.tenant],
    ["pipeline", r.pipeline],
    ["run", r.run],
    ["generatedAt", r.generatedAt],
    ["asOf", r.asOf],
    ["threshold", r.suppression.threshold],
    ["truncated", r.truncated.join(";")],
  ];
  for (const [k, v] of meta) row("report", "meta", k, null, v);
  row("records", "total", "all", null, r.records.total);
  dist("records", "type", r.records.byType);
  dist("records", "source", r.records.bySource);
  const p = r.patients;
  if (p) {
    row("patients", "total", "all", null, p.total);
    for (const d of ["gender", "ageBand", "race", "ethnicity", "state"] as const) {
      dist("patients", d, p[d]);
    }
    for (const c of p.completeness) {
      row("patients", `completeness.${c.field}`, "present", null, c.present);
      row("patients", `completeness.${c.field}`, "missing", null, c.missing);
      row("patients", `completeness.${c.field}`, "share", null, c.share);
    }
  }
  const im = r.immunizations;
  if (im) {
    row("immunizations", "total", "all", null, im.total);
    dist("immunizations", "vaccine", im.byVaccine);
    dist("immunizations", "cvxStatus", im.byCvxStatus);
    dist("immunizations", "year", im.byYear);
    dist("immunizations", "month", im.byMonth);
    row("immunizations", "patients", "referenced", null, im.patients.referenced);
    if (im.patients.inRun) {
      row("immunizations", "patients", "inRun.with", null, im.patients.inRun.with);
      row("immunizations", "patients", "inRun.without", null, im.patients.inRun.without);
    }
    dist("immunizations", "perPatient", im.perPatient.distribution);
    row("immunizations", "perPatient", "mean", null, im.perPatient.mean);
    row("immunizations", "perPatient", "median", null, im.perPatient.median);
  }
  for (const c of r.checks) {
    row("checks", c.id, "status", c.title, c.status);
    row("checks", c.id, "numerator", null, c.numerator);
    row("checks", c.id, "denominator", null, c.denominator);
    for (const e of c.examples) row("checks", c.id, "example", null, e);
  }
  const cmp = r.comparison;
  if (cmp) {
    row("comparison", "previousRun", "id", null, cmp.previousRun);
    if (cmp.records) {
      for (const [k, v] of Object.entries(cmp.records)) row("comparison", "records", k, null, v);
    }
    row("comparison", "records", "untracked", null, cmp.untracked);
    for (const c of cmp.checks) row("comparison", "checks", c.id, c.previous, c.current);
  }
  return lines.join("\r\n") + "\r\n";
}
