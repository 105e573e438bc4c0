import assert from "node:assert/strict";
import { drive, patientsSpec, testApp } from "../routes/_testing.ts";
import { getRun } from "../runs/engine.ts";
import { runKeys } from "../runs/run_record.ts";
import { rerun } from "./rerun.ts";
import { runOrigins, startPipelineRun } from "./start.ts";

Deno.test("rerun() waits for the run to end, then repeats its spec and pipeline as `rerun`", async () => {
  const t = await testApp();
  try {
    const first = await startPipelineRun(t.deps, "clinic-a", patientsSpec(), {
      pipelineId: "p-1",
      trigger: "api",
    });
    const early = await rerun(t.deps, "clinic-a", first, "ana@clinic.example");
    assert.equal(early.outcome, "not-ended");
    const ended = await drive(t.deps, "clinic-a", first.id);
    const result = await rerun(t.deps, "clinic-a", ended, "ana@clinic.example");
    assert.equal(result.outcome, "started");
    const again = result.run;
    assert.notEqual(again.id, first.id);
    assert.deepEqual((await runOrigins(t.deps.kv, "clinic-a", [again.id]))[0], {
      pipelineId: "p-1",
      trigger: "rerun",
      rerunOf: first.id,
      by: "ana@clinic.example",
    });
    const done = await drive(t.deps, "clinic-a", again.id);
    assert.equal(done.status, "succeeded", done.error);
    assert.equal(done.counts.read, 115);
  } finally {
    await t.close();
  }
});

Deno.test("rerun() starts nothing when the run's spec is no longer stored", async () => {
  const t = await testApp();
  try {
    const first = await startPipelineRun(t.deps, "clinic-a", patientsSpec(), { trigger: "api" });
    const ended = await drive(t.deps, "clinic-a", first.id);
    await t.deps.kv.delete(runKeys.prepared("clinic-a", first.id));
    assert.deepEqual(await rerun(t.deps, "clinic-a", ended, "ana@clinic.example"), {
      outcome: "no-spec",
    });
    const runs = await Array.fromAsync(t.deps.kv.list({ prefix: runKeys.runs("clinic-a") }));
    assert.equal(runs.length, 1, "only the first run");
    assert.equal((await getRun(t.deps.kv, "clinic-a", first.id))?.status, "succeeded");
  } finally {
    await t.close();
  }
});
