import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import { parquetMetadata, parquetReadObjects, readColumnIndex, readOffsetIndex } from "hyparquet";
import * as pw from "parquet-wasm";
import { FatalRunError } from "../errors.ts";
import type { Row, Schema } from "../types.ts";
import { encodeAll, SEEN_AT_UTC, TRICKY_ROWS, TRICKY_SCHEMA } from "./_fixtures.ts";
import {
  CHUNK_BYTES,
  fileParquetPart,
  mergeParquetParts,
  type ParquetPart,
} from "./_parquet_merge.ts";
import { parquetFormat } from "./parquet.ts";

/** Rows `from`..`from + count - 1`: the tricky rows over and over, with their own ids. */
function rowsFrom(from: number, count: number): Row[] {
  return Array.from(
    { length: count },
    (_, i) => ({ ...TRICKY_ROWS[(from + i) % 7], id: from + i }),
  );
}

/** Writes parts as the run engine will: each a whole Parquet file from our encoder. */
async function writeParts(dir: string, sizes: number[], rowGroupSize = 10): Promise<string[]> {
  const paths: string[] = [];
  let from = 0;
  for (const [i, size] of sizes.entries()) {
    const file = await encodeAll(parquetFormat, rowsFrom(from, size), {
      config: { rowGroupSize, statistics: "all" },
      batch: 7,
    });
    from += size;
    paths.push(`${dir}/part_${i}.parquet`);
    await Deno.writeFile(paths.at(-1)!, file);
  }
  return paths;
}

/** Merges into memory (the tests' files are small). */
async function mergeToBytes(parts: (string | ParquetPart)[]) {
  const out: Uint8Array[] = [];
  const result = await mergeParquetParts(parts, (bytes) => {
    out.push(bytes.slice());
    return Promise.resolve();
  });
  const file = new Uint8Array(out.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of out) file.set(b, at), at += b.length;
  return { result, file };
}

/** Microseconds since the epoch of `YYYY-MM-DDTHH:MM:SS.ffffffZ`. */
function micros(iso: string): bigint {
  return BigInt(Date.parse(iso.slice(0, 19) + "Z")) * 1000n + BigInt(iso.slice(20, 26));
}

Deno.test("mergeParquetParts joins parts of any size into one file hyparquet reads in order", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // 25 rows in groups of 10 → 3 groups; 1 row → 1 group; 13 rows → 2 groups.
    const paths = await writeParts(dir, [25, 1, 13]);
    const { result, file } = await mergeToBytes(paths);
    const rows = rowsFrom(0, 39);
    assert.deepEqual(result, { rows: 39, rowGroups: 6, bytes: file.length });

    const meta = parquetMetadata(file.slice().buffer);
    assert.equal(Number(meta.num_rows), 39);
    assert.deepEqual(meta.row_groups.map((g) => Number(g.num_rows)), [10, 10, 5, 1, 10, 3]);
    assert.equal(meta.created_by, "PyxGen Portal (parquet-wasm)");

    const back = await parquetReadObjects({ file: file.slice().buffer });
    assert.equal(back.length, 39);
    back.forEach((r, i) => {
      const row = rows[i];
      assert.equal(r.id, BigInt(i));
      assert.equal(r.name, row.name);
      assert.equal(r.amount, row.amount);
      assert.equal(r.active, row.active);
      assert.equal(r.born === null ? null : r.born.toISOString().slice(0, 10), row.born);
      const seen = SEEN_AT_UTC[i % 7];
      assert.equal(r.seen_at?.toISOString() ?? null, seen?.slice(0, 23).concat("Z") ?? null);
      assert.deepEqual(r.extra === null ? null : JSON.parse(r.extra), row.extra);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("mergeParquetParts output reads in parquet-wasm with every value and µs timestamps", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const paths = await writeParts(dir, [25, 1, 13]);
    const { file } = await mergeToBytes(paths);
    const rows = rowsFrom(0, 39);
    const table = arrow.tableFromIPC(pw.readParquet(file).intoIPCStream());
    assert.equal(table.numRows, 39);
    const column = (name: string) => [...table.getChild(name)!];
    assert.deepEqual(column("id"), rows.map((r) => BigInt(r.id as number)));
    assert.deepEqual(column("name"), rows.map((r) => r.name));
    assert.deepEqual(column("amount"), rows.map((r) => r.amount));
    assert.deepEqual(column("active"), rows.map((r) => r.active));
    const days = column("born").map((ms) => ms === null ? null : new Date(ms).toISOString());
    assert.deepEqual(days, rows.map((r) => r.born === null ? null : `${r.born}T00:00:00.000Z`));
    const raw = table.getChild("seen_at")!.data.flatMap((d) =>
      [...(d.values as BigInt64Array)].map((v, i) => d.getValid(i) ? v : null)
    );
    assert.deepEqual(raw, rows.map((_, i) => SEEN_AT_UTC[i % 7]).map((s) => s && micros(s)));
    const extra = column("extra").map((s) => s === null ? null : JSON.parse(s));
    assert.deepEqual(extra, rows.map((r) => r.extra));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("mergeParquetParts keeps page indexes pointing at the moved pages", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const paths = await writeParts(dir, [25, 13]);
    const { file } = await mergeToBytes(paths);
    const meta = parquetMetadata(file.slice().buffer);
    const chunks = meta.row_groups.flatMap((g) => g.columns);
    assert.ok(chunks.every((c) => c.offset_index_offset !== undefined), "offset indexes kept");
    const schema = meta.schema;
    for (const [i, c] of chunks.entries()) {
      const reader = (offset: bigint | undefined, length: number | undefined) => ({
        view: new DataView(file.buffer, Number(offset), length),
        offset: 0,
      });
      const { page_locations: pages } = readOffsetIndex(
        reader(c.offset_index_offset, c.offset_index_length),
      );
      const data = c.meta_data!;
      assert.equal(pages[0].offset, data.data_page_offset, `chunk ${i}: first page`);
      const last = pages.at(-1)!;
      assert.equal(
        last.offset + BigInt(last.compressed_page_size),
        data.data_page_offset + data.total_compressed_size,
        `chunk ${i}: last page ends where the chunk ends`,
      );
      const column = schema[1 + (i % 7)];
      const index = readColumnIndex(reader(c.column_index_offset, c.column_index_length), column);
      assert.equal(index.null_pages.length, pages.length);
    }
    // A reader that uses the page index still gets every row.
    const back = await parquetReadObjects({ file: file.slice().buffer, columns: ["id"] });
    assert.deepEqual(back.map((r) => r.id), rowsFrom(0, 38).map((r) => BigInt(r.id as number)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("mergeParquetParts refuses a part with other columns, naming it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const paths = await writeParts(dir, [5, 5]);
    const other: Schema = { columns: TRICKY_SCHEMA.columns.slice(0, 3) };
    const rows = rowsFrom(0, 3).map(({ id, name, amount }) => ({ id, name, amount }));
    const odd = `${dir}/odd.parquet`;
    await Deno.writeFile(odd, await encodeAll(parquetFormat, rows, { schema: other }));
    let written = 0;
    await assert.rejects(
      mergeParquetParts([...paths, odd], (b) => (written += b.length, Promise.resolve())),
      (err: Error) =>
        err instanceof FatalRunError && err.message.includes(`"${odd}" has other columns`),
    );
    assert.equal(written, 0, "nothing written before the mismatch was found");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("mergeParquetParts refuses no parts and a file that is not Parquet", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(
      mergeParquetParts([], () => Promise.resolve()),
      (err: Error) => err instanceof FatalRunError && err.message.includes("no Parquet parts"),
    );
    const csv = `${dir}/x.parquet`;
    await Deno.writeTextFile(csv, "id,name\n1,a\n2,b\n");
    await assert.rejects(
      mergeParquetParts([csv], () => Promise.resolve()),
      (err: Error) =>
        err instanceof FatalRunError &&
        err.message.includes(`"${csv}" cannot be merged: it does not end like a Parquet file`),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("mergeParquetParts streams 20 parts of ~1 MB in bounded chunks to a file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // One ~1 MB part of incompressible text, copied 20 times (the copies have the same schema).
    const noise = () => crypto.getRandomValues(new Uint8Array(500)).join("");
    const schema = { columns: TRICKY_SCHEMA.columns.slice(0, 2) };
    const rows = Array.from({ length: 900 }, (_, i) => ({ id: i, name: noise() }));
    const part = await encodeAll(parquetFormat, rows, {
      schema,
      config: { rowGroupSize: 300, compression: "none" },
      batch: 200,
    });
    assert.ok(part.length > 1_000_000, `${part.length} bytes`);
    const paths = Array.from({ length: 20 }, (_, i) => `${dir}/p${i}.parquet`);
    for (const p of paths) await Deno.writeFile(p, part);

    // Every read of part data is seen here: the largest one is what the merge holds at once.
    let largestRead = 0;
    const parts = async function* () {
      for (const p of paths) {
        const file = await fileParquetPart(p);
        yield {
          ...file,
          read: async (start: number, end: number) => {
            largestRead = Math.max(largestRead, end - start);
            return await file.read(start, end);
          },
        };
      }
    };
    const out = await Deno.open(`${dir}/merged.parquet`, { write: true, create: true });
    let largestWrite = 0;
    let result;
    try {
      result = await mergeParquetParts(parts(), async (bytes) => {
        largestWrite = Math.max(largestWrite, bytes.length);
        for (let at = 0; at < bytes.length;) at += await out.write(bytes.subarray(at));
      });
    } finally {
      out.close();
    }
    assert.ok(largestRead <= CHUNK_BYTES, `largest read ${largestRead}`);
    assert.ok(largestWrite <= CHUNK_BYTES, `largest write ${largestWrite}`);
    assert.deepEqual({ rows: result.rows, rowGroups: result.rowGroups }, {
      rows: 18_000,
      rowGroups: 60,
    });
    const merged = await Deno.readFile(`${dir}/merged.parquet`);
    assert.equal(merged.length, result.bytes);
    assert.ok(merged.length > 20_000_000);
    const table = arrow.tableFromIPC(pw.readParquet(merged).intoIPCStream());
    assert.equal(table.numRows, 18_000);
    const ids = [...table.getChild("id")!];
    assert.deepEqual(ids.slice(895, 905), [895n, 896n, 897n, 898n, 899n, 0n, 1n, 2n, 3n, 4n]);
    assert.equal(table.getChild("name")!.get(17_999), rows[899].name);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
