import assert from "node:assert/strict";
import type { Row } from "../etl/types.ts";
import { SYSTEMS } from "../fhir/terminology.ts";
import { addBatch } from "./add_batch.ts";
import { AS_OF, resourceBatch, tempDir } from "./_testing.ts";
import {
  CAPS,
  type Dimension,
  EXAMPLE_BYTES,
  EXAMPLES,
  newReportState,
  OTHER,
  YEARS_CAP,
} from "./state.ts";
import { openIdStore } from "./store.ts";

const KV_VALUE_LIMIT = 65_536;

/** A value that fits one Deno KV entry (the run engine keeps the state in one). */
async function assertFitsKv(value: unknown) {
  const kv = await Deno.openKv(":memory:");
  try {
    await kv.set(["state"], value);
  } finally {
    kv.close();
  }
}

Deno.test("newReportState() stays under 64 KiB after 100,000 patients with distinct values", async () => {
  await using tmp = await tempDir();
  const store = openIdStore(`${tmp.dir}/run.sqlite`);
  let state = newReportState({ asOf: AS_OF });
  for (let b = 0; b < 100; b++) {
    const rows: Row[] = [];
    for (let i = 0; i < 1000; i++) {
      const n = b * 1000 + i;
      rows.push({
        resourceType: n % 2 === 0 ? "Patient" : "Immunization",
        id: `r${n}`,
        gender: `g-${n}`,
        birthDate: `${1900 + (n % 120)}-01-01`,
        address: [{ state: `State number ${n} ${"é".repeat(n % 40)}` }],
        extension: [{
          url: SYSTEMS.usCoreRace,
          extension: [{ url: "ombCategory", valueCoding: { code: `race-${n}` } }],
        }],
        vaccineCode: { coding: [{ system: "http://hl7.org/fhir/sid/cvx", code: `${n}` }] },
        occurrenceDateTime: `${1000 + (n % 1000)}-03-01`,
        patient: { reference: `Patient/r${n - 1}` },
      });
    }
    state = addBatch(state, resourceBatch(rows, `source-${b}.ndjson`), store);
  }
  store.close();
  const bytes = new TextEncoder().encode(JSON.stringify(state)).length;
  assert.ok(bytes < KV_VALUE_LIMIT, `state is ${bytes} bytes`);
  await assertFitsKv(state);
  assert.equal(state.total, 100_000);
  for (const dim of ["gender", "state", "race", "vaccine", "source"] as Dimension[]) {
    assert.equal(Object.keys(state.counts[dim]).length, CAPS[dim].keys, dim);
    assert.ok(state.counts[dim][OTHER] > 0, dim);
  }
  assert.equal(Object.keys(state.years).length, YEARS_CAP);
  assert.ok(state.truncated.includes("year"));
});

Deno.test("a report state with every dimension full still fits one KV value", async () => {
  const state = newReportState({ asOf: AS_OF, source: "s".repeat(500) });
  const big = 9_999_999;
  for (const dim of Object.keys(CAPS) as Dimension[]) {
    const { keys, bytes } = CAPS[dim];
    for (let i = 0; i < keys; i++) {
      // Three UTF-8 bytes a character: the longest keys a cap lets through.
      state.counts[dim][`${i}`.padEnd(Math.floor(bytes / 3), "語")] = big;
    }
  }
  for (let y = 0; y < YEARS_CAP; y++) state.years[`${1900 + y}`] = new Array(13).fill(big);
  for (const c of Object.values(state.checks)) {
    c.failing = c.checked = big;
    c.examples = Array.from({ length: EXAMPLES }, () => "x".repeat(EXAMPLE_BYTES));
  }
  state.seq = state.total = 999_999_999;
  const bytes = new TextEncoder().encode(JSON.stringify(state)).length;
  assert.ok(bytes < 60_000, `worst-case state is ${bytes} bytes`);
  await assertFitsKv(state);
});

Deno.test("addBatch() counts categories named like Object members as any other", async () => {
  await using tmp = await tempDir();
  const store = openIdStore(`${tmp.dir}/run.sqlite`);
  const rows: Row[] = ["__proto__", "constructor", "toString", "__proto__"].map((word, i) => ({
    resourceType: "Patient",
    id: `p${i}`,
    gender: word,
    address: [{ state: word }],
  }));
  let state = newReportState({ asOf: AS_OF });
  state = addBatch(state, resourceBatch(rows.slice(0, 2)), store);
  // Through KV and back, as between steps.
  const kv = await Deno.openKv(":memory:");
  await kv.set(["state"], state);
  state = (await kv.get<typeof state>(["state"])).value!;
  kv.close();
  state = addBatch(state, resourceBatch(rows.slice(2)), store);
  store.close();
  const gender = state.counts.gender;
  assert.deepEqual(Object.entries(gender).sort(), [["__proto__", 2], ["constructor", 1], [
    "toString",
    1,
  ]]);
  assert.equal(Object.getPrototypeOf(gender), Object.prototype);
  assert.deepEqual(Object.keys(state.counts.state).sort(), [
    "__proto__",
    "constructor",
    "toString",
  ]);
});
