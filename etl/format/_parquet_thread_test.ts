import assert from "node:assert/strict";
import { parquetMetadata, parquetReadObjects } from "hyparquet";
import { FatalRunError } from "../errors.ts";
import type { Row, Schema } from "../types.ts";
import { parquetFormat, setParquetThread } from "./parquet.ts";
import { ParquetThread, parquetThreadsRunning } from "./_parquet_thread.ts";

const SCHEMA: Schema = {
  columns: [
    { name: "id", type: "integer" },
    { name: "name", type: "string" },
    { name: "born", type: "date" },
    { name: "active", type: "boolean" },
  ],
};

const OPTIONS = { compression: "snappy", rowGroupSize: 10_000, statistics: "typed" } as const;

function rowsOf(n: number): Row[] {
  return Array.from({ length: n }, (_, i) => ({
    id: i,
    name: i % 13 === 0 ? null : `Patient ${i} ${"ÄÖü€".slice(i % 4)}`,
    born: `19${String(i % 100).padStart(2, "0")}-0${1 + i % 9}-1${i % 10}`,
    active: i % 3 === 0,
  }));
}

/** One whole file, written in calls of 1,000 rows, on the helper thread or on this one. */
async function fileOf(rows: Row[], config: unknown, thread: boolean): Promise<Uint8Array> {
  setParquetThread(thread);
  try {
    const encoder = parquetFormat.create(parquetFormat.config.parse(config), SCHEMA, {
      table: "t",
      oneGo: true,
    });
    const parts: Uint8Array[] = [];
    // Copied at once: the bytes handed out are valid only until the next call.
    for (let i = 0; i < rows.length; i += 1000) {
      parts.push((await encoder.encode(rows.slice(i, i + 1000))).slice());
    }
    parts.push((await encoder.end()).slice());
    const file = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) file.set(p, at), at += p.length;
    return file;
  } finally {
    setParquetThread(true);
  }
}

Deno.test("Parquet on the helper thread is byte for byte the file written on the run's thread", async () => {
  const rows = rowsOf(23_456);
  const threaded = await fileOf(rows, {}, true);
  const inline = await fileOf(rows, {}, false);
  assert.deepEqual(threaded, inline);
  const meta = parquetMetadata(threaded.slice().buffer);
  // Pieces of 5,000 rows still make row groups of rowGroupSize rows.
  assert.deepEqual(meta.row_groups.map((g) => Number(g.num_rows)), [10_000, 10_000, 3_456]);
  const back = await parquetReadObjects({ file: threaded.slice().buffer });
  assert.equal(back.length, rows.length);
  assert.equal(back[14].name, rows[14].name);
  assert.equal(back[13].name, null);
  assert.equal(back[23_455].id, 23_455n);
  assert.equal(parquetThreadsRunning(), 0, "the thread ended with the file");
});

Deno.test("Parquet ends a row group early when it holds 32 MiB of text", async () => {
  // 600 rows of 64 KiB that snappy cannot shrink: ~38 MiB, in pieces of 5,000 rows at most.
  const noise = (i: number) => {
    const bytes = crypto.getRandomValues(new Uint8Array(32 * 1024));
    return `${i}:` + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  };
  const rows = Array.from({ length: 600 }, (_, i) => ({ id: i, name: noise(i) }));
  const file = await fileOf(rows, {}, true);
  const meta = parquetMetadata(file.slice().buffer);
  const sizes = meta.row_groups.map((g) => Number(g.num_rows));
  assert.ok(sizes.length >= 2, `row groups: ${sizes.join(", ")}`);
  assert.equal(sizes.reduce((a, b) => a + b, 0), 600);
  for (const g of meta.row_groups) {
    assert.ok(Number(g.total_byte_size) < 40 * 1024 * 1024, `${g.total_byte_size} bytes`);
  }
});

Deno.test("Parquet thread: a row group the writer cannot read ends the run with a readable error", async () => {
  const thread = ParquetThread.start(OPTIONS, ["name"])!;
  assert.ok(thread, "a helper thread can start here");
  await assert.rejects(
    async () => {
      await thread.write(new Uint8Array([1, 2, 3, 4]), 1);
      await thread.close();
    },
    (err: unknown) =>
      err instanceof FatalRunError && /^Cannot write the Parquet file: /.test(err.message) &&
      !/\n\s+at /.test(err.message),
  );
  assert.equal(parquetThreadsRunning(), 0, "a failed thread is ended");
});

Deno.test("Parquet thread: an output abandoned part way ends its thread (close, or a sink's abort)", async () => {
  const encoder = parquetFormat.create(parquetFormat.config.parse({ rowGroupSize: 100 }), SCHEMA, {
    table: "t",
    oneGo: true,
  });
  await encoder.encode(rowsOf(1_000));
  assert.equal(parquetThreadsRunning(), 1);
  encoder.close!();
  encoder.close!();
  assert.equal(parquetThreadsRunning(), 0);
});

Deno.test("Parquet thread: not started for a run step, nor for a file smaller than one piece", async () => {
  const config = parquetFormat.config.parse({});
  const step = parquetFormat.create(config, SCHEMA, { table: "t", oneGo: false });
  await step.encode(rowsOf(12_000));
  assert.equal(parquetThreadsRunning(), 0, "a run step encodes on its own thread");
  const small = parquetFormat.create(config, SCHEMA, { table: "t", oneGo: true });
  await small.encode(rowsOf(4_999));
  const file = await small.end();
  assert.equal(parquetThreadsRunning(), 0, "4,999 rows are encoded on the run's thread");
  assert.equal(parquetMetadata(file.slice().buffer).num_rows, 4_999n);
  await step.end();
});
