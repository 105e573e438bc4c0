import assert from "node:assert/strict";
import { parquetReadObjects } from "hyparquet";
import { runPipeline } from "./pipeline.ts";
import { columnarPlan, planPipeline } from "./plan.ts";
import { startTestS3Server } from "./load/_s3_test_server.ts";
import { prepareRun, publishRun, runSlice } from "./steps.ts";
import { testContext } from "./testing.ts";
import type { Batch, Cursor, SinkState } from "./types.ts";
import { normalizeTransformer } from "./transform/normalize.ts";

/** Clinic rows with every kind of trouble: quotes, line breaks, bad values, ragged lines. */
const CSV = [
  "MRN,First Name,Birth Date,Visits,Weight,Consent,Note",
  '001,Ann,1990-02-03,4,61.5,yes,"said ""hi""\nthen left"',
  "002, Zoë ,1985-13-01,2,70,no,",
  "003,Bob,N/A,x,80,yes,plain",
  "004,José 💉,2001-07-09,,55.25,TRUE,",
  "005,Cy,2001-07-09,3",
  "",
  '006,"Smith, Al",1950-01-31,12,90.0,n,"a,b"',
  "007,Di,02/29/2024,1,+3.5,Y,ok",
].join("\r\n") + "\r\n";

const TYPES = { birth_date: "date", visits: "integer", weight: "decimal", consent: "boolean" };

function spec(repository: Record<string, unknown>) {
  return {
    version: 1,
    name: "clinic",
    source: { type: "csv", path: "in.csv" },
    transforms: [{ type: "normalize", types: TYPES }],
    output: { format: "parquet", rowGroupSize: 3 },
    repository,
    options: { batchSize: 2, maxRejected: 10 },
  };
}

/** Runs `fn`, noting which form of batch normalize is handed each time (which path ran). */
async function watchNormalize<T>(fn: () => Promise<T>): Promise<{ value: T; kinds: string[] }> {
  const kinds: string[] = [];
  const run = normalizeTransformer.run;
  normalizeTransformer.run = (ctx, config, batch) => {
    kinds.push(batch.columnar?.kind ?? "rows");
    return run(ctx, config, batch);
  };
  try {
    return { value: await fn(), kinds };
  } finally {
    normalizeTransformer.run = run;
  }
}

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/in.csv`, CSV);
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("CSV → normalize → Parquet by columns writes the file the row path writes", async () => {
  await withDir(async (dir) => {
    const options = { inputRoot: dir, outputRoot: dir };
    const rows = await runPipeline(spec({ type: "file", path: "rows.parquet" }), {
      ...options,
      columnar: false,
    });
    const { value: columns, kinds } = await watchNormalize(() =>
      runPipeline(spec({ type: "file", path: "columns.parquet" }), options)
    );
    // The plan runs normalize once on its sample of rows; the run hands it blocks.
    assert.deepEqual(kinds, ["rows", "csv", "csv", "csv", "csv"]);
    assert.equal(columns.status, "succeeded", columns.error);
    assert.deepEqual(columns.counts, rows.counts);
    assert.deepEqual(columns.counts, {
      read: 7,
      normalized: 4,
      mapped: 4,
      valid: 4,
      written: 4,
      rejected: 3,
    });
    assert.deepEqual(columns.rejected, rows.rejected);
    assert.deepEqual(columns.rejected.kept.map((r) => [r.ref.line, r.reason]), [
      [4, 'column "Birth Date": "1985-13-01" is not a valid date'],
      [5, 'column "Visits": "x" is not a whole number'],
      [7, "line 7 has 4 fields, header has 7"],
    ]);
    // Same bytes: the same columns went to the same writer.
    assert.equal(columns.output?.checksum, rows.output?.checksum);
    const file = await Deno.readFile(`${dir}/columns.parquet`);
    const read = await parquetReadObjects({ file: file.buffer });
    assert.deepEqual(
      read.map((r) => [r.mrn, r.first_name, r.birth_date, r.visits, r.weight, r.consent]),
      [
        ["001", "Ann", new Date("1990-02-03T00:00:00Z"), 4n, "61.5", true],
        ["004", "José 💉", new Date("2001-07-09T00:00:00Z"), null, "55.25", true],
        ["006", "Smith, Al", new Date("1950-01-31T00:00:00Z"), 12n, "90.0", false],
        ["007", "Di", new Date("2024-02-29T00:00:00Z"), 1n, "3.5", true],
      ],
    );
    assert.equal(read[0].note, 'said "hi"\nthen left');
  });
});

Deno.test("the columnar path is taken only where every stage can carry columns", async () => {
  const ctx = testContext({ inputRoot: "." });
  const base = spec({ type: "file", path: "x.parquet" });
  await withDir(async (dir) => {
    const at = { ...ctx, inputRoot: dir };
    assert.equal(columnarPlan(await planPipeline(base, at)), true);
    assert.equal(
      columnarPlan(await planPipeline({ ...base, output: { format: "ndjson" } }, at)),
      false,
    );
    assert.equal(
      columnarPlan(
        await planPipeline(
          { ...base, transforms: [{ type: "fhir-patient", preset: "generic" }] },
          at,
        ),
      ),
      false,
    );
  });
});

Deno.test("CSV → normalize → Parquet by columns into S3 stores what the file holds", async () => {
  const server = await startTestS3Server();
  try {
    await withDir(async (dir) => {
      const options = { inputRoot: dir, outputRoot: dir, allowPrivateNetwork: true };
      const file = await runPipeline(spec({ type: "file", path: "c.parquet" }), options);
      const s3 = await runPipeline(
        spec({
          type: "s3",
          bucket: server.bucket,
          endpoint: server.endpoint,
          forcePathStyle: true,
          accessKeyId: server.accessKeyId,
          secretAccessKey: server.secretAccessKey,
          key: "clinic.parquet",
        }),
        options,
      );
      assert.equal(s3.status, "succeeded", s3.error);
      assert.equal(s3.output?.checksum, file.output?.checksum);
      assert.equal(s3.output?.records, 4);
      const stored = await server.getObject("clinic.parquet");
      assert.deepEqual(stored?.bytes, await Deno.readFile(`${dir}/c.parquet`));
    });
  } finally {
    await server.close();
  }
});

Deno.test("by columns, too many rejected rows fail the run and leave no file", async () => {
  await withDir(async (dir) => {
    const strict = { ...spec({ type: "file", path: "strict.parquet" }) };
    strict.options = { batchSize: 2, maxRejected: 1 };
    const result = await runPipeline(strict, { inputRoot: dir, outputRoot: dir });
    assert.equal(result.status, "failed");
    assert.match(result.error ?? "", /More than 1 rows were rejected/);
    await assert.rejects(() => Deno.stat(`${dir}/strict.parquet`), Deno.errors.NotFound);
  });
});

/** Runs a prepared pipeline in slices of `rows` rows to the end and publishes it. */
async function inSteps(dir: string, path: string, rows: number, onBatch?: (b: Batch) => void) {
  const ctx = {
    ...testContext({ inputRoot: dir, outputRoot: dir }),
    ids: { tenant: "t", pipeline: "clinic", run: path },
  };
  const prepared = await prepareRun(spec({ type: "file", path }), ctx);
  let cursor: Cursor | null = null;
  let sink: SinkState | undefined;
  const rejected: unknown[] = [];
  for (let slices = 1; slices <= 50; slices++) {
    const slice = await runSlice(prepared, ctx, {
      from: cursor,
      sink,
      budget: { rows, ms: 60_000 },
      onBatch,
    });
    rejected.push(...slice.rejected.map((r) => [r.ref.line, r.reason]));
    cursor = slice.cursor;
    sink = slice.sink;
    if (slice.done) return { result: await publishRun(prepared, ctx, sink), rejected };
  }
  throw new Error("the source did not end in 50 slices");
}

Deno.test("by columns in steps (a run without a report), the published file is the row path's", async () => {
  await withDir(async (dir) => {
    const kinds: string[] = [];
    const byRows = await inSteps(dir, "rows.parquet", 2, (b) => {
      kinds.push(b.columnar?.kind ?? "rows");
    });
    // A run that counts a report sees rows; one without goes by columns.
    assert.ok(kinds.length > 0 && kinds.every((k) => k === "rows"));
    const { value: byColumns, kinds: handed } = await watchNormalize(() =>
      inSteps(dir, "columns.parquet", 2)
    );
    assert.ok(handed.includes("csv") && !handed.slice(1).includes("rows"), handed.join());
    assert.deepEqual(byColumns.rejected, byRows.rejected);
    assert.equal(byColumns.rejected.length, 3);
    assert.equal(byColumns.result.records, 4);
    assert.equal(byColumns.result.checksum, byRows.result.checksum);
  });
});
