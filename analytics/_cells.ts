/**
 * The report seen as cells and sums, for suppression: every count gets an id (the same id
 * wherever the same number appears, e.g. the Patient count is both a type cell and the total of
 * the gender breakdown), and every breakdown is a group whose parts add up to a total.
 * @module
 */
import { GENDERS } from "../fhir/terminology.ts";
import type { Distribution, InternalReport } from "./report.ts";

/** Parts that add up to a total, by cell id. */
export interface Group {
  total: string;
  parts: string[];
}

/** Ids of the report's counts. */
export const ids = {
  total: "total",
  type: (k: string) => `type:${k}`,
  cell: (dim: string, k: string) => `${dim}:${k}`,
  complete: (field: string, part: "present" | "missing") => `complete:${field}:${part}`,
  check: (id: string, part: "num" | "den") => `check:${id}:${part}`,
  cmp: (part: string) => `cmp:${part}`,
};

/** Cell ids of the checks whose counts equal another cell's (the same number, one id). */
const CHECK_ALIASES: Record<string, { num?: string; den?: string }> = {
  "patient.birthdate-valid": { den: ids.complete("birthDate", "present") },
  "patient.gender-valueset": { den: ids.complete("gender", "present") },
  "patient.identifier-unique": { den: ids.complete("identifier", "present") },
  "immunization.cvx-known": { num: "cvxStatus:unknown", den: ids.type("Immunization") },
  "immunization.cvx-status": { num: "cvxStatus:Never Active", den: ids.type("Immunization") },
  "immunization.status-present": { den: ids.type("Immunization") },
  "immunization.occurrence-not-future": { den: ids.type("Immunization") },
  "immunization.patient-resolves": { den: ids.type("Immunization") },
};

/** Every count of the report by id, and the sums that tie them. */
export function layout(r: InternalReport): { values: Map<string, number>; groups: Group[] } {
  const values = new Map<string, number>();
  const groups: Group[] = [];
  const dist = (dim: string, d: Distribution<number>, total: string) => {
    const parts = d.cells.map((c) => {
      values.set(ids.cell(dim, c.key), c.count);
      return ids.cell(dim, c.key);
    });
    groups.push({ total, parts });
  };
  values.set(ids.total, r.records.total);
  dist("type", r.records.byType, ids.total);
  dist("source", r.records.bySource, ids.total);
  const patients = ids.type("Patient"), immunizations = ids.type("Immunization");
  if (r.patients) {
    for (const dim of ["gender", "ageBand", "race", "ethnicity", "state"] as const) {
      dist(dim, r.patients[dim], patients);
    }
    for (const c of r.patients.completeness) {
      values.set(ids.complete(c.field, "present"), c.present);
      values.set(ids.complete(c.field, "missing"), c.missing);
      groups.push({
        total: patients,
        parts: [ids.complete(c.field, "present"), ids.complete(c.field, "missing")],
      });
    }
  }
  const im = r.immunizations;
  if (im) {
    dist("vaccine", im.byVaccine, immunizations);
    dist("cvxStatus", im.byCvxStatus, immunizations);
    dist("year", im.byYear, immunizations);
    const months = new Map<string, string[]>();
    for (const c of im.byMonth.cells) {
      values.set(ids.cell("month", c.key), c.count);
      const year = c.key.slice(0, c.key.length - 3);
      months.set(year, [...(months.get(year) ?? []), ids.cell("month", c.key)]);
    }
    for (const [year, parts] of months) groups.push({ total: ids.cell("year", year), parts });
    values.set("referenced", im.patients.referenced);
    dist("perPatient", im.perPatient.distribution, "referenced");
    if (im.patients.inRun) {
      values.set("inRun:with", im.patients.inRun.with);
      values.set("inRun:without", im.patients.inRun.without);
      groups.push({ total: patients, parts: ["inRun:with", "inRun:without"] });
    }
  }
  for (const c of r.checks) {
    for (const part of ["num", "den"] as const) {
      const value = part === "num" ? c.numerator : c.denominator;
      const alias = CHECK_ALIASES[c.id]?.[part];
      if (alias === undefined || values.get(alias) !== value) {
        values.set(ids.check(c.id, part), value);
      }
    }
  }
  checkGroups(r, values, groups);
  const cmp = r.comparison;
  if (cmp) {
    values.set(ids.cmp("untracked"), cmp.untracked);
    if (cmp.records) {
      for (const [k, v] of Object.entries(cmp.records)) values.set(ids.cmp(k), v);
      const [n, c, u, d] = ["new", "changed", "unchanged", "removed"].map(ids.cmp);
      groups.push({ total: ids.cmp("current"), parts: [n, c, u] });
      groups.push({ total: ids.cmp("previous"), parts: [c, u, d] });
    }
  }
  return { values, groups };
}

/** The id a check's count has in {@link layout}. */
export function checkCellId(values: Map<string, number>, checkId: string, part: "num" | "den") {
  const own = ids.check(checkId, part);
  return values.has(own) ? own : CHECK_ALIASES[checkId]?.[part] ?? own;
}

/** Sums that tie check counts to breakdowns (so one cannot be taken from the other). */
function checkGroups(r: InternalReport, values: Map<string, number>, groups: Group[]): void {
  const gender = r.checks.find((c) => c.id === "patient.gender-valueset");
  const cells = r.patients?.gender.cells ?? [];
  const invalid = cells.filter((c) => c.key !== "(none)" && !GENDERS.has(c.key));
  if (gender && invalid.length > 0 && !cells.some((c) => c.key === "(other)")) {
    groups.push({
      total: checkCellId(values, gender.id, "num"),
      parts: invalid.map((c) => ids.cell("gender", c.key)),
    });
  }
  const future = "immunization.occurrence-not-future";
  const den = checkCellId(values, future, "den");
  if (values.has("year:(none)") && den !== ids.type("Immunization")) {
    groups.push({ total: ids.type("Immunization"), parts: [den, "year:(none)"] });
  }
}
