import assert from "node:assert/strict";
import { getRun, startRun, startWorker } from "./engine.ts";
import type { RunRecord } from "./run_record.ts";
import { csvCopySpec, testEngine } from "./_engine_testing.ts";

const spec = (name: string) => csvCopySpec(name, 50);

Deno.test("tenant A's 50 queued runs do not hold up tenant B's single run", async () => {
  const e = await testEngine({ rows: 50 });
  const { deps } = e;
  deps.perTenantLimit = 2;
  let csv = "id,name\n";
  for (let i = 0; i < 200; i++) csv += `${i},n${i}\n`;
  await Deno.writeTextFile(`${e.dir}/people.csv`, csv);
  const stop = startWorker(deps);
  try {
    const a: RunRecord[] = [];
    for (let i = 0; i < 50; i++) {
      a.push(await startRun(deps, { tenant: "big", spec: spec(`a${i}`) }));
    }
    // Let A fill its two slots and its queue start waiting.
    await new Promise((r) => setTimeout(r, 300));
    const queuedAt = Date.now();
    const b = await startRun(deps, { tenant: "small", spec: spec("b") });
    let bDone: RunRecord | undefined;
    let aDoneThen = 0;
    for (let i = 0; i < 2400 && !bDone; i++) {
      await new Promise((r) => setTimeout(r, 25));
      const now = await getRun(deps.kv, "small", b.id);
      if (now?.status === "succeeded") {
        bDone = now;
        for (const run of a) {
          if ((await getRun(deps.kv, "big", run.id))?.status === "succeeded") aDoneThen++;
        }
      }
    }
    assert.ok(bDone, "tenant small's run finished");
    assert.equal(bDone.counts.written, 200);
    // B started at once (not after A's queue), and finished while A's queue was far from drained.
    const waited = Date.parse(bDone.startedAt!) - queuedAt;
    assert.ok(waited < 2_000, `B waited ${waited} ms to start`);
    assert.equal(bDone.waits ?? 0, 0, "B never waited for a slot");
    // 7 here on an idle machine, 12 under the whole suite; drained would be 50.
    assert.ok(aDoneThen <= 40, `${aDoneThen} of A's 50 runs had finished when B finished`);
  } finally {
    await stop();
    await e.close();
  }
});
