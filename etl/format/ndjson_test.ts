import assert from "node:assert/strict";
import { assertEntryContract } from "../testing.ts";
import { ndjsonFormat } from "./ndjson.ts";
import { encodeAll, FHIR_ROWS, FHIR_SCHEMA, text, TRICKY_ROWS } from "./_fixtures.ts";

function lines(out: string): unknown[] {
  assert.ok(out.endsWith("\n"), "every line ends in \\n");
  return out.slice(0, -1).split("\n").map((line) => JSON.parse(line));
}

Deno.test("ndjsonFormat keeps the entry contract", () => {
  assertEntryContract(ndjsonFormat);
});

Deno.test("ndjsonFormat writes one JSON object per line", async () => {
  const out = text(await encodeAll(ndjsonFormat, TRICKY_ROWS, { batch: 4 }));
  assert.deepEqual(lines(out), TRICKY_ROWS);
});

Deno.test("ndjsonFormat writes one FHIR resource per line", async () => {
  const out = text(await encodeAll(ndjsonFormat, FHIR_ROWS, { schema: FHIR_SCHEMA }));
  assert.deepEqual(lines(out), FHIR_ROWS.map((r) => r.resource));
});

Deno.test("ndjsonFormat keeps pretty-printed JSON text on one line", async () => {
  const rows = [{ id: "1", resource: '{\n  "resourceType": "Patient",\n  "id": "1"\n}' }];
  const out = text(await encodeAll(ndjsonFormat, rows, { schema: FHIR_SCHEMA }));
  assert.equal(out, '{"resourceType":"Patient","id":"1"}\n');
});

Deno.test("ndjsonFormat writes nothing when there are no rows", async () => {
  assert.equal((await encodeAll(ndjsonFormat, [])).length, 0);
});
