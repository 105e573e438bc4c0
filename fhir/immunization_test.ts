import assert from "node:assert/strict";
import { createImmunizationMapper, type ImmunizationRow } from "./immunization.ts";
import { createPatientMapper, type PatientRow } from "./patient.ts";

const mapping = {
  patient: "mrn",
  vaccineCode: "cvx",
  vaccineText: "name",
  occurrence: "given_on",
  status: "status",
  primarySource: "primary",
  lotNumber: "lot",
  site: "site",
  route: "route",
};
const map = createImmunizationMapper(mapping);
const base = { mrn: "A-1", cvx: "140", given_on: "2014-02-15T10:14:03Z" };
const ok = (row: Record<string, unknown>): ImmunizationRow => {
  const out = map({ ...base, ...row });
  if (typeof out === "string") assert.fail(out);
  return out;
};

Deno.test("immunization mapper writes CVX codes as text with leading zeros and the CDC display", () => {
  const r = ok({ cvx: 8 }).resource;
  assert.deepEqual(r.vaccineCode, {
    coding: [{
      system: "http://hl7.org/fhir/sid/cvx",
      code: "08",
      display: "Hep B, adolescent or pediatric",
    }],
    text: "Hep B, adolescent or pediatric",
  });
  assert.equal(ok({ cvx: "03" }).vaccine_code, "03");
  assert.equal(ok({ name: "Flu shot" }).resource.vaccineCode.text, "Flu shot");
});

Deno.test("immunization mapper never writes status given", () => {
  const cases: [unknown, string][] = [
    [undefined, "completed"],
    ["", "completed"],
    ["given", "completed"],
    ["Given", "completed"],
    ["COMPLETED", "completed"],
    ["refused", "not-done"],
    ["Not Done", "not-done"],
    ["entered in error", "entered-in-error"],
  ];
  for (const [status, want] of cases) {
    const row = ok({ status });
    assert.equal(row.resource.status, want, `status ${status}`);
    assert.equal(row.status, want);
  }
  assert.equal(
    map({ ...base, status: "maybe" }),
    'Immunization.status: cannot map value to completed | entered-in-error | not-done ("maybe")',
  );
});

Deno.test("immunization mapper keeps the instant and a date-only occurrence as a date", () => {
  assert.equal(ok({}).resource.occurrenceDateTime, "2014-02-15T10:14:03Z");
  assert.equal(ok({ given_on: "2014-02-15" }).resource.occurrenceDateTime, "2014-02-15");
  assert.equal(
    ok({ given_on: "2013-03-07T09:24:19-05:00" }).resource.occurrenceDateTime,
    "2013-03-07T09:24:19-05:00",
  );
  assert.equal(
    map({ ...base, given_on: "last tuesday" }),
    'Immunization.occurrenceDateTime: not a valid date or date-time ("last tuesday")',
  );
  assert.equal(
    map({ ...base, given_on: "" }),
    'Immunization.occurrenceDateTime: missing (column "given_on" is empty)',
  );
});

Deno.test("immunization mapper codes site and route, and keeps unknown ones as text", () => {
  const r = ok({ site: "Left deltoid", route: "Intramuscular", lot: "AB12" }).resource;
  assert.equal(r.site?.coding?.[0].code, "LD");
  assert.equal(r.route?.coding?.[0].code, "IM");
  assert.equal(r.lotNumber, "AB12");
  assert.deepEqual(ok({ site: "left ear lobe" }).resource.site, { text: "left ear lobe" });
  assert.equal(ok({ route: "SC" }).resource.route?.coding?.[0].code, "SQ");
});

Deno.test("immunization mapper reads primarySource and defaults it to true", () => {
  assert.equal(ok({}).resource.primarySource, true);
  assert.equal(ok({ primary: "no" }).resource.primarySource, false);
  const reported = createImmunizationMapper(mapping, { primarySource: false });
  assert.equal((reported(base) as ImmunizationRow).resource.primarySource, false);
});

Deno.test("immunization ids are the same for the same row and differ for other rows", () => {
  const a = ok({ lot: "L1" }).id;
  assert.equal(ok({ lot: "L1" }).id, a);
  // The same instant written another way is the same immunization.
  assert.equal(ok({ lot: "L1", given_on: "2014-02-15T05:14:03-05:00" }).id, a);
  for (
    const change of [{ lot: "L2" }, { cvx: "141" }, { mrn: "A-2" }, { given_on: "2014-02-16" }]
  ) {
    assert.notEqual(ok({ lot: "L1", ...change }).id, a, JSON.stringify(change));
  }
});

Deno.test("immunization patient reference resolves to the id the patient mapper makes", () => {
  const patients = createPatientMapper({ id: "mrn", family: "last" });
  for (const mrn of ["A-1", "MRN 001/7", "ü".repeat(3), 12345]) {
    const patient = patients({ mrn, last: "Doe" }) as PatientRow;
    const imm = ok({ mrn });
    assert.equal(imm.resource.patient.reference, `Patient/${patient.id}`);
    assert.equal(imm.patient_id, patient.id);
  }
});
