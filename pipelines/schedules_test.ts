import assert from "node:assert/strict";
import { drive, patientsSpec, testApp } from "../routes/_testing.ts";
import { tickSchedules } from "../triggers/schedule.ts";
import { enqueueScheduled, listSchedules } from "./schedules.ts";

Deno.test("a pipeline saved with a schedule starts one run when its minute comes", async () => {
  const t = await testApp();
  try {
    const res = await t.call("POST", "/api/v1/pipelines", {
      body: { spec: patientsSpec(), schedule: "*/15 * * * *" },
    });
    assert.equal(res.status, 201);
    const saved = await res.json();
    assert.deepEqual(saved.schedule, { cron: "*/15 * * * *", says: "Every 15 minutes" });
    const schedules = await listSchedules(t.deps.kv);
    assert.deepEqual(schedules.map((s) => [s.tenant, s.pipelineId, s.cron]), [
      ["clinic-a", saved.id, "*/15 * * * *"],
    ]);
    // The first due minute after it was saved, ticked twice (two processes, or a retry).
    const due = new Date(Math.ceil((Date.now() + 1) / 900_000) * 900_000 + 5_000);
    const enqueue = enqueueScheduled(t.deps);
    await tickSchedules(t.deps.kv, schedules, due, enqueue);
    await tickSchedules(t.deps.kv, schedules, due, enqueue);
    const runs = await (await t.call("GET", "/api/v1/runs")).json();
    assert.equal(runs.runs.length, 1, "one run for one due minute");
    assert.equal(runs.runs[0].trigger, "schedule");
    const done = await drive(t.deps, "clinic-a", runs.runs[0].id);
    assert.equal(done.status, "succeeded", done.error);
  } finally {
    await t.close();
  }
});

Deno.test("a bad schedule is refused with the field and value", async () => {
  const t = await testApp();
  try {
    const res = await t.call("POST", "/api/v1/pipelines", {
      body: { spec: patientsSpec(), schedule: "61 * * * *" },
    });
    assert.equal(res.status, 400);
    const body = await res.json();
    assert.equal(
      body.error,
      'The schedule "61 * * * *" is not valid: minute field "61" is out of range 0–59',
    );
    assert.deepEqual(await listSchedules(t.deps.kv), []);
  } finally {
    await t.close();
  }
});
