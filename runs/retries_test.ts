import assert from "node:assert/strict";
import { runPipeline } from "../etl/pipeline.ts";
import { withServer } from "../etl/net/_test_server.ts";
import { getRun, startRun, startWorker } from "./engine.ts";
import { testEngine } from "./_engine_testing.ts";
import type { RunRecord } from "./run_record.ts";
import { runView } from "../routes/views.ts";

/** Answers 503 (Retry-After: 0) to the first `failures` requests, then three patients. */
function flaky(failures: number) {
  let seen = 0;
  return () => {
    seen++;
    if (seen <= failures) {
      return new Response("busy", { status: 503, headers: { "retry-after": "0" } });
    }
    return Response.json({ items: [{ id: "a" }, { id: "b" }, { id: "c" }] });
  };
}

const spec = (origin: string) => ({
  version: 1,
  name: "flaky-api",
  source: { type: "rest", url: `${origin}/patients?token=s3cret`, recordsPointer: "/items" },
  transforms: [],
  output: { format: "ndjson" },
  repository: { type: "file", path: "flaky.ndjson" },
});

async function untilFinal(kv: Deno.Kv, id: string): Promise<RunRecord> {
  for (let i = 0; i < 400; i++) {
    const run = await getRun(kv, "clinic", id);
    if (run && ["succeeded", "failed", "cancelled"].includes(run.status)) return run;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error("the run did not end");
}

Deno.test("an API that answers 503 twice, then data: the run succeeds and shows both retries", async () => {
  await withServer(flaky(2), async (server) => {
    const e = await testEngine({ rows: 1000 });
    const { deps, dir: out } = e;
    const kv = deps.kv;
    const stop = startWorker(deps);
    try {
      const started = await startRun(deps, { tenant: "clinic", spec: spec(server.origin) });
      const run = await untilFinal(kv, started.id);
      assert.equal(run.status, "succeeded", run.error);
      assert.equal(run.counts.written, 3);
      assert.equal(run.retries?.count, 2);
      assert.equal(run.retries?.recent.length, 2);
      for (const [i, note] of run.retries!.recent.entries()) {
        assert.match(
          note,
          new RegExp(`answered HTTP 503 Service Unavailable; retry ${i + 1} of 3`),
        );
        assert.doesNotMatch(note, /s3cret/);
      }
      // What GET /api/v1/runs/:id answers.
      assert.deepEqual(runView(run, undefined, (p) => p).retries, run.retries);
      const lines = (await Deno.readTextFile(`${out}/flaky.ndjson`)).trim().split("\n");
      assert.deepEqual(lines.map((l) => JSON.parse(l).id), ["a", "b", "c"]);
      // Planning samples the API (503, 503, data); the read takes one more request.
      assert.equal(server.requests.length, 4);
    } finally {
      await stop();
      await e.close();
    }
  });
});

Deno.test("a straight run (CLI) lists the retries among its warnings", async () => {
  await withServer(flaky(1), async (server) => {
    const out = await Deno.makeTempDir();
    try {
      const result = await runPipeline(spec(server.origin), {
        inputRoot: out,
        outputRoot: out,
        allowPrivateNetwork: true,
      });
      assert.equal(result.status, "succeeded", result.error);
      assert.equal(result.counts.written, 3);
      assert.equal(result.warnings.filter((w) => /HTTP 503/.test(w)).length, 1);
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  });
});
