import assert from "node:assert/strict";
import { FatalRunError } from "../errors.ts";
import type { EncoderState, Format, Row, Schema } from "../types.ts";
import { csvFormat } from "./csv.ts";
import { jsonFormat } from "./json.ts";
import { ndjsonFormat } from "./ndjson.ts";
import { sqlFormat } from "./sql.ts";
import {
  encodeAll,
  FHIR_ROWS,
  FHIR_SCHEMA,
  text,
  TRICKY_ROWS,
  TRICKY_SCHEMA,
} from "./_fixtures.ts";

/** One output written in two encoders: the first stops after `split` batches. */
async function encodeInTwo(
  format: Format,
  rows: Row[],
  split: number,
  options: { config?: unknown; schema?: Schema; batch?: number } = {},
): Promise<Uint8Array> {
  const config = format.config.parse(options.config ?? {});
  const schema = options.schema ?? TRICKY_SCHEMA;
  const size = options.batch ?? 2;
  const batches: Row[][] = [];
  for (let i = 0; i < rows.length; i += size) batches.push(rows.slice(i, i + size));
  const parts: Uint8Array[] = [];
  const first = format.create(config, schema, { table: "t" });
  for (const batch of batches.slice(0, split)) parts.push((await first.encode(batch)).slice());
  assert.ok(first.state, `${format.type} has state()`);
  // Through JSON, as it travels in the run's KV entry.
  const state: EncoderState = JSON.parse(JSON.stringify(first.state()));
  const second = format.create(config, schema, { table: "t", resume: state });
  for (const batch of batches.slice(split)) parts.push((await second.encode(batch)).slice());
  parts.push((await second.end()).slice());
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Every split point gives the bytes of one encoder doing it all. */
async function assertResumable(
  format: Format,
  rows: Row[],
  options: { config?: unknown; schema?: Schema; batch?: number } = {},
): Promise<void> {
  const whole = text(await encodeAll(format, rows, { ...options, batch: options.batch ?? 2 }));
  const batches = Math.ceil(rows.length / (options.batch ?? 2));
  for (let split = 0; split <= batches; split++) {
    const resumed = text(await encodeInTwo(format, rows, split, options));
    assert.equal(resumed, whole, `${format.type} resumed after ${split} batches`);
  }
}

/** Rows of a schema without columns: the columns come from the first row. */
const LOOSE_ROWS: Row[] = [
  { b: "x", a: "1" },
  { a: "2", c: "only here" },
  { b: "y" },
  { a: "4", b: "z", c: "w" },
];
const LOOSE_SCHEMA: Schema = { columns: [] };

for (const format of [csvFormat, jsonFormat, ndjsonFormat, sqlFormat]) {
  Deno.test(`${format.type} resumed from its state writes the same bytes`, async () => {
    await assertResumable(format, TRICKY_ROWS);
  });

  Deno.test(`${format.type} resumed keeps the first rows' columns`, async () => {
    await assertResumable(format, LOOSE_ROWS, { schema: LOOSE_SCHEMA, batch: 1 });
  });

  Deno.test(`${format.type} resumed without any rows still writes an empty output`, async () => {
    await assertResumable(format, []);
  });

  Deno.test(`${format.type} refuses the state of another format`, () => {
    const other = format === csvFormat ? jsonFormat : csvFormat;
    const state = other.create(other.config.parse({}), TRICKY_SCHEMA, { table: "t" }).state!();
    assert.throws(
      () => format.create(format.config.parse({}), TRICKY_SCHEMA, { table: "t", resume: state }),
      (err: Error) =>
        err instanceof FatalRunError &&
        err.message.includes(`cannot be continued as ${format.type}`),
    );
  });
}

Deno.test("csv resumed keeps the options: no header, LF, semicolons", async () => {
  await assertResumable(csvFormat, TRICKY_ROWS, {
    config: { header: false, lineEnding: "lf", delimiter: ";" },
  });
});

Deno.test("json and ndjson resumed write FHIR resources the same", async () => {
  await assertResumable(jsonFormat, FHIR_ROWS, { schema: FHIR_SCHEMA, batch: 1 });
  await assertResumable(ndjsonFormat, FHIR_ROWS, { schema: FHIR_SCHEMA, batch: 1 });
});

Deno.test("sql resumed writes CREATE TABLE once in every dialect", async () => {
  for (const dialect of ["postgres", "mysql", "sqlite"]) {
    for (const createTable of [true, false]) {
      await assertResumable(sqlFormat, TRICKY_ROWS, {
        config: { dialect, createTable, rowsPerStatement: 1 },
      });
    }
    const out = text(await encodeInTwo(sqlFormat, TRICKY_ROWS, 2, { config: { dialect } }));
    assert.equal(out.split("CREATE TABLE").length, 2, `${dialect}: one CREATE TABLE`);
  }
});

Deno.test("a damaged saved state is refused with a readable message", () => {
  const resume = { format: "csv", started: true, columns: "{not json" };
  assert.throws(
    () => csvFormat.create(csvFormat.config.parse({}), LOOSE_SCHEMA, { table: "t", resume }),
    /saved state of this run's csv output is damaged; start the run again/,
  );
});
