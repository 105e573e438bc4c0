import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import type { Row } from "../etl/types.ts";
import { feed, IDS, resourceBatch, tempDir } from "./_testing.ts";
import { promote } from "./compare.ts";
import { finishReport } from "./finish.ts";
import type { InternalReport } from "./report.ts";

const patient = (i: number, extra: Row = {}): Row => ({
  resourceType: "Patient",
  id: `p${i}`,
  gender: "female",
  birthDate: "1990-01-01",
  ...extra,
});

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Run `rows` as run `run` against the pipeline's latest table; promote when it succeeded. */
async function run(
  dir: string,
  runId: string,
  rows: Row[],
  succeeded: boolean,
): Promise<InternalReport> {
  const latestPath = `${dir}/clinic-a/synthea/latest.sqlite`;
  const { state, store } = await feed([resourceBatch(rows)], `${dir}/${runId}.sqlite`);
  try {
    const report = finishReport(state, store, { ids: { ...IDS, run: runId }, latestPath });
    if (succeeded) promote(store, latestPath, report);
    return report;
  } finally {
    store.close();
  }
}

Deno.test("finishReport() compares records with the last promoted run by id and content", async () => {
  await using tmp = await tempDir();
  const first = await run(tmp.dir, "run-1", range(1, 10).map((i) => patient(i)), true);
  assert.equal(first.comparison, null);

  const second = [
    ...range(1, 6).map((i) => patient(i)),
    patient(7, { gender: "male" }),
    patient(8, { gender: "M" }), // changed, and not a FHIR gender: the check now fails
    ...range(11, 14).map((i) => patient(i)),
  ];
  const report = await run(tmp.dir, "run-2", second, true);
  assert.deepEqual(report.comparison, {
    previousRun: "run-1",
    records: { current: 12, previous: 10, new: 4, changed: 2, unchanged: 6, removed: 2 },
    untracked: 0,
    checks: [{ id: "patient.gender-valueset", previous: "pass", current: "fail" }],
  });

  // A failed run is compared but never becomes the baseline.
  const failed = await run(tmp.dir, "run-3", range(1, 3).map((i) => patient(i)), false);
  assert.equal(failed.comparison?.previousRun, "run-2");
  const fourth = await run(tmp.dir, "run-4", second, true);
  assert.equal(fourth.comparison?.previousRun, "run-2");
  assert.deepEqual(fourth.comparison?.records, {
    current: 12,
    previous: 12,
    new: 0,
    changed: 0,
    unchanged: 12,
    removed: 0,
  });
  assert.deepEqual(fourth.comparison?.checks, []);
  // The baseline was replaced by renaming a finished file: no temporary file is left.
  assert.deepEqual(readdirSync(`${tmp.dir}/clinic-a/synthea`), ["latest.sqlite"]);
});

Deno.test("finishReport() takes changed check statuses from a previous report it is given", async () => {
  await using tmp = await tempDir();
  const { state, store } = await feed([resourceBatch([patient(1)])], `${tmp.dir}/r.sqlite`);
  const previous = {
    checks: [{ id: "patient.gender-valueset", status: "fail" as const }],
  } as unknown as InternalReport;
  const report = finishReport(state, store, { ids: IDS, previous });
  store.close();
  assert.deepEqual(report.comparison?.checks, [
    { id: "patient.gender-valueset", previous: "fail", current: "pass" },
  ]);
  assert.equal(report.comparison?.records, null);
});

Deno.test("promote() refuses a run whose report was not finished", async () => {
  await using tmp = await tempDir();
  const { store } = await feed([resourceBatch([patient(1)])], `${tmp.dir}/r.sqlite`);
  const latestPath = `${tmp.dir}/latest.sqlite`;
  assert.throws(
    () => promote(store, latestPath, { run: "r", checks: [] } as unknown as InternalReport),
    /call finishReport\(\) first/,
  );
  store.close();
  assert.equal(existsSync(latestPath), false);
});
