import assert from "node:assert/strict";
import { drive, patientsSpec, testApp } from "../routes/_testing.ts";
import { getRun } from "./engine.ts";
import { readInternalReport, reportPaths } from "./run_analytics.ts";

Deno.test("a run makes its basic report while it streams; the next run compares with it", async () => {
  const t = await testApp();
  try {
    const made =
      await (await t.call("POST", "/api/v1/pipelines", { body: { spec: patientsSpec() } }))
        .json();
    const start = async () => {
      const { runId } = await (await t.call("POST", `/api/v1/pipelines/${made.id}/runs`)).json();
      return await drive(t.deps, "clinic-a", runId);
    };
    const first = await start();
    assert.equal(first.status, "succeeded", first.error);
    assert.ok(first.steps > 3, "the run took several steps (50 rows a step)");
    assert.ok(first.report, "the run record says its report was made");
    const report = await readInternalReport(t.deps, first);
    assert.ok(report);
    assert.equal(report.patients?.total, 115);
    assert.equal(report.comparison?.records ?? null, null, "nothing to compare the first run with");
    // The working store is gone; the report file stays.
    const paths = await reportPaths({ ...t.deps, analyticsRoot: t.deps.analyticsRoot! }, first);
    await assert.rejects(Deno.stat(paths.store));

    const second = await start();
    const again = await readInternalReport(t.deps, second);
    assert.equal(again?.comparison?.previousRun, first.id);
    assert.equal(again?.comparison?.records?.unchanged, 115);
    assert.equal(again?.comparison?.records?.new, 0);
  } finally {
    await t.close();
  }
});

Deno.test("a pipeline with analytics turned off makes no report; a failed run keeps no working file", async () => {
  const t = await testApp();
  try {
    const off = patientsSpec({ analytics: { enabled: false } });
    const made = await (await t.call("POST", "/api/v1/pipelines", { body: { spec: off } })).json();
    const { runId } = await (await t.call("POST", `/api/v1/pipelines/${made.id}/runs`)).json();
    const run = await drive(t.deps, "clinic-a", runId);
    assert.equal(run.status, "succeeded");
    assert.equal(run.report, undefined);

    const bad = patientsSpec({
      options: { batchSize: 20, maxRejected: 0 },
      source: { type: "csv", path: "data/samples/generic_clinic_patients.csv" },
      transforms: [{ type: "normalize", types: { dob: "date" } }],
    });
    const made2 = await (await t.call("POST", "/api/v1/pipelines", { body: { spec: bad } })).json();
    const started = await (await t.call("POST", `/api/v1/pipelines/${made2.id}/runs`)).json();
    const failed = await drive(t.deps, "clinic-a", started.runId);
    assert.equal(failed.status, "failed");
    const record = await getRun(t.deps.kv, "clinic-a", failed.id);
    assert.equal(record?.report, undefined);
    const paths = await reportPaths({ ...t.deps, analyticsRoot: t.deps.analyticsRoot! }, failed);
    await assert.rejects(Deno.stat(paths.store));
  } finally {
    await t.close();
  }
});
