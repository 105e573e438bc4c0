import assert from "node:assert/strict";
import { rowBuilder, rowMapper } from "./row_builder.ts";
import type { Row } from "./types.ts";

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

Deno.test("rowMapper renames and converts fields, whatever their names hold", () => {
  const tricky = ['a"b', "c\\d", "e\u2028f", "constructor", "x y"];
  const names = ["one", "two", "three", "four", "five"];
  const toRow = rowMapper(names, tricky, names.map((_, i) => (v) => `${i}:${v}`));
  const row = toRow(Object.fromEntries(tricky.map((k, i) => [k, `v${i}`])));
  assert.deepEqual(row, { one: "0:v0", two: "1:v1", three: "2:v2", four: "3:v3", five: "4:v4" });
  assert.deepEqual(toRow({}), {
    one: "0:undefined",
    two: "1:undefined",
    three: "2:undefined",
    four: "3:undefined",
    five: "4:undefined",
  });
});

Deno.test("rowMapper reads a __proto__ field as data and never the prototype", () => {
  const id = (v: unknown) => v;
  const from = rowMapper(["p", "q"], ["__proto__", "q"], [id, id]);
  const input: Row = {};
  Object.defineProperty(input, "__proto__", { value: "data", enumerable: true });
  input.q = 1;
  assert.deepEqual(from(input), { p: "data", q: 1 });
  assert.deepEqual(from({ q: 2 }), { p: undefined, q: 2 });
  const to = rowMapper(["__proto__"], ["a"], [id]);
  const out = to({ a: "x" });
  assert.equal(Object.getPrototypeOf(out), Object.prototype);
  assert.equal(Object.getOwnPropertyDescriptor(out, "__proto__")?.value, "x");
});
