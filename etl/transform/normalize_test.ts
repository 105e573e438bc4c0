import assert from "node:assert/strict";
import { assertEntryContract, testContext } from "../testing.ts";
import type { Row, Schema } from "../types.ts";
import { NormalizeConfig, normalizeTransformer } from "./normalize.ts";

function prepareAndRun(rows: Row[], config: Record<string, unknown> = {}) {
  const ctx = testContext();
  const input: Schema = { columns: Object.keys(rows[0]).map((name) => ({ name, type: "string" })) };
  const prepared = normalizeTransformer.prepare(NormalizeConfig.parse(config), input, rows);
  const refs = rows.map((_, i) => ({ source: "in.csv", line: i + 2 }));
  const out = normalizeTransformer.run(ctx, prepared.config, { rows, refs, cursor: {} });
  return { ...prepared, out, rejections: ctx.rejections };
}

Deno.test("normalizeTransformer keeps the registry contract", () => {
  assertEntryContract(normalizeTransformer);
});

Deno.test("normalizeTransformer renames fields to snake_case and trims values", () => {
  const { out, schema } = prepareAndRun([
    { "First Name": "  Ann ", "HEALTHCARE_EXPENSES": "12.50", "patientID": " 7 " },
  ]);
  assert.deepEqual(out.rows, [{
    first_name: "Ann",
    healthcare_expenses: "12.50",
    patient_id: "7",
  }]);
  assert.deepEqual(schema.columns.map((c) => c.name), [
    "first_name",
    "healthcare_expenses",
    "patient_id",
  ]);
});

Deno.test("normalizeTransformer turns null tokens into null", () => {
  const { out } = prepareAndRun([{ a: "", b: "NULL", c: "n/a", d: "x" }]);
  assert.deepEqual(out.rows, [{ a: null, b: null, c: null, d: "x" }]);
});

Deno.test("normalizeTransformer infers integer, decimal, boolean, date and datetime", () => {
  const { out, schema } = prepareAndRun([
    {
      n: "12",
      amount: "1176606.68",
      ok: "true",
      dob: "1968-07-31",
      at: "2014-02-15T10:14:03Z",
      zip: "02451",
    },
    {
      n: "-3",
      amount: "7619.099999999998",
      ok: "No",
      dob: "03/04/2001",
      at: "2014-02-15 10:14:03+0500",
      zip: "90210",
    },
  ]);
  assert.deepEqual(
    Object.fromEntries(schema.columns.map((c) => [c.name, c.type])),
    { n: "integer", amount: "decimal", ok: "boolean", dob: "date", at: "datetime", zip: "string" },
  );
  assert.deepEqual(out.rows[1], {
    n: -3,
    amount: "7619.099999999998",
    ok: false,
    dob: "2001-03-04",
    at: "2014-02-15T10:14:03+05:00",
    zip: "90210",
  });
  assert.equal(out.rows[0].at, "2014-02-15T10:14:03Z", "no time-zone drift");
});

Deno.test("normalizeTransformer rejects values that do not fit a declared type, with column and value", () => {
  const { out, rejections } = prepareAndRun(
    [{ age: "41", dob: "1980-01-19" }, { age: "forty", dob: "1980-01-19" }, {
      age: "7",
      dob: "1980-02-30",
    }],
    { types: { age: "integer", dob: "date" } },
  );
  assert.deepEqual(out.rows.map((r) => r.age), [41]);
  assert.deepEqual(rejections.map((r) => [r.ref.line, r.stage, r.reason]), [
    [3, "normalized", 'column "age": "forty" is not a whole number'],
    [4, "normalized", 'column "dob": "1980-02-30" is not a valid date'],
  ]);
});

Deno.test("normalizeTransformer lists type overrides for unknown columns", () => {
  const { problems } = prepareAndRun([{ a: "1" }], { types: { SEX: "string" } });
  assert.deepEqual(problems, ['types.SEX: unknown column "SEX"']);
});

Deno.test("normalizeTransformer reads day-first dates when told", () => {
  const { out } = prepareAndRun([{ dob: "31/01/2001" }], {
    dateOrder: "dmy",
    types: { dob: "date" },
  });
  assert.equal(out.rows[0].dob, "2001-01-31");
});

Deno.test("normalizeTransformer maps rows whose keys come in another order or differ (JSON records)", () => {
  const { out } = prepareAndRun([
    { "Visit Date": "2024-01-02", Count: "3" },
    { Count: "4", "Visit Date": "2024-01-03" },
    { "Visit Date": "2024-01-04", Count: "5", Extra: " x " },
    { "Visit Date": "2024-01-05" },
    { "Visit Date": "2024-01-06", Count: "6" },
  ]);
  assert.deepEqual(out.rows, [
    { visit_date: "2024-01-02", count: 3 },
    { count: 4, visit_date: "2024-01-03" },
    { visit_date: "2024-01-04", count: 5, extra: "x" },
    { visit_date: "2024-01-05" },
    { visit_date: "2024-01-06", count: 6 },
  ]);
});
