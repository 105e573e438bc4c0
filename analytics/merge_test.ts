import assert from "node:assert/strict";
import { AS_OF, feed, IDS, resourceBatch, syntheaBatches, tempDir } from "./_testing.ts";
import type { Batch } from "../etl/types.ts";
import { finishReport } from "./finish.ts";
import { mergeReports } from "./merge.ts";
import type { Distribution, InternalReport } from "./report.ts";
import { suppress } from "./suppress.ts";

const asRecord = (d: Distribution<number>) =>
  Object.fromEntries(d.cells.map((c) => [c.key, c.count]));

const MERGED = { tenant: "clinic-a", pipeline: "all pipelines", run: "r1;r2" };

async function reportOf(
  dir: string,
  name: string,
  batches: AsyncIterable<Batch>,
): Promise<InternalReport> {
  const { state, store } = await feed(batches, `${dir}/${name}.sqlite`);
  try {
    return finishReport(state, store, { ids: { ...IDS, run: name }, generatedAt: AS_OF });
  } finally {
    store.close();
  }
}

async function* both() {
  yield* syntheaBatches("patients");
  yield* syntheaBatches("immunizations");
}

Deno.test("mergeReports() of the Synthea patients run and immunizations run counts what one run of both counts", async () => {
  await using tmp = await tempDir();
  const patients = await reportOf(tmp.dir, "patients", syntheaBatches("patients"));
  const immunizations = await reportOf(tmp.dir, "immunizations", syntheaBatches("immunizations"));
  const together = await reportOf(tmp.dir, "together", both());
  const merged = mergeReports([patients, immunizations], MERGED, AS_OF);

  assert.equal(merged.records.total, 115 + 1506);
  assert.deepEqual(merged.records.byType, together.records.byType);
  for (const dim of ["gender", "ageBand", "race", "ethnicity", "state"] as const) {
    assert.deepEqual(merged.patients![dim], together.patients![dim], dim);
  }
  assert.deepEqual(merged.patients!.completeness, together.patients!.completeness);
  const im = merged.immunizations!, all = together.immunizations!;
  for (const dim of ["byVaccine", "byCvxStatus", "byYear", "byMonth"] as const) {
    assert.deepEqual(im[dim], all[dim], dim);
  }
  assert.deepEqual(im.perPatient, all.perPatient, "one part: its own mean and median");
  // Cross-record facts stay within each run: the patients are in another run.
  assert.deepEqual(im.patients.inRun, { with: 0, without: 115 });
  assert.ok(all.patients.inRun!.with > 0, "in one run, patients have their immunizations");
  const status = (r: InternalReport, id: string) => r.checks.find((c) => c.id === id)!.status;
  assert.equal(status(merged, "immunization.patient-resolves"), "not_applicable");
  assert.equal(status(together, "immunization.patient-resolves"), "pass");
  assert.equal(status(merged, "patient.identifier-unique"), "fail");
  assert.deepEqual(
    merged.checks.find((c) => c.id === "patient.identifier-unique"),
    together.checks.find((c) => c.id === "patient.identifier-unique"),
  );
  assert.equal(merged.comparison, null);
  assert.equal(merged.run, "r1;r2");
  assert.equal(merged.suppression, null, "still internal: suppress() comes next");
  // The sums tie together as suppression expects: it runs without finding a broken total.
  const shown = suppress(merged, 11);
  assert.equal(shown.patients!.race.cells.find((c) => c.key === "2028-9")?.count, "<11");
});

Deno.test("mergeReports() sums counts by key, works out statuses and shares again, caps examples", async () => {
  await using tmp = await tempDir();
  const bad = (id: string) => ({
    resourceType: "Patient",
    id,
    gender: "M",
    birthDate: "1980-01-01",
  });
  const ok = (id: string) => ({
    resourceType: "Patient",
    id,
    gender: "female",
    telecom: [{ value: "1" }],
  });
  const one = await reportOf(
    tmp.dir,
    "one",
    (async function* () {
      yield resourceBatch([bad("a1"), bad("a2"), bad("a3"), ok("a4")], "one.ndjson");
    })(),
  );
  const two = await reportOf(
    tmp.dir,
    "two",
    (async function* () {
      yield resourceBatch(
        [bad("b1"), bad("b2"), bad("b3"), ok("b4"), ok("b5"), ok("b6")],
        "two.ndjson",
      );
    })(),
  );
  const merged = mergeReports([one, two], MERGED, AS_OF);
  assert.deepEqual(asRecord(merged.patients!.gender), { M: 6, female: 4 });
  assert.deepEqual(
    merged.patients!.gender.cells.map((c) => c.key),
    ["M", "female"],
    "largest first",
  );
  const gender = merged.checks.find((c) => c.id === "patient.gender-valueset")!;
  assert.equal(gender.status, "fail");
  assert.equal(gender.numerator, 6);
  assert.equal(gender.denominator, 10);
  assert.deepEqual(gender.examples, [
    "one.ndjson line 1",
    "one.ndjson line 2",
    "one.ndjson line 3",
    "two.ndjson line 1",
    "two.ndjson line 2",
  ]);
  const telecom = merged.patients!.completeness.find((c) => c.field === "telecom")!;
  assert.deepEqual(telecom, { field: "telecom", present: 4, missing: 6, share: 0.4 });
  assert.equal(
    merged.checks.find((c) => c.id === "immunization.cvx-known")!.status,
    "not_applicable",
  );
  assert.equal(merged.immunizations, null);
  assert.deepEqual(asRecord(merged.records.bySource), { "one.ndjson": 4, "two.ndjson": 6 });

  // Suppression comes after the merge: 4 "female" alone would be small, and so is the sum here.
  assert.equal(
    suppress(merged, 5).patients!.gender.cells.find((c) => c.key === "female")!.count,
    "<5",
  );
  assert.equal(suppress(mergeReports([two, two], MERGED), 5).patients!.gender.cells[0].count, 6);
});

Deno.test("mergeReports() weighs the mean by patients and gives a median only when it is exact", async () => {
  await using tmp = await tempDir();
  const shot = (id: string, patient: string) => ({
    resourceType: "Immunization",
    id,
    status: "completed",
    vaccineCode: { coding: [{ system: "http://hl7.org/fhir/sid/cvx", code: "08" }] },
    patient: { reference: `Patient/${patient}` },
    occurrenceDateTime: "2024-03-01",
  });
  // Run one: p1 has 1, p2 has 3 (mean 2). Run two: p3 has 5.
  const one = await reportOf(
    tmp.dir,
    "one",
    (async function* () {
      yield resourceBatch([shot("i1", "p1"), shot("i2", "p2"), shot("i3", "p2"), shot("i4", "p2")]);
    })(),
  );
  const two = await reportOf(
    tmp.dir,
    "two",
    (async function* () {
      yield resourceBatch(["j1", "j2", "j3", "j4", "j5"].map((id) => shot(id, "p3")));
    })(),
  );
  const merged = mergeReports([one, two], MERGED, AS_OF).immunizations!;
  assert.equal(merged.total, 9);
  assert.equal(merged.patients.referenced, 3);
  assert.equal(merged.patients.inRun, null, "no run had patients");
  assert.deepEqual(asRecord(merged.perPatient.distribution), { "1": 1, "3": 1, "5": 1 });
  assert.equal(merged.perPatient.mean, 3, "(2 × 2 patients + 5 × 1 patient) / 3 patients");
  assert.equal(merged.perPatient.median, 3);
  assert.deepEqual(asRecord(merged.byMonth), { "2024-03": 9 });
  assert.throws(() => mergeReports([], MERGED), /no report was given/);
});
