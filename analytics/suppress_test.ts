import assert from "node:assert/strict";
import { parse } from "csv-parse/sync";
import type { Batch, Row } from "../etl/types.ts";
import { AS_OF, feed, IDS, resourceBatch, syntheaBatches, tempDir } from "./_testing.ts";
import { reportCsv } from "./csv.ts";
import { finishReport } from "./finish.ts";
import type { Count, Distribution, InternalReport, Report } from "./report.ts";
import { suppress } from "./suppress.ts";

async function* synthea() {
  yield* syntheaBatches("patients");
  yield* syntheaBatches("immunizations");
}

async function reportOf(input: AsyncIterable<Batch> | Row[][]): Promise<InternalReport> {
  await using tmp = await tempDir();
  const batches = Array.isArray(input) ? input.map((rows) => resourceBatch(rows)) : input;
  const { state, store } = await feed(batches, `${tmp.dir}/run.sqlite`);
  try {
    return finishReport(state, store, { ids: IDS, generatedAt: AS_OF });
  } finally {
    store.close();
  }
}

/** Numbers that are not counts: versions, thresholds, shares, means, medians. */
const NOT_COUNTS = new Set(["reportVersion", "threshold", "share", "mean", "median"]);

/** Every number in a JSON value that is a count, with its path. */
function counts(value: unknown, path = "$"): [string, number][] {
  if (typeof value === "number") return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => counts(v, `${path}[${i}]`));
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value)
    .filter(([k]) => !NOT_COUNTS.has(k))
    .flatMap(([k, v]) => counts(v, `${path}.${k}`));
}

function assertNothingSmall(shown: Report, k: number) {
  const json = JSON.parse(JSON.stringify(shown));
  const small = counts(json).filter(([, n]) => n > 0 && n < k);
  assert.deepEqual(small, [], "JSON shows counts below the threshold");
  const rows: string[][] = parse(reportCsv(shown), { from_line: 2 });
  const csvSmall = rows.filter(([section, , category, , value]) =>
    /^\d+$/.test(value) && Number(value) > 0 && Number(value) < k &&
    !(section === "report" && category === "reportVersion") &&
    !["mean", "median", "share"].includes(category)
  );
  assert.deepEqual(csvSmall, [], "CSV shows counts below the threshold");
}

/**
 * An attacker's view: for a breakdown, the range each "<k" cell (and a "<k" total) can take
 * given the total, the shown cells, "<k" = 1…k-1 and "≥k" = k…(smallest shown cell). Returns
 * the cells pinned to one value ("total" for the total).
 */
function pinnedCells(total: Count, cells: Count[], k: number): (number | "total")[] {
  const shown = cells.filter((c): c is number => typeof c === "number");
  const ceiling = Math.min(Infinity, ...shown.filter((n) => n > 0));
  const bounds = cells.map((c): [number, number] =>
    typeof c === "number" ? [c, c] : c === `<${k}` ? [1, k - 1] : [k, ceiling]
  );
  const [tLo, tHi] = typeof total === "number" ? [total, total] : [1, k - 1];
  const sum = (i: 0 | 1, skip = -1) => bounds.reduce((a, b, j) => (j === skip ? a : a + b[i]), 0);
  const pinned: (number | "total")[] = [];
  if (total === `<${k}` && Math.max(tLo, sum(0)) >= Math.min(tHi, sum(1))) pinned.push("total");
  cells.forEach((c, i) => {
    if (c !== `<${k}`) return;
    const min = Math.max(1, tLo - sum(1, i));
    const max = Math.min(k - 1, tHi - sum(0, i));
    if (min >= max) pinned.push(i);
  });
  return pinned;
}

/** Every breakdown of the shown report with the total its cells add up to. */
function breakdowns(r: Report): [string, Count, Distribution<Count>][] {
  const out: [string, Count, Distribution<Count>][] = [
    ["type", r.records.total, r.records.byType],
    ["source", r.records.total, r.records.bySource],
  ];
  const p = r.patients;
  if (p) {
    for (const d of ["gender", "ageBand", "race", "ethnicity", "state"] as const) {
      out.push([d, p.total, p[d]]);
    }
    for (const c of p.completeness) {
      out.push([c.field, p.total, {
        cells: [{ key: "p", count: c.present }, { key: "m", count: c.missing }],
      }]);
    }
  }
  const im = r.immunizations;
  if (im) {
    out.push(["vaccine", im.total, im.byVaccine], ["cvx", im.total, im.byCvxStatus]);
    out.push(["year", im.total, im.byYear]);
    out.push(["perPatient", im.patients.referenced, im.perPatient.distribution]);
    for (const y of im.byYear.cells) {
      out.push([y.key, y.count, {
        cells: im.byMonth.cells.filter((m) => m.key.startsWith(`${y.key}-`)),
      }]);
    }
  }
  return out;
}

function assertNothingRecoverable(r: Report, k: number) {
  for (const [name, total, d] of breakdowns(r)) {
    if (typeof total !== "number" && total !== `<${k}`) {
      assert.ok(d.cells.length === 0 || d.withheld, `${name}: total hidden but cells shown`);
      continue;
    }
    if (d.withheld) continue;
    const pinned = pinnedCells(total, d.cells.map((c) => c.count), k);
    assert.deepEqual(pinned, [], `${name}: a suppressed count follows from the total`);
  }
}

Deno.test("suppress() hides every count below the threshold in JSON and CSV", async () => {
  const report = await reportOf(synthea());
  // The sample has small cells to hide (e.g. one immunization in 1964).
  assert.ok(counts(report).some(([, n]) => n > 0 && n < 5));
  for (const k of [5, 11]) {
    const shown = suppress(report, k);
    assertNothingSmall(shown, k);
    assertNothingRecoverable(shown, k);
    assert.equal(shown.immunizations!.byYear.cells.find((c) => c.key === "1964")?.count, `<${k}`);
    assert.equal(shown.suppression.threshold, k);
  }
  assert.deepEqual(suppress(report, 1).immunizations, report.immunizations);
  assert.throws(() => suppress(report, 0), /whole number of at least 1/);
  assert.throws(() => suppress(report, 2.5), /whole number of at least 1/);
});

const people = (counts: Record<string, number>, extra: (i: number) => Row = () => ({})) =>
  Object.entries(counts).flatMap(([gender, n]) =>
    Array.from({ length: n }, (_, i) => ({
      resourceType: "Patient",
      id: `${gender}-${i}`,
      gender,
      birthDate: "1990-01-01",
      ...extra(i),
    }))
  );

Deno.test("suppress() hides a second cell so a small one cannot be taken from the total", async () => {
  const report = await reportOf([people({ female: 60, male: 55, M: 2 })]);
  const shown = suppress(report, 5);
  const gender = Object.fromEntries(shown.patients!.gender.cells.map((c) => [c.key, c.count]));
  assert.equal(shown.patients!.total, 117);
  assert.deepEqual(gender, { female: 60, male: "≥5", M: "<5" });
  assertNothingRecoverable(shown, 5);
  // "M" is not a FHIR gender: the same 2 is the gender check's numerator, hidden there too,
  // with one example only (more would tell how many failed).
  const check = shown.checks.find((c) => c.id === "patient.gender-valueset")!;
  assert.equal(check.numerator, "<5");
  assert.equal(check.examples.length, 1);
});

Deno.test("suppress() keeps hiding until the small cell is not pinned by the next one", async () => {
  // 1 + 5 = 6: hiding 5 alone would still say the small cell is 1.
  const report = await reportOf([people({ female: 60, male: 5, unknown: 1 })]);
  const shown = suppress(report, 5);
  const gender = Object.fromEntries(shown.patients!.gender.cells.map((c) => [c.key, c.count]));
  assert.deepEqual(gender, { female: "≥5", male: "≥5", unknown: "<5" });
  assertNothingRecoverable(shown, 5);
});

Deno.test("suppress() withholds a breakdown that would pin a total below the threshold", async () => {
  const small = suppress(await reportOf([people({ female: 2, male: 1 })]), 5);
  assert.equal(small.patients!.total, "<5");
  assert.deepEqual(small.patients!.gender.cells.map((c) => c.count), ["<5", "<5"]);
  assertNothingRecoverable(small, 5);
  // Four cells of at least 1 under a total below 5: each would be 1.
  const report = await reportOf([people({ female: 1, male: 1, other: 1, unknown: 1 })]);
  const shown = suppress(report, 5);
  assert.equal(shown.records.total, "<5");
  assert.equal(shown.patients!.total, "<5");
  assert.deepEqual(shown.patients!.gender, { cells: [], withheld: true });
  assertNothingSmall(shown, 5);
  assertNothingRecoverable(shown, 5);
  const csv = reportCsv(shown);
  assert.match(csv, /\r\npatients,gender,\(withheld\),,withheld\r\n/);
});

Deno.test("suppress() hides the missing share of a nearly complete field", async () => {
  const report = await reportOf([
    people({ female: 40 }, (i) => (i < 2 ? { birthDate: undefined } : {})),
  ]);
  const shown = suppress(report, 5);
  const birth = shown.patients!.completeness.find((c) => c.field === "birthDate")!;
  assert.deepEqual(birth, { field: "birthDate", present: "≥5", missing: "<5", share: null });
  // The birth-date check's denominator is the same number: it must not give it away.
  const check = shown.checks.find((c) => c.id === "patient.birthdate-valid")!;
  assert.equal(check.denominator, "≥5");
  assertNothingRecoverable(shown, 5);
});
