/**
 * Small-cell suppression: the only way a report leaves the engine.
 *
 * 1. Primary: every count from 1 to threshold − 1 shows as `"<k"` (0 stays 0: it describes
 *    nobody).
 * 2. Complementary: for each breakdown whose total is shown, an attacker knows the total, the
 *    shown parts, that each `"<k"` is 1…k−1 and that each `"≥k"` is at least k (and, since the
 *    smallest shown part is the one hidden, at most the next shown one). While that pins a
 *    small part to one value, the smallest shown part is hidden as `"≥k"`; when none is left,
 *    the breakdown is withheld (its cells left out).
 * 3. A breakdown whose total is hidden is withheld, so its parts cannot rebuild the total; a
 *    small total's breakdown is withheld too when the parts would pin it or one of them
 *    (four parts of `"<5"` under a total of `"<5"` are all 1).
 *
 * Counts that appear in several places share one cell (the Patient count is a type cell and
 * the gender total), so each is hidden everywhere or nowhere. Repeated until nothing changes.
 * @module
 */
import { checkCellId, type Group, ids, layout } from "./_cells.ts";
import type { Cell, Count, Distribution, InternalReport, Report } from "./report.ts";

/** What suppression did to a cell. */
export type CellStatus = "shown" | "small" | "hidden" | "withheld";

const METHOD =
  "primary suppression of counts 1 to threshold-1; complementary suppression of the smallest " +
  "other cell of a breakdown while a suppressed count could be worked out from its total; " +
  "breakdowns of a suppressed total withheld";

/** What an attacker knows of a cell: its least and greatest possible value. */
function bounds(
  id: string,
  values: Map<string, number>,
  status: Map<string, CellStatus>,
  k: number,
  ceiling: number,
): [number, number] {
  switch (status.get(id)) {
    case "shown":
      return [values.get(id)!, values.get(id)!];
    case "small":
      return [1, k - 1];
    case "hidden":
      return [k, ceiling];
    default:
      return [0, Infinity];
  }
}

/**
 * Whether a small count of `g` (a part, or a small total) could be worked out exactly from
 * what is shown: the total, the shown parts, "<k" = 1…k−1, "≥k" = k…(smallest shown part).
 */
function pinned(g: Group, values: Map<string, number>, status: Map<string, CellStatus>, k: number) {
  const shown = g.parts.filter((p) => status.get(p) === "shown" && values.get(p)! > 0);
  const ceiling = shown.length === 0 ? Infinity : Math.min(...shown.map((p) => values.get(p)!));
  const [totalLo, totalHi] = bounds(g.total, values, status, k, Infinity);
  const parts = g.parts.map((p) => bounds(p, values, status, k, ceiling));
  // Sums of the parts' bounds, without subtracting infinities.
  const lo = parts.reduce((a, b) => a + b[0], 0);
  const unbounded = parts.filter((b) => b[1] === Infinity).length;
  const finite = parts.reduce((a, b) => (b[1] === Infinity ? a : a + b[1]), 0);
  if (status.get(g.total) === "small") {
    const hi = unbounded > 0 ? Infinity : finite;
    if (Math.max(totalLo, lo) >= Math.min(totalHi, hi)) return true;
  }
  return g.parts.some((p, i) => {
    if (status.get(p) !== "small") return false;
    const [ownLo, ownHi] = parts[i];
    const othersHi = unbounded - (ownHi === Infinity ? 1 : 0) > 0 ? Infinity : finite - ownHi;
    const min = Math.max(1, totalLo - othersHi);
    const max = Math.min(k - 1, totalHi - (lo - ownLo));
    return min >= max;
  });
}

/** Decide every cell's status (see the module doc). */
export function protect(
  values: Map<string, number>,
  groups: Group[],
  k: number,
): Map<string, CellStatus> {
  const status = new Map<string, CellStatus>();
  for (const [id, v] of values) status.set(id, v > 0 && v < k ? "small" : "shown");
  const withhold = (g: Group) => {
    let changed = false;
    for (const p of g.parts) {
      if (status.get(p) === "withheld") continue;
      status.set(p, "withheld");
      changed = true;
    }
    return changed;
  };
  for (let changed = true; changed;) {
    changed = false;
    for (const g of groups) {
      const total = status.get(g.total);
      // The parts of a hidden total would add up to it.
      if (total === "hidden" || total === "withheld") {
        changed = withhold(g) || changed;
        continue;
      }
      while (pinned(g, values, status, k)) {
        const candidates = g.parts.filter((p) => status.get(p) === "shown" && values.get(p)! > 0);
        if (candidates.length === 0) {
          changed = withhold(g) || changed;
          break;
        }
        candidates.sort((a, b) => values.get(a)! - values.get(b)!);
        status.set(candidates[0], "hidden");
        changed = true;
      }
    }
  }
  return status;
}

/** Renders cells by their status. */
class View {
  constructor(
    readonly values: Map<string, number>,
    readonly status: Map<string, CellStatus>,
    readonly k: number,
  ) {}

  count(id: string): Count {
    const value = this.values.get(id);
    if (value === undefined) throw new Error(`Report cell "${id}" has no count`);
    switch (this.status.get(id)) {
      case "small":
        return `<${this.k}`;
      case "hidden":
        return `≥${this.k}`;
      case "withheld":
        return "withheld";
      default:
        return value;
    }
  }

  shown(id: string): boolean {
    return this.status.get(id) === "shown";
  }

  dist<T extends Cell<number>>(dim: string, d: Distribution<number> & { cells: T[] }) {
    const cells: (Omit<T, "count"> & { count: Count })[] = [];
    let withheld = false;
    for (const c of d.cells) {
      const id = ids.cell(dim, c.key);
      if (this.status.get(id) === "withheld") withheld = true;
      else cells.push({ ...c, count: this.count(id) });
    }
    return withheld ? { cells, withheld } : { cells };
  }
}

/**
 * The report as it may be shown: every count below `threshold` as `"<threshold"`, and other
 * counts hidden or withheld so that none of those can be worked out from totals (see the
 * module doc). The threshold is a whole number, at least 1 (1 suppresses nothing).
 *
 * @example
 * ```ts
 * const shown = suppress(finishReport(state, store, { ids }), 5);
 * shown.patients?.gender.cells; // [{ key: "female", count: 60 }, { key: "other", count: "<5" }, …]
 * ```
 */
export function suppress(report: InternalReport, threshold: number): Report {
  if (!Number.isInteger(threshold) || threshold < 1) {
    throw new RangeError(
      `Cannot suppress counts below ${threshold}: the threshold must be a whole number of at least 1`,
    );
  }
  const { values, groups } = layout(report);
  const v = new View(values, protect(values, groups, threshold), threshold);
  const r = report;
  const patients = ids.type("Patient"), immunizations = ids.type("Immunization");
  const p = r.patients, im = r.immunizations;
  return {
    ...r,
    suppression: { threshold, method: METHOD },
    records: {
      total: v.count(ids.total),
      byType: v.dist("type", r.records.byType),
      bySource: v.dist("source", r.records.bySource),
    },
    patients: p && {
      total: v.count(patients),
      gender: v.dist("gender", p.gender),
      ageBand: v.dist("ageBand", p.ageBand),
      race: v.dist("race", p.race),
      ethnicity: v.dist("ethnicity", p.ethnicity),
      state: v.dist("state", p.state),
      completeness: p.completeness.map((c) => {
        const [present, missing] = [
          ids.complete(c.field, "present"),
          ids.complete(c.field, "missing"),
        ];
        return {
          field: c.field,
          present: v.count(present),
          missing: v.count(missing),
          share: v.shown(present) && v.shown(missing) ? c.share : null,
        };
      }),
    },
    immunizations: im && {
      total: v.count(immunizations),
      byVaccine: v.dist("vaccine", im.byVaccine),
      byCvxStatus: v.dist("cvxStatus", im.byCvxStatus),
      byYear: v.dist("year", im.byYear),
      byMonth: v.dist("month", im.byMonth),
      patients: {
        referenced: v.count("referenced"),
        inRun: im.patients.inRun &&
          { with: v.count("inRun:with"), without: v.count("inRun:without") },
      },
      perPatient: {
        distribution: v.dist("perPatient", im.perPatient.distribution),
        mean: v.shown("referenced") ? im.perPatient.mean : null,
        median: v.shown("referenced") ? im.perPatient.median : null,
      },
    },
    checks: r.checks.map((c) => {
      const num = checkCellId(values, c.id, "num"), den = checkCellId(values, c.id, "den");
      return {
        ...c,
        numerator: v.count(num),
        denominator: v.count(den),
        // More examples than one would tell how many rows failed.
        examples: v.shown(num) ? [...c.examples] : c.examples.slice(0, 1),
      };
    }),
    comparison: r.comparison && {
      ...r.comparison,
      records: r.comparison.records && {
        current: v.count(ids.cmp("current")),
        previous: v.count(ids.cmp("previous")),
        new: v.count(ids.cmp("new")),
        changed: v.count(ids.cmp("changed")),
        unchanged: v.count(ids.cmp("unchanged")),
        removed: v.count(ids.cmp("removed")),
      },
      untracked: v.count(ids.cmp("untracked")),
      checks: [...r.comparison.checks],
    },
    truncated: [...r.truncated],
  };
}
