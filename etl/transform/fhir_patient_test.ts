import assert from "node:assert/strict";
import { assertEntryContract, testContext } from "../testing.ts";
import { fhirPatientTransformer } from "./fhir_patient.ts";

const schema = {
  columns: ["mrn", "first_name", "last_name", "dob", "sex"].map((name) => ({
    name,
    type: "string" as const,
  })),
};
const rows = [
  { mrn: "A-1", first_name: "Ada", last_name: "Lovelace", dob: "1815-12-10", sex: "F" },
  { mrn: "A-2", first_name: "Alan", last_name: "Turing", dob: "1912-06-23", sex: "M" },
  { mrn: "A-3", first_name: "Bad", last_name: "Gender", dob: "1900-01-01", sex: "Q" },
  { mrn: "A-4", first_name: "Not", last_name: "Born", dob: "2999-01-01", sex: "F" },
];
const refs = rows.map((_, i) => ({ source: "clinic.csv", line: i + 2 }));

Deno.test("fhirPatientTransformer keeps the registry entry contract", () => {
  assertEntryContract(fhirPatientTransformer);
  assert.equal(fhirPatientTransformer.type, "fhir-patient");
  assert.equal(fhirPatientTransformer.stage, "mapped");
});

Deno.test("fhirPatientTransformer prepare() resolves the mapping and declares a resource schema", () => {
  const config = fhirPatientTransformer.config.parse({ mapping: { gender: "SEX " } });
  const { config: prepared, schema: out, problems } = fhirPatientTransformer.prepare(
    config,
    schema,
    [],
  );
  assert.deepEqual(problems, []);
  assert.equal(prepared.resolved?.gender, "sex");
  assert.equal(out.resource, "resource");
  assert.deepEqual(out.columns.map((c) => c.name), [
    "id",
    "resource_type",
    "identifier",
    "family",
    "given",
    "gender",
    "birth_date",
    "deceased",
    "state",
    "postal_code",
    "resource",
  ]);
  assert.equal(out.columns.at(-1)?.type, "json");
  const bad = fhirPatientTransformer.config.parse({
    preset: "generic",
    mapping: { gender: "SEX_AT_BIRTH" },
  });
  assert.deepEqual(fhirPatientTransformer.prepare(bad, schema, []).problems, [
    'mapping.gender: unknown column "SEX_AT_BIRTH"',
  ]);
});

Deno.test("fhirPatientTransformer run() returns valid rows only and rejects the rest with the element", () => {
  const ctx = testContext({ now: new Date("2026-11-26T00:00:00Z") });
  const { config } = fhirPatientTransformer.prepare(
    fhirPatientTransformer.config.parse({}),
    schema,
    rows,
  );
  const out = fhirPatientTransformer.run(ctx, config, { rows, refs, cursor: { line: 5 } });
  assert.deepEqual(out.rows.map((r) => r.id), ["A-1", "A-2"]);
  assert.deepEqual(out.refs, refs.slice(0, 2));
  assert.deepEqual(out.cursor, { line: 5 });
  assert.deepEqual(ctx.rejections, [
    {
      ref: refs[2],
      stage: "mapped",
      reason: 'Patient.gender: cannot map value to male | female | other | unknown ("Q")',
    },
    { ref: refs[3], stage: "valid", reason: 'Patient.birthDate: in the future ("2999-01-01")' },
  ]);
  assert.deepEqual(
    { ...out.rows[0], resource: undefined },
    {
      id: "A-1",
      resource_type: "Patient",
      identifier: "A-1",
      family: "Lovelace",
      given: "Ada",
      gender: "female",
      birth_date: "1815-12-10",
      deceased: null,
      state: null,
      postal_code: null,
      resource: undefined,
    },
  );
});

Deno.test("fhirPatientTransformer gives the same row the same id on every run", () => {
  const config = fhirPatientTransformer.config.parse({ mapping: { id: "first_name" } });
  const prepared = fhirPatientTransformer.prepare(config, schema, rows).config;
  const withSpace = [{ ...rows[0], first_name: "Ada Augusta" }];
  const a = fhirPatientTransformer.run(testContext(), prepared, {
    rows: withSpace,
    refs,
    cursor: {},
  });
  const again = fhirPatientTransformer.prepare(config, schema, rows).config;
  const b = fhirPatientTransformer.run(testContext(), again, { rows: withSpace, refs, cursor: {} });
  assert.equal(a.rows[0].id, b.rows[0].id);
  assert.match(String(a.rows[0].id), /^[0-9a-f-]{36}$/);
});

Deno.test("fhirPatientTransformer run() works without prepare() by resolving against the rows", () => {
  const ctx = testContext();
  const config = fhirPatientTransformer.config.parse({});
  const out = fhirPatientTransformer.run(ctx, config, { rows: rows.slice(0, 2), refs, cursor: {} });
  assert.equal(out.rows.length, 2);
});
