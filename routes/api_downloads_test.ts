import assert from "node:assert/strict";
import { listAudit } from "../audit/log.ts";
import { drive, patientsSpec, testApp, TOKEN_B } from "./_testing.ts";

Deno.test("a succeeded run's output file downloads with its bytes; the download is audited", async () => {
  const t = await testApp();
  try {
    const made =
      await (await t.call("POST", "/api/v1/pipelines", { body: { spec: patientsSpec() } }))
        .json();
    const { runId } = await (await t.call("POST", `/api/v1/pipelines/${made.id}/runs`)).json();
    const run = await drive(t.deps, "clinic-a", runId);
    assert.equal(run.status, "succeeded");

    const res = await t.call("GET", `/api/v1/runs/${runId}/output`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/x-ndjson");
    assert.match(
      res.headers.get("content-disposition") ?? "",
      /attachment; filename="Patient.ndjson"/,
    );
    const text = await res.text();
    assert.equal(new TextEncoder().encode(text).length, run.output?.bytes);
    const lines = text.trim().split("\n").map((l) => JSON.parse(l));
    assert.equal(lines.length, 115);
    assert.equal(lines[0].resourceType, "Patient");

    const view = await (await t.call("GET", `/api/v1/runs/${runId}`)).json();
    assert.equal(view.startedBy, "operator token");
    // CSV → FHIR Patient: no normalise step, so that stage only passes rows through.
    assert.deepEqual(view.stages, ["read", "mapped", "valid", "written"]);
    const { entries } = await listAudit(t.deps.kv, "clinic-a");
    const actions = entries.map((e) => e.action);
    assert.ok(actions.includes("download"), actions.join());
    assert.ok(actions.includes("run.started"));
    assert.ok(actions.includes("pipeline.created"));

    // Tenant B cannot download it, nor learn that it exists.
    const other = await t.call("GET", `/api/v1/runs/${runId}/output`, { token: TOKEN_B });
    assert.equal(other.status, 404);
    assert.equal((await listAudit(t.deps.kv, "clinic-b")).entries.length, 0);
  } finally {
    await t.close();
  }
});

Deno.test("a run without a file to download answers 409 with the reason", async () => {
  const t = await testApp();
  try {
    const spec = patientsSpec({ source: { type: "csv", path: "data/samples/missing.csv" } });
    const made = await (await t.call("POST", "/api/v1/pipelines", { body: { spec } })).json();
    const started = await (await t.call("POST", `/api/v1/pipelines/${made.id}/runs`)).json();
    const run = await drive(t.deps, "clinic-a", started.runId);
    assert.equal(run.status, "failed");
    const res = await t.call("GET", `/api/v1/runs/${run.id}/output`);
    assert.equal(res.status, 409);
    assert.match((await res.json()).error, /The run is failed; only a succeeded run/);
  } finally {
    await t.close();
  }
});
