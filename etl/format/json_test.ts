import assert from "node:assert/strict";
import { assertEntryContract } from "../testing.ts";
import { jsonFormat } from "./json.ts";
import {
  encodeAll,
  FHIR_ROWS,
  FHIR_SCHEMA,
  text,
  TRICKY_ROWS,
  TRICKY_SCHEMA,
} from "./_fixtures.ts";

Deno.test("jsonFormat keeps the entry contract", () => {
  assertEntryContract(jsonFormat);
});

Deno.test("jsonFormat writes one array element per row, in schema column order", async () => {
  const parsed = JSON.parse(text(await encodeAll(jsonFormat, TRICKY_ROWS, { batch: 2 })));
  assert.deepEqual(parsed, TRICKY_ROWS);
  assert.deepEqual(Object.keys(parsed[0]), TRICKY_SCHEMA.columns.map((c) => c.name));
});

Deno.test("jsonFormat writes the FHIR resources themselves", async () => {
  const out = JSON.parse(text(await encodeAll(jsonFormat, FHIR_ROWS, { schema: FHIR_SCHEMA })));
  assert.deepEqual(out, FHIR_ROWS.map((r) => r.resource));
});

Deno.test("jsonFormat writes [] when there are no rows", async () => {
  assert.equal(text(await encodeAll(jsonFormat, [])), "[]");
});

Deno.test("jsonFormat types text from a CSV source by the schema", async () => {
  const rows = [{
    id: "42",
    name: "7",
    amount: "1.50",
    active: "yes",
    born: "2001-02-03",
    seen_at: "2024-01-01T10:00:00Z",
    extra: '{ "a": [1, 2] }',
  }];
  assert.deepEqual(JSON.parse(text(await encodeAll(jsonFormat, rows))), [{
    id: 42,
    name: "7",
    amount: "1.50",
    active: true,
    born: "2001-02-03",
    seen_at: "2024-01-01T10:00:00Z",
    extra: { a: [1, 2] },
  }]);
});
