import assert from "node:assert/strict";
import { readEnv } from "../config.ts";
import { Redis } from "ioredis";
import { openEngine, startConsumers } from "./consumer.ts";
import { getRun, startRun } from "./engine.ts";
import type { RunRecord } from "./run_record.ts";
import { startWorkerPool } from "./worker_pool.ts";
import { csvCopySpec } from "./_engine_testing.ts";

const ROWS = 3_000;

async function setup() {
  const dir = await Deno.makeTempDir();
  let csv = "id,name\n";
  for (let i = 0; i < ROWS; i++) csv += `p${i},Name ${i}\n`;
  await Deno.writeTextFile(`${dir}/people.csv`, csv);
  const env = {
    KV_PATH: `${dir}/portal.kv`,
    INPUT_ROOT: dir,
    TENANT_FILES: "0",
    OUTPUT_ROOT: `${dir}/out`,
    ANALYTICS_ROOT: `${dir}/analytics`,
    STEP_ROWS: "300",
  };
  return { dir, env };
}

const spec = (name: string) => csvCopySpec(name, 100);

async function waitFinal(kv: Deno.Kv, tenant: string, id: string): Promise<RunRecord> {
  for (let i = 0; i < 600; i++) {
    const run = await getRun(kv, tenant, id);
    if (run && ["succeeded", "failed", "cancelled"].includes(run.status)) return run;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`run ${id} did not end: ${JSON.stringify(await getRun(kv, tenant, id))}`);
}

Deno.test("two step Web Workers run the queued runs of a process; every row once", async () => {
  const { dir, env } = await setup();
  // The main thread only queues (as the HTTP server does); the pool consumes.
  const main = await openEngine(readEnv(env), env, "main");
  const pool = await startWorkerPool({ count: 2, env });
  try {
    assert.deepEqual(pool.names, ["step-worker-1", "step-worker-2"]);
    const runs = await Promise.all(
      ["a", "b", "c", "d"].map((t) => startRun(main.deps, { tenant: t, spec: spec(`p-${t}`) })),
    );
    const done = await Promise.all(runs.map((r) => waitFinal(main.deps.kv, r.tenant, r.id)));
    for (const run of done) {
      assert.equal(run.status, "succeeded", run.error);
      assert.equal(run.counts.written, ROWS);
      assert.ok(run.steps > 10, `${run.steps} steps`);
      // Committed by a pool thread of this process, not by the main thread.
      assert.match(run.worker ?? "", new RegExp(`^${Deno.pid}/step-worker-[12]$`));
      const lines = (await Deno.readTextFile(`${dir}/out/p-${run.tenant}.ndjson`)).trimEnd()
        .split("\n");
      assert.equal(lines.length, ROWS);
      assert.equal(new Set(lines.map((l) => JSON.parse(l).id)).size, ROWS);
    }
  } finally {
    await pool.stop();
    await main.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a pool that cannot start says why and leaves no worker running", async () => {
  const { dir, env } = await setup();
  try {
    await assert.rejects(
      startWorkerPool({ count: 2, env: { ...env, QUEUE_URL: "http://nope" } }),
      /QUEUE_URL must look like redis:\/\/host:6379\/0 .*it is "http:\/\/nope"/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("with BullMQ the main thread consumes and step workers run the steps; every row once", async () => {
  const { dir, env } = await setup();
  const prefix = `pool-${crypto.randomUUID().slice(0, 8)}`;
  const all = { ...env, QUEUE_URL: "redis://127.0.0.1:6379", QUEUE_PREFIX: prefix, WORKERS: "2" };
  const main = await openEngine(readEnv(all), all, "main");
  const consumers = await startConsumers(main.deps, readEnv(all), all);
  try {
    assert.equal(main.deps.queue.kind, "bullmq");
    assert.match(consumers.where, /^2 step workers \(steps handed over from bullmq\)$/);
    const runs = await Promise.all(
      ["a", "b", "c"].map((t) => startRun(main.deps, { tenant: t, spec: spec(`q-${t}`) })),
    );
    const done = await Promise.all(runs.map((r) => waitFinal(main.deps.kv, r.tenant, r.id)));
    for (const run of done) {
      assert.equal(run.status, "succeeded", run.error);
      assert.equal(run.counts.written, ROWS);
      assert.match(run.worker ?? "", new RegExp(`^${Deno.pid}/step-worker-[12]$`));
      const lines = (await Deno.readTextFile(`${dir}/out/q-${run.tenant}.ndjson`)).trimEnd()
        .split("\n");
      assert.equal(new Set(lines.map((l) => JSON.parse(l).id)).size, ROWS);
      assert.equal(lines.length, ROWS);
    }
  } finally {
    await consumers.stop();
    await main.close();
    const redis = new Redis({ host: "127.0.0.1", port: 6379 });
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== "0");
    redis.disconnect();
    await Deno.remove(dir, { recursive: true });
  }
});
