import assert from "node:assert/strict";
import { drive, patientsSpec, testApp, TOKEN_B } from "./_testing.ts";
import { getRun, handleStep } from "../runs/engine.ts";

async function createPipeline(t: Awaited<ReturnType<typeof testApp>>, spec: unknown) {
  const res = await t.call("POST", "/api/v1/pipelines", { body: { spec } });
  assert.equal(res.status, 201, await res.clone().text());
  return await res.json() as { id: string; name: string; webhook: { url: string; secret: string } };
}

async function startRun(t: Awaited<ReturnType<typeof testApp>>, pipelineId: string) {
  const res = await t.call("POST", `/api/v1/pipelines/${pipelineId}/runs`);
  assert.equal(res.status, 202, await res.clone().text());
  return await res.json() as { runId: string; status: string; statusUrl: string };
}

Deno.test("a pipeline saved through the API runs to succeeded and shows 115 rows read", async () => {
  const t = await testApp();
  try {
    const p = await createPipeline(t, patientsSpec());
    assert.equal(p.name, "synthea-patients");
    assert.equal(p.webhook.url, `https://portal.test/hooks/${p.id}`);
    assert.match(p.webhook.secret, /^whsec_/);
    const started = await startRun(t, p.id);
    assert.equal(started.status, "queued");
    assert.equal(started.statusUrl, `https://portal.test/api/v1/runs/${started.runId}`);
    await drive(t.deps, "clinic-a", started.runId);

    const res = await t.call("GET", `/api/v1/runs/${started.runId}`);
    assert.equal(res.status, 200);
    const run = await res.json();
    assert.equal(run.status, "succeeded", run.error);
    assert.equal(run.counts.read, 115);
    assert.equal(run.counts.read, run.counts.written + run.counts.rejected);
    assert.equal(run.progress.rowsRead, 115);
    assert.deepEqual(run.pipeline, { id: p.id, name: "synthea-patients" });
    assert.equal(run.trigger, "api");
    assert.equal(run.manifest.counts.written, run.counts.written);
    assert.equal(run.output.location, "Patient.ndjson");
    assert.ok(run.startedAt && run.finishedAt);
    assert.equal("cursor" in run || "sink" in run || "lease" in run, false);
    const lines = (await Deno.readTextFile(`${t.out}/Patient.ndjson`)).trim().split("\n");
    assert.equal(lines.length, run.counts.written);

    const rejected = await (await t.call("GET", `/api/v1/runs/${started.runId}/rejected`)).json();
    assert.equal(rejected.total, run.counts.rejected);
    assert.equal(rejected.rejected.length, run.rejectedKept);
  } finally {
    await t.close();
  }
});

Deno.test("requests without a valid API token get 401 with a JSON sentence", async () => {
  const t = await testApp();
  try {
    for (const token of [null, "wrong-token-wrong-token", ""]) {
      const res = await t.call("GET", "/api/v1/pipelines", { token });
      assert.equal(res.status, 401);
      assert.match(res.headers.get("WWW-Authenticate") ?? "", /^Bearer/);
      const body = await res.json();
      assert.match(body.error, /valid API token/);
    }
    const res = await t.app.request("/api/v1/runs", { headers: { Authorization: "Basic abc" } });
    assert.equal(res.status, 401);
    await res.body?.cancel();
  } finally {
    await t.close();
  }
});

Deno.test("another tenant gets 404 for a pipeline and a run it does not own", async () => {
  const t = await testApp();
  try {
    const p = await createPipeline(t, patientsSpec());
    const { runId } = await startRun(t, p.id);
    const asB = { token: TOKEN_B };
    for (
      const [method, path] of [
        ["GET", `/api/v1/pipelines/${p.id}`],
        ["POST", `/api/v1/pipelines/${p.id}/runs`],
        ["GET", `/api/v1/runs/${runId}`],
        ["POST", `/api/v1/runs/${runId}/cancel`],
        ["POST", `/api/v1/runs/${runId}/rerun`],
        ["GET", `/api/v1/runs/${runId}/rejected`],
      ]
    ) {
      const res = await t.call(method, path, asB);
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.match((await res.json()).error, /There is no (pipeline|run) with id/);
    }
    assert.deepEqual((await (await t.call("GET", "/api/v1/pipelines", asB)).json()).pipelines, []);
    assert.deepEqual((await (await t.call("GET", "/api/v1/runs", asB)).json()).runs, []);
    // A's run was not cancelled by B's attempt.
    assert.equal((await getRun(t.deps.kv, "clinic-a", runId))?.status, "queued");
  } finally {
    await t.close();
  }
});

Deno.test("a bad spec answers 400 listing every problem, and nothing is saved", async () => {
  const t = await testApp();
  try {
    const res = await t.call("POST", "/api/v1/pipelines", {
      body: {
        spec: patientsSpec({
          source: { type: "excel", path: "a.xlsx" },
          transforms: [{ type: "fhir-wizard" }],
        }),
      },
    });
    assert.equal(res.status, 400);
    const body = await res.json();
    assert.match(body.error, /The pipeline spec has 2 problem\(s\)/);
    assert.equal(body.problems.length, 2);
    assert.match(body.problems[0], /^source\.type: unknown source type "excel"; choose one of csv/);
    assert.match(body.problems[1], /^transforms\[0\]\.type: unknown transform type "fhir-wizard"/);
    const list = await (await t.call("GET", "/api/v1/pipelines")).json();
    assert.deepEqual(list.pipelines, []);

    const notJson = await t.call("POST", "/api/v1/pipelines", { body: "{spec:" });
    assert.equal(notJson.status, 400);
    assert.deepEqual(await notJson.json(), {
      error: "The request body is not valid JSON; send a JSON object.",
    });
    const noSpec = await t.call("POST", "/api/v1/pipelines", { body: {} });
    assert.equal(noSpec.status, 400);
    assert.match((await noSpec.json()).problems[0], /^spec: /);
    const badId = await t.call("GET", "/api/v1/runs/not%20an%20id");
    assert.equal(badId.status, 400);
    assert.match((await badId.json()).problems[0], /must be a run id/);
    const huge = await t.call("POST", "/api/v1/pipelines", {
      body: { spec: patientsSpec({ name: "x".repeat(2 * 1024 * 1024) }) },
    });
    assert.equal(huge.status, 413);
    assert.match((await huge.json()).error, /larger than 1048576 bytes/);
    const badLimit = await t.call("GET", "/api/v1/runs?limit=0");
    assert.equal(badLimit.status, 400);
    await badLimit.body?.cancel();
  } finally {
    await t.close();
  }
});

Deno.test("a pipeline's secret fields are masked and lists carry no spec or secret", async () => {
  const t = await testApp();
  try {
    const spec = patientsSpec({
      source: {
        type: "postgres",
        host: "db.clinic.example",
        user: "etl",
        password: "hunter2-very-secret",
        database: "emr",
        table: "patients",
      },
    });
    const p = await createPipeline(t, spec);
    const res = await t.call("GET", `/api/v1/pipelines/${p.id}`);
    const text = await res.text();
    assert.equal(res.status, 200);
    assert.ok(!text.includes("hunter2"), "the password is not shown");
    assert.ok(!text.includes(p.webhook.secret), "the webhook secret is not shown again");
    const detail = JSON.parse(text);
    assert.equal(detail.spec.source.password, "********");
    assert.equal(detail.spec.source.user, "etl");
    assert.equal(detail.webhook.url, `https://portal.test/hooks/${p.id}`);

    const listText = await (await t.call("GET", "/api/v1/pipelines")).text();
    assert.ok(!listText.includes("hunter2") && !listText.includes(p.webhook.secret));
    const list = JSON.parse(listText);
    assert.equal(list.pipelines.length, 1);
    assert.equal(list.pipelines[0].spec, undefined);
    assert.equal(list.pipelines[0].name, "synthea-patients");
  } finally {
    await t.close();
  }
});

Deno.test("cancelling a queued run marks it cancelled and it never runs", async () => {
  const t = await testApp();
  try {
    const p = await createPipeline(t, patientsSpec());
    const { runId } = await startRun(t, p.id);
    const res = await t.call("POST", `/api/v1/runs/${runId}/cancel`);
    assert.equal(res.status, 200);
    const cancelled = await res.json();
    assert.equal(cancelled.status, "cancelled");
    assert.ok(cancelled.finishedAt);
    // The step message queued at start arrives late and changes nothing.
    await handleStep(t.deps, {
      kind: "step",
      id: `${runId}:0`,
      tenant: "clinic-a",
      run: runId,
      seq: 0,
    });
    const after = await (await t.call("GET", `/api/v1/runs/${runId}`)).json();
    assert.equal(after.status, "cancelled");
    assert.equal(after.counts.read, 0);
    assert.equal(after.startedAt, null);
    assert.deepEqual([...Deno.readDirSync(t.out)], []);
    const again = await t.call("POST", `/api/v1/runs/${runId}/cancel`);
    assert.equal(again.status, 409);
    assert.match((await again.json()).error, /already ended \(cancelled\)/);
  } finally {
    await t.close();
  }
});

Deno.test("cancelling a running run stops it and discards its partial output", async () => {
  const t = await testApp();
  try {
    const p = await createPipeline(t, patientsSpec());
    const { runId } = await startRun(t, p.id);
    const step = (seq: number) =>
      handleStep(t.deps, {
        kind: "step",
        id: `${runId}:${seq}`,
        tenant: "clinic-a",
        run: runId,
        seq,
      });
    await step(0); // prepare
    await step(1); // the first slice (whole batches up to the 50-row budget) staged
    const mid = await getRun(t.deps.kv, "clinic-a", runId);
    assert.equal(mid?.status, "running");
    const staged = mid!.counts.read;
    assert.ok(staged > 0 && staged < 115, `read ${staged}`);
    assert.ok([...Deno.readDirSync(t.out)].length > 0, "the slice was staged in the output root");
    const res = await t.call("POST", `/api/v1/runs/${runId}/cancel`);
    assert.equal((await res.json()).status, "cancelled");
    await step(2);
    const after = await getRun(t.deps.kv, "clinic-a", runId);
    assert.equal(after?.status, "cancelled");
    assert.equal(after?.counts.read, staged);
    assert.deepEqual([...Deno.readDirSync(t.out)], [], "no output, staged or published");
  } finally {
    await t.close();
  }
});

Deno.test("re-running an ended run starts a new run with the same spec that succeeds", async () => {
  const t = await testApp();
  try {
    const p = await createPipeline(t, patientsSpec());
    const first = await startRun(t, p.id);
    const early = await t.call("POST", `/api/v1/runs/${first.runId}/rerun`);
    assert.equal(early.status, 409);
    assert.match((await early.json()).error, /still queued/);
    await drive(t.deps, "clinic-a", first.runId);
    const res = await t.call("POST", `/api/v1/runs/${first.runId}/rerun`);
    assert.equal(res.status, 202);
    const second = await res.json();
    assert.notEqual(second.runId, first.runId);
    await drive(t.deps, "clinic-a", second.runId);
    const run = await (await t.call("GET", `/api/v1/runs/${second.runId}`)).json();
    assert.equal(run.status, "succeeded", run.error);
    assert.equal(run.counts.read, 115);
    assert.equal(run.trigger, "rerun");
    assert.equal(run.rerunOf, first.runId);
    assert.equal(run.pipeline.id, p.id);
  } finally {
    await t.close();
  }
});

Deno.test("runs are listed newest first, a page at a time", async () => {
  const t = await testApp();
  try {
    const p = await createPipeline(t, patientsSpec());
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push((await startRun(t, p.id)).runId);
      await new Promise((r) => setTimeout(r, 2)); // distinct milliseconds
    }
    const page1 = await (await t.call("GET", "/api/v1/runs?limit=2")).json();
    assert.deepEqual(page1.runs.map((r: { id: string }) => r.id), [ids[2], ids[1]]);
    assert.equal(typeof page1.next, "string");
    const page2 = await (await t.call("GET", `/api/v1/runs?limit=2&cursor=${page1.next}`)).json();
    assert.deepEqual(page2.runs.map((r: { id: string }) => r.id), [ids[0]]);
    assert.equal(page2.next, null);
  } finally {
    await t.close();
  }
});

Deno.test("the OpenAPI document and unknown routes answer JSON", async () => {
  const t = await testApp();
  try {
    const doc = await (await t.call("GET", "/api/openapi.json", { token: null })).json();
    assert.equal(doc.openapi, "3.1.0");
    for (const path of ["/api/v1/pipelines", "/api/v1/runs/{id}/cancel", "/hooks/{pipelineId}"]) {
      assert.ok(doc.paths[path], path);
    }
    assert.equal(
      doc.paths["/api/v1/pipelines"].post.requestBody.content["application/json"].schema.type,
      "object",
    );
    const missing = await t.call("GET", "/api/nowhere", { token: null });
    assert.equal(missing.status, 404);
    assert.match((await missing.json()).error, /There is nothing at GET \/api\/nowhere/);
    // Outside the API, a missing page is a page.
    const page = await t.call("GET", "/nowhere", { token: null });
    assert.equal(page.status, 404);
    assert.match(page.headers.get("content-type") ?? "", /text\/html/);
    assert.match(await page.text(), /There is nothing at \/nowhere/);
  } finally {
    await t.close();
  }
});
