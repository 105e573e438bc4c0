import assert from "node:assert/strict";
import { ConfigError } from "../etl/errors.ts";
import { signWebhook, verifyWebhook } from "../triggers/signature.ts";
import { MASK, maskSpec } from "./mask.ts";
import {
  createPipeline,
  findPipelineForWebhook,
  getPipeline,
  listPipelines,
  pipelineKeys,
} from "./store.ts";

const spec = (name = "patients") => ({
  version: 1,
  name,
  source: { type: "csv", path: "data/samples/synthea/patients.csv" },
  repository: { type: "file", path: "Patient.ndjson" },
  output: { format: "ndjson" },
});

Deno.test("pipelines are saved per tenant with a random id and their own webhook secret", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const a = await createPipeline(kv, "clinic-a", spec("first"));
    const b = await createPipeline(kv, "clinic-a", spec("second"));
    assert.match(a.id, /^[0-9a-f]{32}$/);
    assert.notEqual(a.id, b.id);
    assert.notEqual(a.webhookSecret, b.webhookSecret);
    assert.equal(a.name, "first");
    assert.deepEqual(await getPipeline(kv, "clinic-a", a.id), a);
    assert.equal(await getPipeline(kv, "clinic-b", a.id), undefined, "another tenant sees nothing");
    assert.deepEqual((await listPipelines(kv, "clinic-a")).map((p) => p.name), ["first", "second"]);
    assert.deepEqual(await listPipelines(kv, "clinic-b"), []);
    assert.deepEqual((await kv.get(pipelineKeys.pipeline("clinic-a", a.id))).value, a);

    const found = await findPipelineForWebhook(kv, a.id);
    assert.equal(found?.tenant, "clinic-a");
    const body = '{"go":1}';
    const ok = await verifyWebhook(
      found!.pipeline.webhookSecret,
      await signWebhook(a.webhookSecret, body),
      body,
    );
    assert.equal(ok.ok, true);
    assert.equal(await findPipelineForWebhook(kv, "f".repeat(32)), undefined);
  } finally {
    kv.close();
  }
});

Deno.test("a bad spec is refused with every problem and nothing is saved", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    await assert.rejects(
      () => createPipeline(kv, "clinic-a", { ...spec(), source: { type: "csv" }, version: 2 }),
      (err: unknown) =>
        err instanceof ConfigError && err.problems.length === 1 &&
        /^version: /.test(err.problems[0]),
    );
    await assert.rejects(
      () => createPipeline(kv, "clinic-a", { ...spec(), source: { type: "xls" } }),
      (err: unknown) =>
        err instanceof ConfigError && /unknown source type "xls"/.test(err.problems[0]),
    );
    assert.deepEqual(await listPipelines(kv, "clinic-a"), []);
  } finally {
    kv.close();
  }
});

Deno.test("secret fields of sources and repositories are masked, the rest left as sent", () => {
  const raw = {
    ...spec(),
    source: { type: "rest", url: "https://api.example/p", auth: "bearer", token: "tok-123" },
    repository: {
      type: "s3",
      bucket: "b",
      key: "k",
      accessKeyId: "AKIAEXAMPLE",
      secretAccessKey: "s3cr3t",
    },
  };
  const masked = maskSpec(raw) as typeof raw;
  assert.equal(masked.source.token, MASK);
  assert.equal(masked.source.url, "https://api.example/p");
  assert.equal(masked.repository.accessKeyId, MASK);
  assert.equal(masked.repository.secretAccessKey, MASK);
  assert.equal(masked.repository.bucket, "b");
  assert.equal(raw.source.token, "tok-123", "the stored spec is not changed");
  const pg = maskSpec({ ...spec(), source: { type: "postgres", password: "pw" } }) as {
    source: { password: string };
  };
  assert.equal(pg.source.password, MASK);
});
