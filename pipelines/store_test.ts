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
  updatePipeline,
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

Deno.test("updatePipeline changes schedule and notification together, for its tenant only", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const p = await createPipeline(kv, "clinic-a", spec(), new Date("2026-12-01T09:00:00Z"), {
      schedule: "0 * * * *",
      notify: { url: "https://hooks.clinic.test/a" },
    });
    assert.match(p.notifySecret ?? "", /^whsec_/);
    assert.equal(await updatePipeline(kv, "clinic-b", p.id, { schedule: null }), undefined);
    assert.equal(
      await updatePipeline(kv, "clinic-a", "0".repeat(32), { schedule: null }),
      undefined,
    );

    const at = new Date("2026-12-01T10:00:00Z");
    const changed = await updatePipeline(kv, "clinic-a", p.id, {
      schedule: "*/5 * * * *",
      notify: { url: "https://hooks.clinic.test/b" },
    }, at);
    assert.equal(changed?.notifySecretCreated, false);
    assert.deepEqual(await getPipeline(kv, "clinic-a", p.id), {
      ...p,
      schedule: "*/5 * * * *",
      notify: { url: "https://hooks.clinic.test/b" },
    });
    assert.deepEqual((await kv.get(pipelineKeys.schedule("clinic-a", p.id))).value, {
      cron: "*/5 * * * *",
      notBefore: at.toISOString(),
    });

    const off = await updatePipeline(kv, "clinic-a", p.id, { schedule: null, notify: null });
    assert.equal(off?.pipeline.schedule, undefined);
    assert.equal(off?.pipeline.notify, undefined);
    assert.equal(off?.pipeline.notifySecret, undefined);
    assert.equal((await kv.get(pipelineKeys.schedule("clinic-a", p.id))).value, null);
    const on = await updatePipeline(kv, "clinic-a", p.id, { notify: { url: "http://r.test/" } });
    assert.equal(on?.notifySecretCreated, true);
    assert.notEqual(on?.pipeline.notifySecret, p.notifySecret, "a new secret after removal");
  } finally {
    kv.close();
  }
});

Deno.test("bad schedules and notification URLs are refused and nothing changes", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    await assert.rejects(
      () =>
        createPipeline(kv, "clinic-a", spec(), new Date(), { notify: { url: "ftp://x.test/" } }),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.problems[0] ===
          'notify.url: "ftp://x.test/" is not an http or https URL; give the full address, e.g. https://example.org/pyxgen-runs',
    );
    assert.deepEqual(await listPipelines(kv, "clinic-a"), []);
    const p = await createPipeline(kv, "clinic-a", spec());
    await assert.rejects(
      () => updatePipeline(kv, "clinic-a", p.id, { schedule: "every day" }),
      /The schedule "every day" is not valid/,
    );
    await assert.rejects(
      () => updatePipeline(kv, "clinic-a", p.id, { notify: { url: "not a url" } }),
      /notify\.url "not a url" is not a URL/,
    );
    assert.deepEqual(await getPipeline(kv, "clinic-a", p.id), p);
  } finally {
    kv.close();
  }
});
