import assert from "node:assert/strict";
import { rowBuilder } from "./row_builder.ts";

Deno.test("rowBuilder builds rows with the given keys in order", () => {
  const toRow = rowBuilder(["id", "first name", 'quote"d'], (f: string[], i) => f[i]);
  const row = toRow(["1", "Ann", "x"]);
  assert.deepEqual(row, { id: "1", "first name": "Ann", 'quote"d': "x" });
  assert.deepEqual(Object.keys(row), ["id", "first name", 'quote"d']);
});

Deno.test("rowBuilder keeps a __proto__ column as data, not as the prototype", () => {
  const toRow = rowBuilder(["id", "__proto__"], (f: string[], i) => f[i]);
  const row = toRow(["1", "evil"]);
  assert.equal(Object.getPrototypeOf(row), Object.prototype);
  assert.deepEqual(Object.entries(row), [["id", "1"], ["__proto__", "evil"]]);
});
