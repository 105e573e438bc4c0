import assert from "node:assert/strict";
import { assertEntryContract, testContext } from "../testing.ts";
import { fhirImmunizationTransformer } from "./fhir_immunization.ts";

const schema = {
  columns: ["mrn", "cvx_code", "vaccination_date", "lot", "status"].map((name) => ({
    name,
    type: "string" as const,
  })),
};
const rows = [
  { mrn: "A-1", cvx_code: 8, vaccination_date: "2020-01-05", lot: "L1", status: "given" },
  { mrn: "A-1", cvx_code: "140", vaccination_date: "2020-10-05T10:00:00Z", lot: null, status: "" },
  { mrn: "A-2", cvx_code: "77777", vaccination_date: "2020-01-05", lot: "L2", status: "given" },
  { mrn: "A-2", cvx_code: "03", vaccination_date: "2020-01-05", lot: "L3", status: "scheduled" },
];
const refs = rows.map((_, i) => ({ source: "shots.csv", line: i + 2 }));

Deno.test("fhirImmunizationTransformer keeps the registry entry contract", () => {
  assertEntryContract(fhirImmunizationTransformer);
  assert.equal(fhirImmunizationTransformer.type, "fhir-immunization");
  assert.equal(fhirImmunizationTransformer.stage, "mapped");
});

Deno.test("fhirImmunizationTransformer prepare() reports unknown columns by mapping path", () => {
  const config = fhirImmunizationTransformer.config.parse({ mapping: { site: "injection_site" } });
  const { schema: out, problems } = fhirImmunizationTransformer.prepare(config, schema, []);
  assert.deepEqual(problems, ['mapping.site: unknown column "injection_site"']);
  assert.equal(out.resource, "resource");
  assert.deepEqual(out.columns.map((c) => c.name), [
    "id",
    "resource_type",
    "patient_id",
    "vaccine_code",
    "occurrence",
    "status",
    "resource",
  ]);
});

Deno.test("fhirImmunizationTransformer run() keeps valid rows and rejects bad codes and statuses", () => {
  const ctx = testContext();
  const { config } = fhirImmunizationTransformer.prepare(
    fhirImmunizationTransformer.config.parse({}),
    schema,
    rows,
  );
  const out = fhirImmunizationTransformer.run(ctx, config, { rows, refs, cursor: { page: 1 } });
  assert.deepEqual(out.refs, refs.slice(0, 2));
  assert.deepEqual(out.cursor, { page: 1 });
  assert.deepEqual(out.rows.map((r) => [r.patient_id, r.vaccine_code, r.occurrence, r.status]), [
    ["A-1", "08", "2020-01-05", "completed"],
    ["A-1", "140", "2020-10-05T10:00:00Z", "completed"],
  ]);
  assert.deepEqual(ctx.rejections, [
    {
      ref: refs[2],
      stage: "valid",
      reason: 'Immunization.vaccineCode.coding[0].code: unknown CVX code ("77777")',
    },
    {
      ref: refs[3],
      stage: "mapped",
      reason:
        'Immunization.status: cannot map value to completed | entered-in-error | not-done ("scheduled")',
    },
  ]);
});

Deno.test("fhirImmunizationTransformer ids are stable across runs and distinct across rows", () => {
  const config = fhirImmunizationTransformer.config.parse({});
  const run = () =>
    fhirImmunizationTransformer.run(
      testContext(),
      fhirImmunizationTransformer.prepare(config, schema, rows).config,
      { rows: rows.slice(0, 2), refs, cursor: {} },
    ).rows.map((r) => r.id);
  const first = run();
  assert.deepEqual(run(), first);
  assert.notEqual(first[0], first[1]);
});

Deno.test("fhirImmunizationTransformer run() without prepare() refuses a mapping it cannot use", () => {
  const config = fhirImmunizationTransformer.config.parse({});
  assert.throws(
    () =>
      fhirImmunizationTransformer.run(testContext(), config, {
        rows: [{ mrn: "A-1", notes: "x" }],
        refs: refs.slice(0, 1),
        cursor: {},
      }),
    /Cannot map rows: mapping\.vaccineCode: required/,
  );
});

Deno.test("fhirImmunizationTransformer vaccineCode value map turns local codes into CVX codes", () => {
  const local = [
    { mrn: "A-1", cvx_code: "FLU-QUAD", vaccination_date: "2020-01-05", lot: "L1", status: "" },
    { mrn: "A-1", cvx_code: "Td adult", vaccination_date: "2020-02-05", lot: "L2", status: "" },
    { mrn: "A-2", cvx_code: "MYSTERY", vaccination_date: "2020-03-05", lot: "L3", status: "" },
  ];
  const localRefs = local.map((_, i) => ({ source: "shots.csv", line: i + 2 }));
  const ctx = testContext();
  const { config, problems } = fhirImmunizationTransformer.prepare(
    fhirImmunizationTransformer.config.parse({
      valueMaps: { vaccineCode: { "FLU-QUAD": "150", "td adult": "9" } },
    }),
    schema,
    local,
  );
  assert.deepEqual(problems, []);
  const out = fhirImmunizationTransformer.run(ctx, config, {
    rows: local,
    refs: localRefs,
    cursor: {},
  });
  // "9" is CVX 09 (leading zero kept); the unmapped local code is refused with its value.
  assert.deepEqual(out.rows.map((r) => r.vaccine_code), ["150", "09"]);
  assert.equal(ctx.rejections.length, 1);
  assert.match(ctx.rejections[0].reason, /unknown CVX code \("MYSTERY"\)/);

  const bad = fhirImmunizationTransformer.prepare(
    fhirImmunizationTransformer.config.parse({ valueMaps: { vaccineCode: { X: "99999" } } }),
    schema,
    local,
  );
  assert.deepEqual(bad.problems, [
    `valueMaps.vaccineCode.X: "99999" is not one of the CDC's CVX codes (e.g. 08, 150, 208)`,
  ]);
});
