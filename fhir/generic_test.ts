import assert from "node:assert/strict";
import type { Immunization, Patient } from "fhir-types/r4";
import { fhirImmunizationTransformer } from "../etl/transform/fhir_immunization.ts";
import { fhirPatientTransformer } from "../etl/transform/fhir_patient.ts";
import {
  genericImmunizations,
  genericPatients,
  runTransformer,
  syntheaImmunizations,
  syntheaPatients,
} from "./_fixtures.ts";
import { medplumIssues } from "./_medplum_test_helper.ts";

Deno.test("generic preset maps the bundled clinic export and rejects its two bad rows", () => {
  const out = runTransformer<Patient>(fhirPatientTransformer, {}, genericPatients());
  assert.deepEqual(out.problems, []);
  assert.equal(out.rows.length, 28);
  assert.deepEqual(out.rejections, [
    {
      ref: { source: "input.csv", line: 30 },
      stage: "mapped",
      reason: 'Patient.birthDate: not a valid date ("1994-02-30")',
    },
    {
      ref: { source: "input.csv", line: 31 },
      stage: "mapped",
      reason: 'Patient.gender: cannot map value to male | female | other | unknown ("?")',
    },
  ]);
  const jonah = out.rows.find((r) => r.id === "MRN-1002")!;
  assert.equal(jonah.resource.gender, "male");
  assert.equal(jonah.resource.address?.[0].state, "MA"); // "Massachusetts" in the file
  assert.equal(jonah.resource.identifier?.[0].value, "MRN-1002");
  // Output refs follow the surviving rows, in order; the cursor is passed through.
  assert.deepEqual(
    out.batch.refs.map((r) => r.line),
    out.rows.map((r) => Number(String(r.id).slice(4)) - 999),
  );
  assert.deepEqual(out.batch.cursor, { offset: 30 });
});

Deno.test("generic preset maps the clinic immunizations and rejects unknown codes and statuses", () => {
  const rows = genericImmunizations();
  const out = runTransformer<Immunization>(fhirImmunizationTransformer, {}, rows);
  assert.deepEqual(out.problems, []);
  assert.equal(out.rows.length, rows.length - 2);
  assert.deepEqual(out.rejections.map((r) => [r.stage, r.reason]), [
    ["valid", 'Immunization.vaccineCode.coding[0].code: unknown CVX code ("9999")'],
    [
      "mapped",
      'Immunization.status: cannot map value to completed | entered-in-error | not-done ("maybe")',
    ],
  ]);
  const mmr = out.rows.find((r) => r.vaccine_code === "03")!;
  assert.equal(mmr.resource.vaccineCode.coding?.[0].display, "MMR");
  assert.equal(mmr.resource.patient.reference, `Patient/${mmr.patient_id}`);
  assert.ok(out.rows.some((r) => r.status === "not-done"));
  assert.ok(out.rows.some((r) => r.status === "entered-in-error"));
});

const messyPatients = ["M", "F", "X", "", "U", "male", "Female", "?", "9", "N/A", null, "mALE"].map(
  (
    sex,
    i,
  ) => ({ mrn: `P${i}`, last_name: "Doe", sex }),
);
const messyImmunizations = [
  "given",
  "completed",
  "",
  "GIVEN",
  "refused",
  "void",
  "pending",
  "done",
  null,
]
  .map((status, i) => ({ mrn: "P1", cvx: "08", date_given: `2020-01-0${i + 1}`, status }));

Deno.test("no output Patient has a gender outside male | female | other | unknown", () => {
  const out = runTransformer<Patient>(fhirPatientTransformer, {}, messyPatients);
  const genders = new Set(["male", "female", "other", "unknown"]);
  for (const r of out.rows) {
    assert.ok(genders.has(r.resource.gender!), `gender ${r.resource.gender}`);
  }
  assert.equal(out.rows.length + out.rejections.length, messyPatients.length);
  assert.deepEqual(out.rejections.map((r) => r.reason.split(":")[0]), [
    "Patient.gender",
    "Patient.gender",
    "Patient.gender",
  ]);
});

Deno.test("no output Immunization has a status outside completed | entered-in-error | not-done", () => {
  const out = runTransformer<Immunization>(fhirImmunizationTransformer, {}, messyImmunizations);
  const statuses = new Set(["completed", "entered-in-error", "not-done"]);
  for (const r of out.rows) {
    assert.ok(statuses.has(r.resource.status), `status ${r.resource.status}`);
  }
  assert.equal(out.rows.filter((r) => r.resource.status === "completed").length, 6);
  assert.deepEqual(out.rejections.map((r) => r.reason), [
    'Immunization.status: cannot map value to completed | entered-in-error | not-done ("pending")',
  ]);
});

Deno.test("medplum accepts every generic resource we count valid", () => {
  const resources = [
    ...runTransformer<Patient>(fhirPatientTransformer, {}, genericPatients()).rows,
    ...runTransformer<Patient>(fhirPatientTransformer, {}, messyPatients).rows,
    ...runTransformer<Immunization>(fhirImmunizationTransformer, {}, genericImmunizations()).rows,
    ...runTransformer<Immunization>(fhirImmunizationTransformer, {}, messyImmunizations).rows,
    // Synthea files read with the generic preset, as a user who skips the preset would.
    ...runTransformer<Patient>(fhirPatientTransformer, {}, syntheaPatients()).rows,
    ...runTransformer<Immunization>(fhirImmunizationTransformer, {}, syntheaImmunizations()).rows,
  ].map((r) => r.resource);
  assert.ok(resources.length > 1700);
  for (const r of resources) assert.deepEqual(medplumIssues(r), [], `${r.resourceType}/${r.id}`);
});
