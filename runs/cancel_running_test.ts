import assert from "node:assert/strict";
import { withServer } from "../etl/net/_test_server.ts";
import { cancelRun } from "./cancel.ts";
import { getRun, handleStep, startRun } from "./engine.ts";
import { testEngine } from "./_engine_testing.ts";

/** Every file under `dir`, relative. */
async function filesUnder(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isDirectory) out.push(...await filesUnder(`${dir}/${e.name}`, `${prefix}${e.name}/`));
    else out.push(`${prefix}${e.name}`);
  }
  return out;
}

Deno.test("a run cancelled while a step is writing leaves no partial output behind", async () => {
  let slow = false;
  const handler = async () => {
    // The step's read waits here while the run is cancelled.
    if (slow) await new Promise((r) => setTimeout(r, 300));
    return Response.json({ items: Array.from({ length: 50 }, (_, i) => ({ id: `p${i}` })) });
  };
  await withServer(handler, async (server) => {
    const e = await testEngine({ rows: 1000 });
    const { deps, dir: out } = e;
    const kv = deps.kv;
    try {
      const run = await startRun(deps, {
        tenant: "clinic",
        spec: {
          version: 1,
          name: "slow-api",
          source: { type: "rest", url: `${server.origin}/patients`, recordsPointer: "/items" },
          transforms: [],
          output: { format: "ndjson" },
          repository: { type: "file", path: "slow.ndjson" },
        },
      });
      const step = (seq: number) =>
        handleStep(deps, {
          kind: "step",
          id: `${run.id}:${seq}`,
          tenant: "clinic",
          run: run.id,
          seq,
        });
      await step(0); // plans the run
      slow = true;
      const inFlight = step(1);
      await new Promise((r) => setTimeout(r, 100));
      const cancelled = await cancelRun(deps, "clinic", run.id);
      assert.equal(cancelled.outcome, "cancelled");
      assert.equal(await inFlight, undefined);
      const after = await getRun(kv, "clinic", run.id);
      assert.equal(after?.status, "cancelled");
      assert.equal(after?.counts.read, 0);
      assert.deepEqual(await filesUnder(out), []);
    } finally {
      await e.close();
    }
  });
});
