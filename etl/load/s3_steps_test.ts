import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { parquetReadObjects } from "hyparquet";
import { getRun, startRun, startWorker } from "../../runs/engine.ts";
import { createKvQueue } from "../../runs/kv_queue.ts";
import type { RunRecord } from "../../runs/run_record.ts";
import { ConfigError, RetriableError } from "../errors.ts";
import { csvFormat } from "../format/csv.ts";
import { ndjsonFormat } from "../format/ndjson.ts";
import { runPipeline } from "../pipeline.ts";
import { discardRun, type PreparedRun, prepareRun, publishRun, runSlice } from "../steps.ts";
import { failure, testContext } from "../testing.ts";
import type { Cursor, LoadResult, RunContext, SinkState } from "../types.ts";
import { s3Loader } from "./s3.ts";
import { startTestS3Server, type TestS3Server } from "./_s3_test_server.ts";

/** Ten patients, ids 1 to 10 in order. */
const ROWS = Array.from({ length: 10 }, (_, i) => ({ id: i + 1, name: `Patient ${i + 1}` }));
const IDS = ROWS.map((r) => r.id);
const CSV = ["id,name", ...ROWS.map((r) => `${r.id},${r.name}`)].join("\n") + "\n";
/** Three rows a step: ten rows take four slices. */
const BUDGET = { rows: 3, ms: 60_000 };

/** A loopback port nothing listens on. */
function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

function specFor(endpoint: string, format: string, key = "steps/{run}.{ext}") {
  return {
    version: 1,
    name: "patients",
    source: { type: "csv", path: "patients.csv" },
    transforms: [],
    output: { format },
    repository: {
      type: "s3",
      bucket: "test-bucket",
      endpoint,
      forcePathStyle: true,
      accessKeyId: "S3RVER",
      secretAccessKey: "S3RVER",
      connectTimeoutSeconds: 1,
      key,
    },
  };
}

/** A test S3 server and a folder holding the input CSV and the output root. */
async function withStore(
  fn: (server: TestS3Server, dir: string, ctx: RunContext) => Promise<void>,
): Promise<void> {
  const server = await startTestS3Server();
  const dir = await Deno.makeTempDir({ prefix: "s3_steps_" });
  try {
    await Deno.writeTextFile(join(dir, "patients.csv"), CSV);
    const ctx = {
      ...testContext({ allowPrivateNetwork: true, inputRoot: dir, outputRoot: dir }),
      ids: { tenant: "clinic-1", pipeline: "patients", run: "run-1" },
    };
    await fn(server, dir, ctx);
  } finally {
    await Deno.remove(dir, { recursive: true });
    await server.close();
  }
}

/** Runs slices until the source is done; returns the last sink state and the slices run. */
async function readAll(
  prepared: PreparedRun,
  ctx: RunContext,
  from: { cursor?: Cursor | null; sink?: SinkState } = {},
): Promise<{ sink: SinkState; slices: number }> {
  let cursor = from.cursor ?? null;
  let sink = from.sink;
  for (let slices = 1; slices <= 50; slices++) {
    const slice = await runSlice(prepared, ctx, { from: cursor, sink, budget: BUDGET });
    cursor = slice.cursor;
    sink = slice.sink;
    if (slice.done) return { sink, slices };
  }
  throw new Error("the source did not end in 50 slices");
}

/** Files (not folders) left under the output root's `.s3-staging`. */
async function staged(dir: string): Promise<string[]> {
  const files: string[] = [];
  const walk = async (path: string, rel: string) => {
    for await (const entry of Deno.readDir(path)) {
      const sub = `${rel}/${entry.name}`;
      if (entry.isDirectory) await walk(join(path, entry.name), sub);
      else files.push(sub);
    }
  };
  await walk(join(dir, ".s3-staging"), ".s3-staging").catch((err) => {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  });
  return files.sort();
}

/** The stored object of a result, checking the result describes its bytes. */
async function stored(server: TestS3Server, result: LoadResult): Promise<Uint8Array> {
  const prefix = `s3://${server.bucket}/`;
  assert.ok(result.location.startsWith(prefix), result.location);
  const object = await server.getObject(result.location.slice(prefix.length));
  assert.ok(object, `${result.location} exists`);
  assert.equal(result.bytes, object.bytes.length, "bytes is the object's size");
  const sha = createHash("sha256").update(object.bytes).digest("hex");
  assert.equal(result.checksum, `sha256:${sha}`, "checksum covers the whole object");
  assert.equal(result.etag, object.etag);
  return object.bytes;
}

const ndjsonIds = (bytes: Uint8Array) =>
  new TextDecoder().decode(bytes).trim().split("\n").map((line) => Number(JSON.parse(line).id));

Deno.test("s3 in steps: NDJSON in four steps is one object with every row once, nothing staged", async () => {
  await withStore(async (server, dir, ctx) => {
    const prepared = await prepareRun(specFor(server.endpoint, "ndjson"), ctx);
    const { sink, slices } = await readAll(prepared, ctx);
    assert.equal(slices, 4);
    assert.deepEqual(Object.keys(sink).sort(), ["bucket", "file", "key"]);
    assert.equal(sink.key, "steps/run-1.ndjson");
    assert.equal(await server.getObject("steps/run-1.ndjson"), undefined, "nothing before publish");
    assert.ok((await staged(dir)).length > 0, "the output is staged while the run reads");
    assert.ok(!server.requests.some((r) => r.method === "PUT" || r.method === "POST"));

    const result = await publishRun(prepared, ctx, sink);
    assert.equal(result.location, "s3://test-bucket/steps/run-1.ndjson");
    assert.equal(result.records, 10);
    const bytes = await stored(server, result);
    assert.deepEqual(ndjsonIds(bytes), IDS);
    const object = await server.getObject("steps/run-1.ndjson");
    assert.equal(object?.contentType, ndjsonFormat.contentType);
    assert.deepEqual(await staged(dir), [], "nothing left under .s3-staging");
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), [
      ".s3-staging",
      "patients.csv",
    ]);

    // A straight run (CLI) still streams, and uploads the same bytes.
    const straight = await runPipeline(specFor(server.endpoint, "ndjson", "straight.{ext}"), {
      inputRoot: dir,
      outputRoot: dir,
      allowPrivateNetwork: true,
    });
    assert.equal(straight.status, "succeeded", straight.error);
    assert.deepEqual(await stored(server, straight.output!), bytes);
    assert.equal(straight.output!.checksum, result.checksum);
  });
});

Deno.test("s3 in steps: a slice done again after a crash still gives every row once", async () => {
  await withStore(async (server, dir, ctx) => {
    const prepared = await prepareRun(specFor(server.endpoint, "ndjson"), ctx);
    const first = await runSlice(prepared, ctx, { budget: BUDGET });
    // The second slice writes and checkpoints, but its process dies before the engine saves
    // its state: the engine delivers the same slice again from the first one's state.
    const lost = await runSlice(prepared, ctx, {
      from: first.cursor,
      sink: first.sink,
      budget: BUDGET,
    });
    assert.equal(lost.read, 3);
    const { sink } = await readAll(prepared, ctx, { cursor: first.cursor, sink: first.sink });
    const result = await publishRun(prepared, ctx, sink);
    assert.equal(result.records, 10);
    assert.deepEqual(ndjsonIds(await stored(server, result)), IDS);
    assert.deepEqual(await staged(dir), []);
  });
});

Deno.test("s3 in steps: Parquet in four steps reads back with every row, in order", async () => {
  await withStore(async (server, dir, ctx) => {
    const prepared = await prepareRun(specFor(server.endpoint, "parquet"), ctx);
    const { sink, slices } = await readAll(prepared, ctx);
    assert.equal(slices, 4);
    const result = await publishRun(prepared, ctx, sink);
    assert.equal(result.location, "s3://test-bucket/steps/run-1.parquet");
    assert.equal(result.records, 10);
    const bytes = await stored(server, result);
    const rows = await parquetReadObjects({ file: bytes.slice().buffer });
    assert.equal(rows.length, 10);
    assert.deepEqual(rows.map((r) => Number(r.id)), IDS);
    assert.deepEqual(rows.map((r) => r.name), ROWS.map((r) => r.name));
    assert.deepEqual(await staged(dir), []);
  });
});

Deno.test("s3 in steps: discarding a run leaves no object and nothing staged", async () => {
  await withStore(async (server, dir, ctx) => {
    const prepared = await prepareRun(specFor(server.endpoint, "parquet"), ctx);
    const first = await runSlice(prepared, ctx, { budget: BUDGET });
    const second = await runSlice(prepared, ctx, {
      from: first.cursor,
      sink: first.sink,
      budget: BUDGET,
    });
    assert.ok((await staged(dir)).length > 0);
    await discardRun(prepared, ctx, second.sink);
    assert.deepEqual(await staged(dir), []);
    assert.equal(await server.getObject("steps/run-1.parquet"), undefined);
    assert.ok(!server.requests.some((r) => r.method === "PUT" || r.method === "POST"));
  });
});

Deno.test("s3 in steps: a run whose staged output went missing fails, and discarding it cleans up", async () => {
  await withStore(async (server, dir, ctx) => {
    const prepared = await prepareRun(specFor(server.endpoint, "parquet"), ctx);
    const first = await runSlice(prepared, ctx, { budget: BUDGET });
    const second = await runSlice(prepared, ctx, {
      from: first.cursor,
      sink: first.sink,
      budget: BUDGET,
    });
    const files = await staged(dir);
    assert.equal(files.length, 3, files.join(", ")); // two parts and the next part's file
    await Deno.remove(join(dir, files[0]));
    const err = await failure(
      runSlice(prepared, ctx, { from: second.cursor, sink: second.sink, budget: BUDGET }),
    );
    assert.ok(err instanceof ConfigError);
    assert.match(err.message, /^The partial output of this run is gone .*start the run again$/);
    await discardRun(prepared, ctx, second.sink);
    assert.deepEqual(await staged(dir), []);
    assert.equal(await server.getObject("steps/run-1.parquet"), undefined);
  });
});

/** The ids of a JSON array or a Parquet file. */
async function idsOf(format: string, bytes: Uint8Array): Promise<number[]> {
  const rows: { id: unknown }[] = format === "json"
    ? JSON.parse(new TextDecoder().decode(bytes))
    : await parquetReadObjects({ file: bytes.slice().buffer });
  return rows.map((r) => Number(r.id));
}

// JSON: the first commit already closed the array. Parquet: it joined the parts and removed
// them. Either way the retry uploads what the first commit finished.
for (const format of ["json", "parquet"]) {
  Deno.test(`s3 in steps: a ${format} publish whose upload failed succeeds when tried again`, async () => {
    await withStore(async (server, dir, ctx) => {
      const prepared = await prepareRun(specFor(server.endpoint, format), ctx);
      const { sink } = await readAll(prepared, ctx);
      // The same run with its storage unreachable at publish time.
      const port = closedPort();
      const down = { ...prepared, spec: specFor(`http://127.0.0.1:${port}`, format) };
      const err = await failure(publishRun(down, ctx, sink));
      assert.ok(err instanceof RetriableError, `${err.name}: ${err.message}`);
      assert.match(
        err.message,
        new RegExp(`^Could not reach the storage at 127\\.0\\.0\\.1:${port}`),
      );
      assert.deepEqual(
        await staged(dir),
        [`.s3-staging/clinic-1/run-1/run-1.${format}`],
        "the finished output waits for the retry",
      );

      const result = await publishRun(prepared, ctx, sink);
      assert.equal(result.records, 10);
      assert.deepEqual(await idsOf(format, await stored(server, result)), IDS);
      assert.deepEqual(await staged(dir), []);
    });
  });
}

Deno.test("s3 in steps: a state saved for another object key is refused", async () => {
  await withStore(async (server, _dir, ctx) => {
    const prepared = await prepareRun(specFor(server.endpoint, "ndjson"), ctx);
    const first = await runSlice(prepared, ctx, { budget: BUDGET });
    const target = {
      format: ndjsonFormat,
      formatConfig: {},
      schema: prepared.schema,
      name: "patients",
      steps: true,
    };
    const config = s3Loader.config.parse({ ...specFor(server.endpoint, "ndjson").repository });
    const moved = { ...config, key: "elsewhere/{run}.{ext}" };
    const err = await failure(s3Loader.open(ctx, moved, target, first.sink));
    assert.ok(err instanceof ConfigError);
    assert.equal(
      err.message,
      "The object of this run changed between its steps (from s3://test-bucket/steps/run-1.ndjson " +
        "to s3://test-bucket/elsewhere/run-1.ndjson); start the run again",
    );
    const sink = await s3Loader.open(ctx, config, target, first.sink);
    await sink.abort();
  });
});

Deno.test("s3 in steps: a staged output of 12 MB is uploaded in 5 MB parts, byte-exact", async () => {
  await withStore(async (server, dir, ctx) => {
    const config = s3Loader.config.parse({
      ...specFor(server.endpoint, "csv").repository,
      partSizeMB: 5,
    });
    const schema = {
      columns: [{ name: "id", type: "integer" as const }, {
        name: "note",
        type: "string" as const,
      }],
    };
    const target = {
      format: csvFormat,
      formatConfig: csvFormat.config.parse({}),
      schema,
      name: "patients",
      steps: true,
    };
    let state: SinkState | undefined;
    for (let step = 0; step < 3; step++) {
      const sink = await s3Loader.open(ctx, config, target, state);
      for (let b = 0; b < 40; b++) {
        const rows = Array.from({ length: 1000 }, (_, i) => ({
          id: step * 40_000 + b * 1000 + i,
          note: "x".repeat(100),
        }));
        await sink.write({ rows, refs: [], cursor: {} });
      }
      state = await sink.checkpoint!();
      await sink.suspend!();
    }
    const result = await (await s3Loader.open(ctx, config, target, state)).commit();
    assert.equal(result.records, 120_000);
    assert.ok(result.bytes > 12 * 1024 * 1024, `${result.bytes} bytes`);
    await stored(server, result);
    const parts = server.requests.filter((r) => r.method === "PUT" && /partNumber=/.test(r.url));
    assert.equal(parts.length, 3);
    assert.deepEqual(await staged(dir), []);
  });
});

async function untilFinal(kv: Deno.Kv, tenant: string, id: string): Promise<RunRecord> {
  for (let i = 0; i < 800; i++) {
    const run = await getRun(kv, tenant, id);
    if (run && ["succeeded", "failed", "cancelled"].includes(run.status)) return run;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error("the run did not end");
}

Deno.test("s3 in steps: the run engine runs an S3 pipeline to a published object", async () => {
  await withStore(async (server, dir) => {
    const kv = await Deno.openKv(":memory:");
    const deps = {
      kv,
      queue: createKvQueue(kv),
      inputRoot: dir,
      outputRoot: dir,
      allowPrivateNetwork: true,
      budget: BUDGET,
    };
    const stop = startWorker(deps);
    try {
      const started = await startRun(deps, {
        tenant: "clinic-2",
        spec: specFor(server.endpoint, "ndjson", "{tenant}/{pipeline}/{run}.{ext}"),
      });
      const run = await untilFinal(kv, "clinic-2", started.id);
      assert.equal(run.status, "succeeded", run.error);
      // prepare, four slices, publish
      assert.equal(run.steps, 6);
      assert.equal(run.counts.written, 10);
      assert.equal(run.output?.location, `s3://test-bucket/clinic-2/patients/${started.id}.ndjson`);
      assert.deepEqual(ndjsonIds(await stored(server, run.output!)), IDS);
      assert.deepEqual(await staged(dir), []);
    } finally {
      await stop();
      kv.close();
    }
  });
});
