import assert from "node:assert/strict";
import type { Row } from "../etl/types.ts";
import { addBatch } from "./add_batch.ts";
import { AS_OF, IDS, resourceBatch, tempDir } from "./_testing.ts";
import { finishReport } from "./finish.ts";
import { newReportState } from "./state.ts";
import { openIdStore, removeIdStore } from "./store.ts";

const patients = (from: number, n: number): Row[] =>
  Array.from({ length: n }, (_, i) => ({
    resourceType: "Patient",
    id: `p${from + i}`,
    gender: "female",
    identifier: [{ system: "urn:mrn", value: `m${from + i}` }],
  }));

Deno.test("addBatch() in a retried step counts each record once", async () => {
  await using tmp = await tempDir();
  const path = `${tmp.dir}/run.sqlite`;
  // Step 1 commits its state after one batch.
  let store = openIdStore(path);
  const saved = addBatch(newReportState({ asOf: AS_OF }), resourceBatch(patients(0, 10)), store);
  store.close();
  // Step 2 writes two batches to the store, then dies before its state is saved.
  store = openIdStore(path);
  const lost = addBatch(saved, resourceBatch(patients(10, 10)), store);
  addBatch(lost, resourceBatch(patients(20, 10)), store);
  store.close();
  // Its retry starts again from the saved state, in a new connection, and reads only one batch.
  store = openIdStore(path);
  const state = addBatch(saved, resourceBatch(patients(10, 10)), store);
  const report = finishReport(state, store, { ids: IDS });
  store.close();
  assert.equal(report.records.total, 20);
  assert.deepEqual(report.patients!.gender.cells, [{ key: "female", count: 20 }]);
  const unique = report.checks.find((c) => c.id === "patient.identifier-unique")!;
  assert.deepEqual([unique.status, unique.numerator, unique.denominator], ["pass", 0, 20]);
  removeIdStore(path);
  assert.deepEqual([...Deno.readDirSync(tmp.dir)], []);
});

Deno.test("addBatch() leaves the state it was given unchanged", async () => {
  await using tmp = await tempDir();
  const store = openIdStore(`${tmp.dir}/run.sqlite`);
  const before = newReportState({ asOf: AS_OF });
  const copy = structuredClone(before);
  const after = addBatch(before, resourceBatch(patients(0, 3)), store);
  store.close();
  assert.deepEqual(before, copy);
  assert.equal(after.total, 3);
});

Deno.test("addBatch() counts plain rows by the pipeline's record type and source", async () => {
  await using tmp = await tempDir();
  const store = openIdStore(`${tmp.dir}/run.sqlite`);
  let state = newReportState({ asOf: AS_OF, recordType: "clinic_patients" });
  state = addBatch(state, {
    rows: [{ mrn: 1, sex: "F" }, { id: 7, sex: "M" }],
    refs: [{ source: "patients", key: "1" }, { source: "patients", key: "7" }],
    cursor: {},
  }, store);
  const report = finishReport(state, store, { ids: IDS });
  store.close();
  assert.deepEqual(report.records.byType.cells, [{ key: "clinic_patients", count: 2 }]);
  assert.deepEqual(report.records.bySource.cells, [{ key: "patients", count: 2 }]);
  assert.equal(report.patients, null);
  assert.ok(report.checks.every((c) => c.status === "not_applicable"));
});
