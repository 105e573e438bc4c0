import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { ConfigError, RetriableError } from "../errors.ts";
import { csvFormat } from "../format/csv.ts";
import { ndjsonFormat } from "../format/ndjson.ts";
import { parquetFormat } from "../format/parquet.ts";
import { parquetThreadsRunning } from "../format/_parquet_thread.ts";
import { TRICKY_ROWS, TRICKY_SCHEMA } from "../format/_fixtures.ts";
import { assertEntryContract, testContext } from "../testing.ts";
import type { Format, LoadTarget, Row, Schema, Sink } from "../types.ts";
import { fileLoader } from "./file.ts";
import { S3Config, s3Loader } from "./s3.ts";
import { startTestS3Server, type TestS3Server } from "./_s3_test_server.ts";

const ctx = testContext({ allowPrivateNetwork: true });
const DEFAULT_KEY = "test-tenant/test-pipeline/test-run/2026-11-26";

function configFor(server: TestS3Server, extra: Record<string, unknown> = {}): S3Config {
  return S3Config.parse({
    bucket: server.bucket,
    endpoint: server.endpoint,
    forcePathStyle: true,
    accessKeyId: server.accessKeyId,
    secretAccessKey: server.secretAccessKey,
    connectTimeoutSeconds: 1,
    ...extra,
  });
}

/** Row groups of 2 rows: a few rows already reach the helper thread. */
const PARQUET_SMALL_GROUPS = parquetFormat.config.parse({ rowGroupSize: 2 });

function targetFor(format: Format, schema: Schema = TRICKY_SCHEMA): LoadTarget {
  return { format, formatConfig: format.config.parse({}), schema, name: "patients" };
}

async function writeRows(sink: Sink, rows: Row[], batch = 3): Promise<void> {
  for (let i = 0; i < rows.length; i += batch) {
    await sink.write({ rows: rows.slice(i, i + batch), refs: [], cursor: {} });
  }
}

const sha256 = (bytes: Uint8Array) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

/** A loopback port nothing listens on. */
function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

async function withServer(fn: (server: TestS3Server) => Promise<void>): Promise<void> {
  const server = await startTestS3Server();
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}

Deno.test("s3Loader keeps the entry contract", () => {
  assertEntryContract(s3Loader);
  assert.deepEqual(s3Loader.secrets, ["accessKeyId", "secretAccessKey"]);
  assert.equal(s3Loader.needsFormat, true);
});

Deno.test("s3Loader writes NDJSON byte for byte as the file repository does", async () => {
  await withServer(async (server) => {
    const target = targetFor(ndjsonFormat);
    const sink = await s3Loader.open(ctx, configFor(server), target);
    await writeRows(sink, TRICKY_ROWS);
    const key = `${DEFAULT_KEY}.ndjson`;
    assert.equal(await server.getObject(key), undefined, "nothing is visible before commit");
    const result = await sink.commit();

    const root = await Deno.makeTempDir();
    try {
      const fileSink = await fileLoader.open({ ...ctx, outputRoot: root }, {
        path: "p.ndjson",
        overwrite: true,
      }, target);
      await writeRows(fileSink, TRICKY_ROWS);
      await fileSink.commit();
      const expected = await Deno.readFile(join(root, "p.ndjson"));
      const stored = await server.getObject(key);
      assert.ok(stored, "the object exists after commit");
      assert.deepEqual(stored.bytes, expected);
      assert.equal(stored.contentType, "application/x-ndjson");
      assert.deepEqual(result, {
        records: TRICKY_ROWS.length,
        bytes: expected.length,
        location: `s3://test-bucket/${key}`,
        checksum: sha256(stored.bytes),
        etag: stored.etag,
      });
      assert.match(result.etag ?? "", /^[0-9a-f]{32}$/);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  });
});

Deno.test("s3Loader fills the key template from the run's names, date and extension", async () => {
  await withServer(async (server) => {
    const run = { ...ctx, ids: { tenant: "clinic-7", pipeline: "flu-shots", run: "r42" } };
    const config = configFor(server, { key: "exports/{pipeline}/{date}/{run}-{tenant}.{ext}" });
    const sink = await s3Loader.open(run, config, targetFor(csvFormat));
    await writeRows(sink, TRICKY_ROWS.slice(0, 2));
    const result = await sink.commit();
    const key = "exports/flu-shots/2026-11-26/r42-clinic-7.csv";
    assert.equal(result.location, `s3://test-bucket/${key}`);
    const stored = await server.getObject(key);
    assert.ok(stored);
    assert.match(new TextDecoder().decode(stored.bytes), /^id,name,amount,active,born/);
  });
});

const BIG_SCHEMA: Schema = {
  columns: [
    { name: "id", type: "integer" },
    { name: "name", type: "string" },
    { name: "note", type: "string" },
  ],
};
/** About `mb` MB of CSV in 1,000-row batches. */
function bigBatches(mb: number): Row[][] {
  const batches: Row[][] = [];
  const rows = Math.ceil(mb * 1024 * 1024 / 100);
  for (let i = 0; i < rows; i += 1000) {
    batches.push(Array.from({ length: Math.min(1000, rows - i) }, (_, j) => ({
      id: i + j,
      name: `Patient ${i + j}`,
      note: `visit, "follow-up" ${"x".repeat(60)}`,
    })));
  }
  return batches;
}

Deno.test("s3Loader uploads a 12 MB CSV in 5 MB parts and it reads back byte-exact", async () => {
  await withServer(async (server) => {
    const target = targetFor(csvFormat, BIG_SCHEMA);
    const sink = await s3Loader.open(ctx, configFor(server, { partSizeMB: 5 }), target);
    const encoder = csvFormat.create(csvFormat.config.parse({}), BIG_SCHEMA, { table: "p" });
    const hash = createHash("sha256");
    let size = 0;
    for (const rows of bigBatches(12)) {
      const bytes = await encoder.encode(rows);
      hash.update(bytes);
      size += bytes.length;
      await sink.write({ rows, refs: [], cursor: {} });
    }
    const key = `${DEFAULT_KEY}.csv`;
    assert.equal(await server.getObject(key), undefined, "parts are not an object yet");
    const result = await sink.commit();

    assert.ok(size > 12 * 1024 * 1024);
    assert.equal(result.bytes, size);
    assert.equal(result.checksum, `sha256:${hash.digest("hex")}`);
    const stored = await server.getObject(key);
    assert.ok(stored);
    assert.equal(stored.bytes.length, size);
    assert.equal(sha256(stored.bytes), result.checksum);
    assert.equal(result.etag, stored.etag);
    const parts = server.requests.filter((r) => r.method === "PUT" && /partNumber=/.test(r.url));
    assert.equal(parts.length, 3, "12 MB in 5 MB parts is three parts");
    assert.ok(parts.every((r) => r.status === 200));
    assert.deepEqual(await server.pendingUploadFiles(), [], "completing removed the parts");
  });
});

Deno.test("s3Loader abort after several parts leaves no object and cancels the upload", async () => {
  await withServer(async (server) => {
    const sink = await s3Loader.open(
      ctx,
      configFor(server, { partSizeMB: 5 }),
      targetFor(csvFormat, BIG_SCHEMA),
    );
    for (const rows of bigBatches(11)) await sink.write({ rows, refs: [], cursor: {} });
    const error = await sink.abort().then(() => undefined, (err: Error) => err);

    assert.equal(await server.getObject(`${DEFAULT_KEY}.csv`), undefined);
    const part = server.requests.find((r) => r.method === "PUT" && /partNumber=1\b/.test(r.url));
    assert.ok(part, "at least one part was uploaded before the abort");
    const uploadId = new URL(part.url, server.endpoint).searchParams.get("uploadId");
    const cancel = server.requests.find((r) =>
      r.method === "DELETE" && r.url.includes(`uploadId=${uploadId}`)
    );
    assert.ok(cancel, "AbortMultipartUpload was sent for this upload");
    assert.ok(!server.requests.some((r) => r.method === "POST" && /uploadId=/.test(r.url)));
    if (cancel.status === 204) {
      assert.equal(error, undefined);
      assert.deepEqual(await server.pendingUploadFiles(), []);
    } else {
      // s3rver 3.7.1 has no AbortMultipartUpload (405): its parts stay, and the sink says so.
      assert.equal(cancel.status, 405);
      assert.ok(error instanceof ConfigError);
      assert.match(
        error.message,
        /^Could not cancel the unfinished upload to s3:\/\/test-bucket\/test-tenant\/.*\.csv, so its parts stay in the bucket/,
      );
      assert.ok((await server.pendingUploadFiles()).some((f) => f.startsWith(`${uploadId}/`)));
    }
  });
});

Deno.test("s3Loader abort of a small upload sends nothing and leaves no object", async () => {
  await withServer(async (server) => {
    const sink = await s3Loader.open(ctx, configFor(server), targetFor(ndjsonFormat));
    await writeRows(sink, TRICKY_ROWS);
    await sink.abort();
    await sink.abort(); // the pipeline may abort twice; the second does nothing
    assert.equal(await server.getObject(`${DEFAULT_KEY}.ndjson`), undefined);
    assert.deepEqual(server.requests.filter((r) => r.method !== "GET"), [], "no PUT or POST");
  });
});

Deno.test("s3Loader abort of a Parquet upload ends the Parquet thread and leaves no object", async () => {
  await withServer(async (server) => {
    const target = { ...targetFor(parquetFormat), formatConfig: { ...PARQUET_SMALL_GROUPS } };
    const sink = await s3Loader.open(ctx, configFor(server), target);
    await writeRows(sink, TRICKY_ROWS);
    assert.equal(parquetThreadsRunning(), 1, "the rows are on the Parquet thread");
    await sink.abort();
    assert.equal(parquetThreadsRunning(), 0);
    assert.equal(await server.getObject(`${DEFAULT_KEY}.parquet`), undefined);
  });
});

Deno.test("s3Loader test() says the bucket is reachable", async () => {
  await withServer(async (server) => {
    assert.deepEqual(await s3Loader.test!(ctx, configFor(server)), {
      message: `Bucket test-bucket reachable at 127.0.0.1:${server.port}`,
    });
  });
});

Deno.test("s3Loader names a missing bucket in test(), at commit and while writing", async () => {
  await withServer(async (server) => {
    const config = configFor(server, { bucket: "no-such-bucket" });
    const expected =
      `The bucket "no-such-bucket" does not exist at 127.0.0.1:${server.port}: check the bucket name`;
    await assert.rejects(s3Loader.test!(ctx, config), (err) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.message, expected);
      return true;
    });
    const sink = await s3Loader.open(ctx, config, targetFor(ndjsonFormat));
    await writeRows(sink, TRICKY_ROWS);
    await assert.rejects(sink.commit(), { name: "ConfigError", message: expected });
    await sink.abort();

    // A large output starts its multipart upload while the run writes: a write fails once the
    // uploaders (2 parts in flight) gave up, instead of waiting for an upload that stopped reading.
    const big = await s3Loader.open(
      ctx,
      { ...config, partSizeMB: 5 },
      targetFor(csvFormat, BIG_SCHEMA),
    );
    let written = 0;
    await assert.rejects(async () => {
      for (const rows of bigBatches(20)) {
        await big.write({ rows, refs: [], cursor: {} });
        written += rows.length;
      }
    }, { name: "ConfigError", message: expected });
    assert.ok(written * 100 < 3 * 5 * 1024 * 1024, `stopped after ${written} rows`);
    await big.abort();
  });
});

Deno.test("s3Loader asks to check the access key when the store does not know it", async () => {
  // s3rver checks that the access key id exists but not signature V4, so a wrong secret with
  // a known key id is accepted there: the unknown key id is what can be tested for real.
  await withServer(async (server) => {
    const config = configFor(server, { accessKeyId: "AKIAUNKNOWNKEY000001" });
    const expected = `The storage at 127.0.0.1:${server.port} did not accept the credentials ` +
      "(InvalidAccessKeyId): check the access key and secret";
    await assert.rejects(s3Loader.test!(ctx, config), { name: "ConfigError", message: expected });
    const sink = await s3Loader.open(ctx, config, targetFor(ndjsonFormat));
    await writeRows(sink, TRICKY_ROWS);
    await assert.rejects(sink.commit(), { name: "ConfigError", message: expected });
    await sink.abort();
  });
});

Deno.test("s3Loader says quickly when nothing listens at the endpoint", async () => {
  const port = closedPort();
  const config = S3Config.parse({
    bucket: "b1",
    endpoint: `http://127.0.0.1:${port}`,
    forcePathStyle: true,
    accessKeyId: "k",
    secretAccessKey: "s",
    connectTimeoutSeconds: 1,
  });
  const expected = `Could not reach the storage at 127.0.0.1:${port} (connection refused): ` +
    "check the endpoint address and port, and that the storage server is running and reachable from here";
  const started = Date.now();
  await assert.rejects(s3Loader.test!(ctx, config), (err) => {
    assert.ok(err instanceof RetriableError);
    assert.equal(err.message, expected);
    return true;
  });
  const sink = await s3Loader.open(ctx, config, targetFor(ndjsonFormat));
  await writeRows(sink, TRICKY_ROWS);
  await assert.rejects(sink.commit(), { name: "RetriableError", message: expected });
  await sink.abort();
  assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
});

Deno.test("s3Loader refuses a private endpoint unless the deployment allows it", async () => {
  await withServer(async (server) => {
    const hosted = testContext({ allowPrivateNetwork: false });
    const config = configFor(server);
    const expected =
      /^The host "127\.0\.0\.1" resolves to 127\.0\.0\.1, a private or local network/;
    await assert.rejects(s3Loader.test!(hosted, config), {
      name: "ConfigError",
      message: expected,
    });
    await assert.rejects(s3Loader.open(hosted, config, targetFor(ndjsonFormat)), {
      name: "ConfigError",
      message: expected,
    });
    assert.deepEqual(server.requests, [], "nothing reached the server");
  });
});

Deno.test("s3Loader never shows the access key or secret in a message", async () => {
  const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRET0001";
  const keyId = "AKIASECRETKEYID00001";
  await withServer(async (server) => {
    const messages: string[] = [];
    const attempts = [
      configFor(server, { accessKeyId: keyId, secretAccessKey: secret }),
      // s3rver does not check secrets, so this one reaches the bucket check.
      configFor(server, { bucket: "missing", secretAccessKey: secret }),
      S3Config.parse({
        bucket: "b1",
        endpoint: `http://127.0.0.1:${closedPort()}`,
        forcePathStyle: true,
        accessKeyId: keyId,
        secretAccessKey: secret,
      }),
    ];
    for (const config of attempts) {
      await s3Loader.test!(ctx, config).catch((err: Error) => messages.push(err.message));
      const sink = await s3Loader.open(ctx, config, targetFor(ndjsonFormat));
      await writeRows(sink, TRICKY_ROWS);
      await sink.commit().catch((err: Error) => messages.push(err.message));
      await sink.abort();
    }
    const parsed = S3Config.safeParse({ bucket: "b", accessKeyId: keyId, secretAccessKey: 5 });
    messages.push(JSON.stringify(parsed.error?.issues));
    assert.equal(messages.length, 7);
    for (const message of messages) {
      assert.ok(!message.includes(secret), message);
      assert.ok(!message.includes(keyId), message);
    }
  });
});

Deno.test("s3Loader lists unknown key placeholders and refuses unsafe keys", async () => {
  const base = { bucket: "b1", accessKeyId: "k", secretAccessKey: "s" };
  const parsed = S3Config.safeParse({ ...base, key: "{tenant}/{user}/{Date}.{ext}" });
  assert.equal(parsed.success, false);
  assert.deepEqual(parsed.error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`), [
    "key: unknown placeholders {user}, {Date}; use only {tenant}, {pipeline}, {run}, {date}, {ext}",
  ]);

  const config = S3Config.parse(base);
  const open = (key: string) => s3Loader.open(ctx, { ...config, key }, targetFor(ndjsonFormat));
  await assert.rejects(open("{tenant}/{user}.{ext}"), {
    name: "ConfigError",
    message:
      'The object key "{tenant}/{user}.{ext}" uses unknown placeholders {user}; use only {tenant}, {pipeline}, {run}, {date}, {ext}',
  });
  await assert.rejects(open("/{tenant}/x.{ext}"), {
    name: "ConfigError",
    message: 'The object key "/test-tenant/x.ndjson" (from "/{tenant}/x.{ext}") cannot be used: ' +
      'it starts with "/"',
  });
  await assert.rejects(open("{tenant}/../other/x.{ext}"), /it contains a "\.\." segment/);
  await assert.rejects(
    open("{tenant}/x\u0007.{ext}"),
    /"test-tenant\/x\?\.ndjson".*control character/,
  );
});
