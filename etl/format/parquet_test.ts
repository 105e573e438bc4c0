import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import { parquetMetadata, parquetReadObjects } from "hyparquet";
import * as pw from "parquet-wasm";
import { FatalRunError } from "../errors.ts";
import { assertEntryContract } from "../testing.ts";
import type { Row } from "../types.ts";
import { parquetFormat } from "./parquet.ts";
import { SEEN_AT_UTC, TRICKY_ROWS, TRICKY_SCHEMA } from "./_fixtures.ts";

/** 25 rows: the tricky ones over and over, with their own ids and expected instants. */
const ROWS: Row[] = Array.from({ length: 25 }, (_, i) => ({ ...TRICKY_ROWS[i % 7], id: i + 1 }));
const SEEN: (string | null)[] = ROWS.map((_, i) => SEEN_AT_UTC[i % 7]);

/** Microseconds since the epoch of `YYYY-MM-DDTHH:MM:SS.ffffffZ`. */
function micros(iso: string): bigint {
  return BigInt(Date.parse(iso.slice(0, 19) + "Z")) * 1000n + BigInt(iso.slice(20, 26));
}

/** Encodes in batches of 7 with row groups of 10; returns the file and each call's output. */
async function writeFile(rows: Row[], config: unknown = { rowGroupSize: 10 }) {
  const encoder = parquetFormat.create(parquetFormat.config.parse(config), TRICKY_SCHEMA, {
    table: "t",
  });
  const outputs: Uint8Array[] = [];
  for (let i = 0; i < rows.length; i += 7) outputs.push(await encoder.encode(rows.slice(i, i + 7)));
  outputs.push(await encoder.end());
  const file = new Uint8Array(outputs.reduce((n, o) => n + o.length, 0));
  let at = 0;
  for (const o of outputs) file.set(o, at), at += o.length;
  return { file, outputs };
}

Deno.test("parquetFormat keeps the entry contract", () => {
  assertEntryContract(parquetFormat);
});

Deno.test("parquetFormat hands out bytes as row groups fill, so memory stays bounded", async () => {
  const noise = () => crypto.getRandomValues(new Uint8Array(100)).join("");
  const rows = Array.from({ length: 2000 }, (_, i) => ({ id: i, name: noise() }));
  const schema = { columns: TRICKY_SCHEMA.columns.slice(0, 2) };
  const encoder = parquetFormat.create(parquetFormat.config.parse({ rowGroupSize: 100 }), schema, {
    table: "t",
    oneGo: true,
  });
  const sizes: number[] = [];
  for (let i = 0; i < rows.length; i += 50) {
    sizes.push((await encoder.encode(rows.slice(i, i + 50))).length);
  }
  const last = await encoder.end();
  const early = sizes.reduce((a, b) => a + b, 0);
  assert.equal(sizes[0], 0, "50 rows: nothing yet");
  // arrow-rs keeps up to 8 KiB in its own buffer, and the helper thread may hold back the last
  // three row groups (when they are answered depends on the machine's load); everything else
  // (17 of 20 row groups) has left before end().
  assert.ok(early > 0.8 * (early + last.length), `${early} of ${early + last.length} bytes early`);
});

Deno.test("parquetFormat writes row groups that hyparquet reads back with types", async () => {
  const { file } = await writeFile(ROWS);
  const buffer = file.slice().buffer;
  const meta = parquetMetadata(buffer);
  assert.deepEqual(meta.row_groups.map((g) => Number(g.num_rows)), [10, 10, 5]);
  const types = Object.fromEntries(meta.schema.slice(1).map((e) => [e.name, e]));
  assert.equal(types.id.type, "INT64");
  assert.equal(types.name.converted_type, "UTF8");
  assert.equal(types.amount.converted_type, "UTF8");
  assert.equal(types.active.type, "BOOLEAN");
  assert.equal(types.born.converted_type, "DATE");
  assert.deepEqual(types.seen_at.logical_type, {
    type: "TIMESTAMP",
    isAdjustedToUTC: true,
    unit: "MICROS",
  });
  assert.equal(types.extra.converted_type, "UTF8");
  for (const e of meta.schema.slice(1)) assert.equal(e.repetition_type, "OPTIONAL");

  const back = await parquetReadObjects({ file: buffer });
  assert.equal(back.length, 25);
  back.forEach((r, i) => {
    const row = ROWS[i];
    assert.equal(r.id, BigInt(i + 1));
    assert.equal(r.name, row.name);
    assert.equal(r.amount, row.amount);
    assert.equal(r.active, row.active);
    assert.equal(r.born === null ? null : r.born.toISOString().slice(0, 10), row.born);
    // hyparquet gives Dates (milliseconds); the microseconds are checked with parquet-wasm.
    assert.equal(r.seen_at?.toISOString() ?? null, SEEN[i]?.slice(0, 23).concat("Z") ?? null);
    assert.deepEqual(r.extra === null ? null : JSON.parse(r.extra), row.extra);
  });
});

Deno.test("parquetFormat files read back in parquet-wasm with Arrow types and µs timestamps", async () => {
  const { file } = await writeFile(ROWS);
  const table = arrow.tableFromIPC(pw.readParquet(file).intoIPCStream());
  const types = Object.fromEntries(table.schema.fields.map((f) => [f.name, String(f.type)]));
  assert.deepEqual(types, {
    id: "Int64",
    name: "Utf8",
    amount: "Utf8",
    active: "Bool",
    born: "Date32<DAY>",
    seen_at: "Timestamp<MICROSECOND, UTC>",
    extra: "Utf8",
  });
  const column = (name: string) => [...table.getChild(name)!];
  assert.deepEqual(column("id"), ROWS.map((r) => BigInt(r.id as number)));
  assert.deepEqual(column("name"), ROWS.map((r) => r.name));
  assert.deepEqual(column("amount"), ROWS.map((r) => r.amount));
  assert.deepEqual(column("active"), ROWS.map((r) => r.active));
  const days = column("born").map((ms) => ms === null ? null : new Date(ms).toISOString());
  assert.deepEqual(days, ROWS.map((r) => r.born === null ? null : `${r.born}T00:00:00.000Z`));
  const raw = table.getChild("seen_at")!.data.flatMap((d) =>
    [...(d.values as BigInt64Array)].map((v, i) => d.getValid(i) ? v : null)
  );
  assert.deepEqual(raw, SEEN.map((s) => s === null ? null : micros(s)));
  const extra = column("extra").map((s) => s === null ? null : JSON.parse(s));
  assert.deepEqual(extra, ROWS.map((r) => r.extra));
});

Deno.test("parquetFormat writes a valid file with the columns when there are no rows", async () => {
  const { file } = await writeFile([]);
  assert.deepEqual(await parquetReadObjects({ file: file.slice().buffer }), []);
  const table = arrow.tableFromIPC(pw.readParquet(file).intoIPCStream());
  assert.equal(table.numRows, 0);
  assert.deepEqual(
    table.schema.fields.map((f) => f.name),
    TRICKY_SCHEMA.columns.map((c) => c.name),
  );
});

Deno.test("parquetFormat types text from a CSV source and big integers exactly", async () => {
  const rows = [{
    id: "9007199254740993",
    name: "x",
    amount: "1.50",
    active: "yes",
    born: "2001-02-03",
    seen_at: "2024-01-01 10:00:00+0100",
    extra: '{"a": 1}',
  }];
  const { file } = await writeFile(rows, { compression: "none" });
  const [r] = await parquetReadObjects({ file: file.slice().buffer });
  assert.equal(r.id, 9007199254740993n);
  assert.equal(r.active, true);
  assert.equal(r.born.toISOString(), "2001-02-03T00:00:00.000Z");
  assert.equal(r.seen_at.toISOString(), "2024-01-01T09:00:00.000Z");
  assert.equal(r.extra, '{"a": 1}');
});

Deno.test("parquetFormat keeps any unicode text, and writes broken surrogates as U+FFFD", async () => {
  const names = [
    "é",
    "中文",
    "x😀y",
    "\ud800",
    "\udc00z",
    "\ud800\ud800",
    "",
    null,
    "ü".repeat(999),
  ];
  const schema = { columns: [{ name: "name", type: "string" as const }] };
  const encoder = parquetFormat.create(parquetFormat.config.parse({}), schema, { table: "t" });
  const head = await encoder.encode(names.map((name) => ({ name })));
  const tail = await encoder.end();
  const file = new Uint8Array([...head, ...tail]);
  const back = (await parquetReadObjects({ file: file.buffer })).map((r) => r.name);
  const fffd = (s: string | null) => s?.toWellFormed() ?? null;
  assert.deepEqual(back, names.map(fffd));
  assert.deepEqual(
    [...arrow.tableFromIPC(pw.readParquet(file).intoIPCStream()).getChild("name")!],
    names.map(fffd),
  );
});

Deno.test("parquetFormat stops the run on a value that does not fit its column", async () => {
  const encoder = parquetFormat.create(parquetFormat.config.parse({}), TRICKY_SCHEMA, {
    table: "t",
  });
  await assert.rejects(
    async () => await encoder.encode([{ ...TRICKY_ROWS[0], id: "twelve" }]),
    (err: Error) =>
      err instanceof FatalRunError && err.message.includes('"twelve"') &&
      err.message.includes('integer column "id"'),
  );
});

Deno.test("parquetFormat writes zstd when asked", async () => {
  const { file } = await writeFile(ROWS, { compression: "zstd", rowGroupSize: 100 });
  const meta = parquetMetadata(file.slice().buffer);
  assert.equal(meta.row_groups[0].columns[0].meta_data?.codec, "ZSTD");
  assert.equal(arrow.tableFromIPC(pw.readParquet(file).intoIPCStream()).numRows, 25);
});

Deno.test("parquetFormat writes min/max for numbers and dates by default, for text only when asked", async () => {
  const schema = {
    columns: [
      { name: "id", type: "integer" as const },
      { name: "patient.name", type: "string" as const },
      { name: "born", type: "date" as const },
      { name: "weight", type: "decimal" as const },
    ],
  };
  const rows = [
    { id: 3, "patient.name": "Zoë", born: "1990-01-02", weight: "9.5" },
    { id: 1, "patient.name": "Ann", born: "1980-05-06", weight: "10" },
  ];
  const statsOf = async (config: Record<string, unknown>) => {
    const encoder = parquetFormat.create(parquetFormat.config.parse(config), schema, {
      table: "t",
    });
    const parts = [await encoder.encode(rows), await encoder.end()];
    const file = new Uint8Array(parts[0].length + parts[1].length);
    file.set(parts[0]);
    file.set(parts[1], parts[0].length);
    const meta = parquetMetadata(file.buffer);
    return meta.row_groups[0].columns.map((c) => {
      const s = c.meta_data?.statistics;
      return s?.min_value === undefined ? null : [s.min_value, s.max_value];
    });
  };
  assert.deepEqual(await statsOf({}), [
    [1n, 3n],
    null,
    [new Date("1980-05-06T00:00:00Z"), new Date("1990-01-02T00:00:00Z")],
    null,
  ]);
  const all = await statsOf({ statistics: "all" });
  assert.deepEqual(all[1], ["Ann", "Zoë"]);
  // Text order, which is why decimals written as text get none by default.
  assert.deepEqual(all[3], ["10", "9.5"]);
  assert.deepEqual(await statsOf({ statistics: "none" }), [null, null, null, null]);
});
