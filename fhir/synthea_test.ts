import assert from "node:assert/strict";
import type { Immunization, Patient } from "fhir-types/r4";
import { fhirImmunizationTransformer } from "../etl/transform/fhir_immunization.ts";
import { fhirPatientTransformer } from "../etl/transform/fhir_patient.ts";
import {
  expectedImmunizations,
  expectedPatients,
  runTransformer,
  synthea28,
  syntheaImmunizations,
  syntheaPatients,
} from "./_fixtures.ts";
import { medplumIssues } from "./_medplum_test_helper.ts";
import { SYSTEMS } from "./terminology.ts";

const ombCode = (p: Patient, url: string) =>
  p.extension?.find((e) => e.url === url)?.extension?.find((e) => e.url === "ombCategory")
    ?.valueCoding?.code;

/** The parts of a Patient the Synthea CSV determines, in comparable form. */
function essentials(p: Patient) {
  const address = p.address?.[0];
  return {
    id: p.id,
    identifier: p.identifier?.map((i) => [i.system, i.value, i.type?.coding?.[0]?.code]),
    name: p.name?.map((n) => [n.use, n.family, n.given, n.prefix, n.suffix]),
    gender: p.gender,
    birthDate: p.birthDate,
    deathDate: p.deceasedDateTime?.slice(0, 10),
    address: [address?.line, address?.city, address?.state, address?.postalCode, address?.country],
    race: ombCode(p, SYSTEMS.usCoreRace),
    ethnicity: ombCode(p, SYSTEMS.usCoreEthnicity),
  };
}

Deno.test("synthea preset reproduces the Patients Synthea wrote", () => {
  const out = runTransformer<Patient>(
    fhirPatientTransformer,
    { preset: "synthea" },
    syntheaPatients(),
  );
  assert.deepEqual(out.problems, []);
  assert.deepEqual(out.rejections, []);
  assert.equal(out.rows.length, 115);
  const ours = new Map(out.rows.map((r) => [r.id, r.resource]));
  const expected = expectedPatients();
  assert.equal(expected.length, 112);
  for (const want of expected) {
    const got = ours.get(want.id!);
    assert.ok(got, `patient ${want.id} is missing`);
    assert.deepEqual(essentials(got), essentials(want), `patient ${want.id}`);
  }
});

Deno.test("synthea preset maps marital status codes Synthea wrote", () => {
  const rows = syntheaPatients();
  const out = runTransformer<Patient>(fhirPatientTransformer, { preset: "synthea" }, rows);
  const ours = new Map(out.rows.map((r) => [r.id, r.resource]));
  const married = new Map(rows.map((r) => [r.Id as string, r.MARITAL as string]));
  for (const want of expectedPatients()) {
    // Synthea fills a blank MARITAL with "S"; we leave unknown data out.
    if (married.get(want.id!) === "") continue;
    assert.equal(
      ours.get(want.id!)!.maritalStatus?.coding?.[0].code,
      want.maritalStatus?.coding?.[0].code,
    );
  }
});

Deno.test("synthea preset reproduces the Immunizations Synthea wrote", () => {
  const out = runTransformer<Immunization>(
    fhirImmunizationTransformer,
    { preset: "synthea" },
    syntheaImmunizations(),
  );
  assert.deepEqual(out.problems, []);
  assert.deepEqual(out.rejections, []);
  assert.equal(out.rows.length, 1506);
  const key = (patient: string, system: string, code: string, when: string) =>
    `${patient} ${system} ${code} ${Date.parse(when)}`;
  const ours = new Map<string, Immunization>();
  for (const { resource: r } of out.rows) {
    const c = r.vaccineCode.coding![0];
    ours.set(
      key(r.patient.reference!.replace("Patient/", ""), c.system!, c.code!, r.occurrenceDateTime!),
      r,
    );
  }
  const expected = expectedImmunizations();
  assert.equal(expected.length, 1470);
  for (const want of expected) {
    const c = want.vaccineCode.coding![0];
    const patient = want.patient.reference!.replace("urn:uuid:", "");
    const got = ours.get(key(patient, c.system!, c.code!, want.occurrenceDateTime!));
    assert.ok(got, `no immunization for ${patient} ${c.code} ${want.occurrenceDateTime}`);
    assert.equal(got.status, want.status);
    assert.equal(got.primarySource, want.primarySource);
  }
});

Deno.test("synthea immunizations reference patient ids and get stable distinct ids", () => {
  const patients = runTransformer<Patient>(
    fhirPatientTransformer,
    { preset: "synthea" },
    syntheaPatients(),
  );
  const ids = new Set(patients.rows.map((r) => r.id));
  const imms = runTransformer<Immunization>(
    fhirImmunizationTransformer,
    { preset: "synthea" },
    syntheaImmunizations(),
  );
  for (const r of imms.rows) {
    assert.ok(ids.has(r.patient_id as string), `${r.patient_id} unresolved`);
  }
  // 1,506 distinct (patient, code, date) rows give 1,506 distinct ids, the same on a re-run.
  const immIds = imms.rows.map((r) => r.id);
  assert.equal(new Set(immIds).size, 1506);
  const again = runTransformer<Immunization>(
    fhirImmunizationTransformer,
    { preset: "synthea" },
    syntheaImmunizations(),
  );
  assert.deepEqual(again.rows.map((r) => r.id), immIds);
});

Deno.test("synthea preset reads the 28-column header and puts MIDDLE in given[1]", () => {
  const out = runTransformer<Patient>(fhirPatientTransformer, { preset: "synthea" }, synthea28());
  assert.deepEqual(out.problems, []);
  assert.equal(out.rows.length, 5);
  assert.deepEqual(out.rows[0].resource.name?.[0].given, ["Freeman822", "Lee404"]);
  assert.deepEqual(out.rows[1].resource.name?.[0].given, ["Cole117"]);
  assert.equal(out.rows[0].given, "Freeman822 Lee404");
  // Everything but the middle name matches what the 25-column file gives.
  const old = runTransformer<Patient>(
    fhirPatientTransformer,
    { preset: "synthea" },
    syntheaPatients(),
  );
  for (const [i, row] of out.rows.entries()) {
    const want = structuredClone(old.rows[i].resource);
    want.name![0].given = row.resource.name![0].given;
    // Compared as clones: structuredClone drops the mapper's JSON writer mark (a symbol key).
    assert.deepEqual(structuredClone(row.resource), want);
  }
});

Deno.test("synthea preset works on normalized snake_case rows with typed values", () => {
  const raw = syntheaPatients();
  const normalized = raw.map((r) => {
    const row: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(r)) row[k.toLowerCase()] = v === "" ? null : v;
    row.zip = row.zip === null ? null : Number(row.zip); // an integer column drops "0" of "02451"
    return row;
  });
  const a = runTransformer<Patient>(fhirPatientTransformer, { preset: "synthea" }, raw);
  const b = runTransformer<Patient>(fhirPatientTransformer, { preset: "synthea" }, normalized);
  assert.deepEqual(b.problems, []);
  assert.deepEqual(b.rows.map((r) => r.resource), a.rows.map((r) => r.resource));

  const imms = syntheaImmunizations().slice(0, 200);
  const typed = imms.map((r) => ({ date: r.DATE, patient: r.PATIENT, code: Number(r.CODE) }));
  const c = runTransformer<Immunization>(fhirImmunizationTransformer, { preset: "synthea" }, imms);
  const d = runTransformer<Immunization>(fhirImmunizationTransformer, { preset: "synthea" }, typed);
  assert.deepEqual(d.rows.map((r) => r.resource), c.rows.map((r) => r.resource));
});

Deno.test("medplum accepts every Synthea resource we count valid", () => {
  const patients = runTransformer<Patient>(
    fhirPatientTransformer,
    { preset: "synthea" },
    syntheaPatients(),
  );
  const imms = runTransformer<Immunization>(
    fhirImmunizationTransformer,
    { preset: "synthea" },
    syntheaImmunizations(),
  );
  const resources = [...patients.rows, ...imms.rows].map((r) => r.resource);
  assert.equal(resources.length, 115 + 1506);
  for (const r of resources) assert.deepEqual(medplumIssues(r), [], `${r.resourceType}/${r.id}`);
});
