import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { ConfigError } from "../errors.ts";
import { csvFormat } from "../format/csv.ts";
import { jsonFormat } from "../format/json.ts";
import { ndjsonFormat } from "../format/ndjson.ts";
import { sqlFormat } from "../format/sql.ts";
import { TRICKY_ROWS, TRICKY_SCHEMA } from "../format/_fixtures.ts";
import { testContext } from "../testing.ts";
import type { Batch, Format, LoadResult, LoadTarget, Row, Sink, SinkState } from "../types.ts";
import { fileLoader } from "./file.ts";

/** Five batches of three rows, every id once. */
const BATCHES: Row[][] = [0, 1, 2, 3, 4].map((b) =>
  [0, 1, 2].map((r) => ({ ...TRICKY_ROWS[(b * 3 + r) % TRICKY_ROWS.length], id: b * 3 + r + 1 }))
);

function batchOf(rows: Row[]): Batch {
  return { rows, refs: rows.map((r) => ({ source: "test", key: String(r.id) })), cursor: {} };
}

function targetOf(format: Format): LoadTarget {
  return {
    format,
    formatConfig: format.config.parse({}),
    schema: TRICKY_SCHEMA,
    name: "patients",
  };
}

/** A run whose steps all share the output folder and run id. */
function runOf(dir: string, format: Format, run = "run-1") {
  const ctx = { ...testContext({ outputRoot: dir }), ids: { tenant: "t", pipeline: "p", run } };
  const config = fileLoader.config.parse({});
  return (resume?: SinkState): Promise<Sink> =>
    fileLoader.open(ctx, config, targetOf(format), resume);
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

/** The published bytes, checking the result describes them. */
async function published(dir: string, result: LoadResult): Promise<Uint8Array> {
  const bytes = await Deno.readFile(join(dir, result.location));
  assert.equal(result.bytes, bytes.length, "bytes is the file size");
  const sha = createHash("sha256").update(bytes).digest("hex");
  assert.equal(result.checksum, `sha256:${sha}`, "checksum covers the whole file");
  const left = [...Deno.readDirSync(dir)].filter((e) => e.name.endsWith(".partial"));
  assert.deepEqual(left, [], "no partial file left behind");
  return bytes;
}

/** The output of one sink writing all five batches at once. */
async function straight(format: Format): Promise<{ bytes: Uint8Array; result: LoadResult }> {
  const dir = await Deno.makeTempDir();
  try {
    const sink = await runOf(dir, format)();
    await writeBatches(sink, 0, 5);
    const result = await sink.commit();
    return { bytes: await published(dir, result), result };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

for (const format of [csvFormat, jsonFormat, ndjsonFormat, sqlFormat]) {
  Deno.test(`file ${format.type}: written in three steps equals written at once`, async () => {
    const whole = await straight(format);
    const dir = await Deno.makeTempDir();
    try {
      const open = runOf(dir, format, "run 7/a");
      const first = await step(open, undefined, 0, 1);
      // Named after the run, so a step in another process finds it; no absolute path saved.
      assert.equal(first.temp, ".patients." + format.extension + ".run_7_a.partial");
      assert.ok(!JSON.stringify(first).includes(dir), "the state holds no absolute path");
      assert.equal(first.records, 3);
      const second = await step(open, first, 1, 3);
      assert.equal(second.records, 9);
      const last = await open(second);
      await writeBatches(last, 3, 5);
      const result = await last.commit();
      assert.equal(result.records, 15);
      assert.deepEqual(await published(dir, result), whole.bytes);
      assert.equal(result.checksum, whole.result.checksum);
      assert.equal(result.bytes, whole.result.bytes);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });

  Deno.test(`file ${format.type}: a step that crashed after its checkpoint leaves no duplicate rows`, async () => {
    const whole = await straight(format);
    const dir = await Deno.makeTempDir();
    try {
      const open = runOf(dir, format);
      const first = await step(open, undefined, 0, 1);
      // Step 2 checkpoints after two batches, writes a third, then dies before its commit.
      const crashing = await open(first);
      await writeBatches(crashing, 1, 3);
      const saved = await crashing.checkpoint!();
      await writeBatches(crashing, 3, 4);
      await crashing.suspend!();
      const temp = join(dir, saved.temp as string);
      assert.ok(
        (await Deno.stat(temp)).size > (saved.bytes as number),
        "the lost batch is on disk",
      );
      // The retry of step 2 starts from the last saved checkpoint and writes batch 4 again.
      const retry = await open(saved);
      await writeBatches(retry, 3, 5);
      const result = await retry.commit();
      assert.equal(result.records, 15);
      assert.deepEqual(await published(dir, result), whole.bytes, "every row exactly once");
      assert.equal(result.checksum, whole.result.checksum);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("file: resuming when the partial file was deleted says the partial output is gone", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const open = runOf(dir, csvFormat);
    const state = await step(open, undefined, 0, 2);
    await Deno.remove(join(dir, state.temp as string));
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

Deno.test("file: resuming a partial file shorter than its checkpoint is refused", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const open = runOf(dir, ndjsonFormat);
    const state = await step(open, undefined, 0, 2);
    await Deno.truncate(join(dir, state.temp as string), 10);
    await assert.rejects(() => open(state), ConfigError, "shorter than its last checkpoint");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("file: a first step tried again without a checkpoint starts over", async () => {
  const whole = await straight(jsonFormat);
  const dir = await Deno.makeTempDir();
  try {
    const open = runOf(dir, jsonFormat);
    const crashed = await open();
    await writeBatches(crashed, 0, 2);
    await crashed.suspend!();
    const sink = await open();
    await writeBatches(sink, 0, 5);
    assert.deepEqual(await published(dir, await sink.commit()), whole.bytes);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("file: abort after a resumed step removes the partial file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const open = runOf(dir, sqlFormat);
    const state = await step(open, undefined, 0, 1);
    const sink = await open(state);
    await writeBatches(sink, 1, 2);
    await sink.abort();
    assert.deepEqual([...Deno.readDirSync(dir)], [], "nothing left in the output folder");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
