import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { parquetMetadata, parquetReadObjects } from "hyparquet";
import { ConfigError } from "../errors.ts";
import { encodeAll, TRICKY_ROWS, TRICKY_SCHEMA } from "../format/_fixtures.ts";
import { parquetFormat } from "../format/parquet.ts";
import { parquetThreadsRunning } from "../format/_parquet_thread.ts";
import { testContext } from "../testing.ts";
import type { Batch, LoadResult, Row, Sink, SinkState } from "../types.ts";
import { fileLoader } from "./file.ts";

/** Five batches of three rows, ids 1 to 15 in order. */
const BATCHES: Row[][] = [0, 1, 2, 3, 4].map((b) =>
  [0, 1, 2].map((r) => ({ ...TRICKY_ROWS[(b * 3 + r) % TRICKY_ROWS.length], id: b * 3 + r + 1 }))
);
const IDS = Array.from({ length: 15 }, (_, i) => BigInt(i + 1));

function batchOf(rows: Row[]): Batch {
  return { rows, refs: rows.map((r) => ({ source: "test", key: String(r.id) })), cursor: {} };
}

/** A run whose steps all share the output folder and run id. */
function runOf(dir: string, run = "run-1", formatConfig: unknown = {}) {
  const ctx = { ...testContext({ outputRoot: dir }), ids: { tenant: "t", pipeline: "p", run } };
  const config = fileLoader.config.parse({});
  const target = {
    format: parquetFormat,
    formatConfig: parquetFormat.config.parse(formatConfig),
    schema: TRICKY_SCHEMA,
    name: "patients",
  };
  return (resume?: SinkState): Promise<Sink> => fileLoader.open(ctx, config, target, resume);
}

async function writeBatches(sink: Sink, from: number, to: number): Promise<void> {
  for (const rows of BATCHES.slice(from, to)) await sink.write(batchOf(rows));
}

/** One step: open (resumed or not), write batches [from, to), checkpoint, suspend. */
async function step(
  open: (resume?: SinkState) => Promise<Sink>,
  resume: SinkState | undefined,
  from: number,
  to: number,
): Promise<SinkState> {
  const sink = await open(resume);
  await writeBatches(sink, from, to);
  const state = await sink.checkpoint!();
  await sink.suspend!();
  return state;
}

/** Names in the output folder other than the published file. */
function leftovers(dir: string): string[] {
  return [...Deno.readDirSync(dir)].map((e) => e.name).filter((n) => n !== "patients.parquet")
    .sort();
}

/** The rows of the published file, checking the result describes its bytes. */
async function published(dir: string, result: LoadResult): Promise<Record<string, unknown>[]> {
  assert.equal(result.location, "patients.parquet");
  const bytes = await Deno.readFile(join(dir, result.location));
  assert.equal(result.bytes, bytes.length, "bytes is the file size");
  const sha = createHash("sha256").update(bytes).digest("hex");
  assert.equal(result.checksum, `sha256:${sha}`, "checksum covers the whole file");
  assert.deepEqual(leftovers(dir), [], "no part or partial file left behind");
  return await parquetReadObjects({ file: bytes.slice().buffer });
}

/** The rows of the output of one sink writing all five batches at once. */
async function straight(): Promise<Record<string, unknown>[]> {
  const dir = await Deno.makeTempDir();
  try {
    const sink = await runOf(dir)();
    await writeBatches(sink, 0, 5);
    return await published(dir, await sink.commit());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("file parquet: written in one go is the encoder's single file, byte for byte", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const sink = await runOf(dir)();
    await writeBatches(sink, 0, 5);
    const result = await sink.commit();
    const expected = await encodeAll(parquetFormat, BATCHES.flat(), { batch: 3 });
    assert.deepEqual(await Deno.readFile(join(dir, "patients.parquet")), expected);
    assert.equal(result.records, 15);
    assert.deepEqual(leftovers(dir), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("file parquet: written in three steps reads back with the rows of one go, in order", async () => {
  const whole = await straight();
  const dir = await Deno.makeTempDir();
  try {
    const open = runOf(dir, "run 7/a");
    const first = await step(open, undefined, 0, 1);
    assert.deepEqual(first.parts, [".patients.parquet.run_7_a.part0.partial"]);
    assert.ok(!JSON.stringify(first).includes(dir), "the state holds no absolute path");
    assert.equal(first.records, 3);
    const second = await step(open, first, 1, 3);
    assert.equal(second.parts instanceof Array && second.parts.length, 2);
    assert.equal(second.records, 9);
    const last = await open(second);
    await writeBatches(last, 3, 5);
    const result = await last.commit();
    assert.equal(result.records, 15);
    const rows = await published(dir, result);
    assert.deepEqual(rows.map((r) => r.id), IDS);
    assert.deepEqual(rows, whole);
    const meta = parquetMetadata((await Deno.readFile(join(dir, "patients.parquet"))).buffer);
    assert.equal(meta.row_groups.length, 3, "one row group per step, joined as they were");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("file parquet: a step that crashed after its checkpoint leaves every row exactly once", async () => {
  const whole = await straight();
  const dir = await Deno.makeTempDir();
  try {
    const open = runOf(dir);
    const first = await step(open, undefined, 0, 1);
    // Step 2 checkpoints after two batches, writes a third, then dies before its commit.
    const crashing = await open(first);
    await writeBatches(crashing, 1, 3);
    const saved = await crashing.checkpoint!();
    await writeBatches(crashing, 3, 4);
    await crashing.suspend!();
    assert.ok(
      leftovers(dir).includes(".patients.parquet.run-1.part2.partial"),
      "lost part on disk",
    );
    // The retry starts from the last saved checkpoint and writes batch 4 again.
    const retry = await open(saved);
    await writeBatches(retry, 3, 5);
    const result = await retry.commit();
    assert.equal(result.records, 15);
    assert.deepEqual(await published(dir, result), whole, "every row exactly once");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("file parquet: a retry from an older checkpoint drops the parts made after it", async () => {
  const whole = await straight();
  const dir = await Deno.makeTempDir();
  try {
    const open = runOf(dir);
    const first = await step(open, undefined, 0, 1);
    // Step 2 finishes a part, but dies before the engine saves its checkpoint.
    await step(open, first, 1, 3);
    const retry = await open(first);
    await writeBatches(retry, 1, 5);
    const result = await retry.commit();
    assert.equal(result.records, 15);
    assert.deepEqual(await published(dir, result), whole, "every row exactly once");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("file parquet: abort removes the parts and the temporary file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // Row groups of 2 rows: the batches written after the checkpoint reach the helper thread.
    const open = runOf(dir, "run-1", { rowGroupSize: 2 });
    const first = await step(open, undefined, 0, 2);
    const sink = await open(first);
    await writeBatches(sink, 2, 3);
    await sink.checkpoint!();
    await writeBatches(sink, 3, 4);
    assert.equal(parquetThreadsRunning(), 1, "the step's rows are on the Parquet thread");
    await sink.abort();
    assert.deepEqual([...Deno.readDirSync(dir)], [], "nothing left in the output folder");
    assert.equal(parquetThreadsRunning(), 0, "abort ends the Parquet thread");

    // Aborted in the first step, after a checkpoint made its first part.
    const again = await open();
    await writeBatches(again, 0, 1);
    await again.checkpoint!();
    await writeBatches(again, 1, 2);
    await again.abort();
    assert.deepEqual([...Deno.readDirSync(dir)], [], "nothing left in the output folder");
    assert.equal(parquetThreadsRunning(), 0, "abort ends the Parquet thread");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("file parquet: steps without rows make no parts and publish an empty file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const open = runOf(dir);
    const first = await step(open, undefined, 0, 0);
    assert.deepEqual(first.parts, []);
    const second = await step(open, first, 0, 0);
    assert.deepEqual(second.parts, []);
    const last = await open(second);
    const result = await last.commit();
    assert.equal(result.records, 0);
    assert.deepEqual(await published(dir, result), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("file parquet: a last step without rows publishes the earlier parts", async () => {
  const whole = await straight();
  const dir = await Deno.makeTempDir();
  try {
    const open = runOf(dir);
    const first = await step(open, undefined, 0, 5);
    const last = await open(first);
    assert.deepEqual(await published(dir, await last.commit()), whole);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("file parquet: resuming when a part was deleted says the partial output is gone", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const open = runOf(dir);
    const state = await step(open, undefined, 0, 2);
    await Deno.remove(join(dir, (state.parts as string[])[0]));
    await assert.rejects(
      () => open(state),
      (err: Error) =>
        err instanceof ConfigError &&
        err.message.startsWith("The partial output of this run is gone") &&
        err.message.includes("start the run again") && !err.message.includes(dir),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("file parquet: a saved state naming a file outside the run's parts is refused", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const open = runOf(dir);
    const state = await step(open, undefined, 0, 1);
    await assert.rejects(
      () => open({ ...state, parts: ["../../etc/passwd"] }),
      ConfigError,
      "saved progress of this run's file output is damaged",
    );
    const sink = await open(state);
    await sink.abort();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
