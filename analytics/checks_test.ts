import assert from "node:assert/strict";
import type { Row } from "../etl/types.ts";
import { CVX_SYSTEM } from "../fhir/cvx.ts";
import { feed, IDS, resourceBatch, tempDir } from "./_testing.ts";
import { finishReport } from "./finish.ts";
import type { CheckResult } from "./report.ts";

const patient = (id: string, extra: Row = {}): Row => ({
  resourceType: "Patient",
  id,
  name: [{ family: "Doe", given: ["Jo"] }],
  gender: "female",
  birthDate: "1980-05-05",
  ...extra,
});

const immunization = (id: string, extra: Row = {}): Row => ({
  resourceType: "Immunization",
  id,
  status: "completed",
  vaccineCode: { coding: [{ system: CVX_SYSTEM, code: "140" }] },
  patient: { reference: "Patient/p1" },
  occurrenceDateTime: "2020-10-01T09:00:00Z",
  ...extra,
});

/** The named check after one run over these resources (in this order, one batch each). */
async function check(id: string, ...batches: Row[][]): Promise<CheckResult<number>> {
  await using tmp = await tempDir();
  let line = 1;
  const input = batches.map((b) => {
    const batch = resourceBatch(b, "fixture.ndjson", line);
    line += b.length;
    return batch;
  });
  const { state, store } = await feed(input, `${tmp.dir}/run.sqlite`);
  try {
    return finishReport(state, store, { ids: IDS }).checks.find((c) => c.id === id)!;
  } finally {
    store.close();
  }
}

const outcome = (c: CheckResult<number>) => [c.status, c.numerator, c.denominator];

Deno.test("patient.birthdate-valid fails births in the future or before 1900", async () => {
  const c = await check("patient.birthdate-valid", [
    patient("p1", { birthDate: "2099-01-01" }),
    patient("p2", { birthDate: "1899" }),
    patient("p3", { birthDate: "1900" }),
    patient("p4"),
  ]);
  assert.deepEqual(outcome(c), ["fail", 2, 4]);
  assert.deepEqual(c.examples, ["fixture.ndjson line 1", "fixture.ndjson line 2"]);
  assert.deepEqual(outcome(await check("patient.birthdate-valid", [patient("p1")])), [
    "pass",
    0,
    1,
  ]);
});

Deno.test("patient.gender-valueset fails codes outside male|female|other|unknown", async () => {
  const c = await check("patient.gender-valueset", [patient("p1", { gender: "M" }), patient("p2")]);
  assert.deepEqual(outcome(c), ["fail", 1, 2]);
  assert.deepEqual(c.examples, ["fixture.ndjson line 1"]);
  const pass = await check("patient.gender-valueset", [patient("p1", { gender: "unknown" })]);
  assert.deepEqual(outcome(pass), ["pass", 0, 1]);
});

Deno.test("patient.identifier-unique fails one identifier on two patients, in any batch", async () => {
  const ssn = { system: "http://hl7.org/fhir/sid/us-ssn", value: "999-11-2222" };
  const c = await check(
    "patient.identifier-unique",
    [patient("p1", { identifier: [ssn] }), patient("p2", { identifier: [{ value: "x" }] })],
    [patient("p3", { identifier: [{ system: "urn:mrn", value: "7" }, ssn] })],
  );
  assert.deepEqual(outcome(c), ["fail", 2, 3]);
  assert.deepEqual(c.examples, ["fixture.ndjson line 1", "fixture.ndjson line 3"]);
  // Same value in another system, or the same patient twice: not a duplicate.
  const pass = await check("patient.identifier-unique", [
    patient("p1", { identifier: [ssn] }),
    patient("p2", { identifier: [{ system: "urn:mrn", value: ssn.value }] }),
    patient("p1", { identifier: [ssn] }),
  ]);
  assert.deepEqual(outcome(pass), ["pass", 0, 3]);
});

Deno.test("immunization.cvx-known fails unknown or missing CVX codes", async () => {
  const c = await check("immunization.cvx-known", [
    immunization("i1", { vaccineCode: { coding: [{ system: CVX_SYSTEM, code: "999999" }] } }),
    immunization("i2", {
      vaccineCode: { coding: [{ system: "http://hl7.org/fhir/sid/ndc", code: "1" }] },
    }),
    immunization("i3"),
  ]);
  assert.deepEqual(outcome(c), ["fail", 2, 3]);
  assert.deepEqual(outcome(await check("immunization.cvx-known", [immunization("i1")])), [
    "pass",
    0,
    1,
  ]);
});

Deno.test("immunization.cvx-status fails Never Active codes and accepts inactive ones", async () => {
  const code = (c: string) => ({ vaccineCode: { coding: [{ system: CVX_SYSTEM, code: c }] } });
  const c = await check("immunization.cvx-status", [immunization("i1", code("57"))]);
  assert.deepEqual(outcome(c), ["fail", 1, 1]);
  const pass = await check("immunization.cvx-status", [immunization("i1", code("121"))]);
  assert.deepEqual(outcome(pass), ["pass", 0, 1]);
});

Deno.test("immunization.status-present fails a missing or non-FHIR status", async () => {
  const c = await check("immunization.status-present", [
    immunization("i1", { status: undefined }),
    immunization("i2", { status: "given" }),
    immunization("i3"),
  ]);
  assert.deepEqual(outcome(c), ["fail", 2, 3]);
  const pass = await check("immunization.status-present", [
    immunization("i1", { status: "not-done" }),
  ]);
  assert.deepEqual(outcome(pass), ["pass", 0, 1]);
});

Deno.test("immunization.occurrence-not-future fails dates after the run date", async () => {
  const c = await check("immunization.occurrence-not-future", [
    immunization("i1", { occurrenceDateTime: "2099-01-01" }),
    // The run is on 2026-11-26 (UTC): a clinic east of UTC may already be on the 27th.
    immunization("i2", { occurrenceDateTime: "2026-11-27T08:00:00+10:00" }),
  ]);
  assert.deepEqual(outcome(c), ["fail", 1, 2]);
  assert.deepEqual(c.examples, ["fixture.ndjson line 1"]);
  const pass = await check("immunization.occurrence-not-future", [immunization("i1")]);
  assert.deepEqual(outcome(pass), ["pass", 0, 1]);
});

Deno.test("immunization.occurrence-after-birth fails immunizations before birth", async () => {
  const born = patient("p1", { birthDate: "2000-01-01" });
  const c = await check(
    "immunization.occurrence-after-birth",
    [
      immunization("i1", { occurrenceDateTime: "1999-12-31" }),
      immunization("i2", { occurrenceDateTime: "2000-01-01" }),
    ],
    [born], // the patient comes after its immunizations
  );
  assert.deepEqual(outcome(c), ["fail", 1, 2]);
  assert.deepEqual(c.examples, ["fixture.ndjson line 1"]);
  const pass = await check("immunization.occurrence-after-birth", [born, immunization("i2")]);
  assert.deepEqual(outcome(pass), ["pass", 0, 1]);
  const alone = await check("immunization.occurrence-after-birth", [immunization("i1")]);
  assert.equal(alone.status, "not_applicable");
});

Deno.test("immunization.patient-resolves fails references to patients not in the run", async () => {
  const c = await check(
    "immunization.patient-resolves",
    [
      immunization("i1", { patient: { reference: "Patient/nobody" } }),
      immunization("i2", { patient: { reference: "urn:uuid:p1" } }),
      immunization("i3", { patient: undefined }),
    ],
    [patient("p1")],
  );
  assert.deepEqual(outcome(c), ["fail", 2, 3]);
  assert.deepEqual(c.examples, ["fixture.ndjson line 1", "fixture.ndjson line 3"]);
  const pass = await check("immunization.patient-resolves", [immunization("i1"), patient("p1")]);
  assert.deepEqual(outcome(pass), ["pass", 0, 1]);
  const alone = await check("immunization.patient-resolves", [immunization("i1")]);
  assert.equal(alone.status, "not_applicable");
});
