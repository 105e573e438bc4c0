/**
 * Two real worker processes (BullMQ on the machine's Redis, one shared KV file); one is killed
 * with SIGKILL in the middle of a 200,000-row run. The run must still succeed with exact counts
 * and every row exactly once in the output.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { createBullMqQueue } from "../runs/bullmq_queue.ts";
import { getRun, startRun } from "../runs/engine.ts";
import type { RunRecord } from "../runs/run_record.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const ROWS = 200_000;

async function writeInput(path: string): Promise<void> {
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const enc = new TextEncoder();
  await file.write(enc.encode("id,name,visits\n"));
  for (let start = 0; start < ROWS; start += 10_000) {
    let chunk = "";
    for (let i = start; i < start + 10_000; i++) chunk += `p${i},Name ${i},${i % 17}\n`;
    await file.write(enc.encode(chunk));
  }
  file.close();
}

Deno.test("a worker killed with SIGKILL mid-run: the other finishes it, every row exactly once", async () => {
  const dir = await Deno.makeTempDir();
  const prefix = `kill${crypto.randomUUID().slice(0, 8)}`;
  const env = {
    KV_PATH: `${dir}/portal.kv`,
    QUEUE_URL: "redis://127.0.0.1:6379",
    QUEUE_PREFIX: prefix,
    INPUT_ROOT: dir,
    OUTPUT_ROOT: `${dir}/out`,
    STEP_ROWS: "4000",
    STEP_MS: "400",
    WATCHDOG_STALE_SECONDS: "10",
    NO_COLOR: "1",
  };
  await writeInput(`${dir}/visits.csv`);
  // Steps slow enough to be caught in the middle: a few thousand rows each.
  const kv = await Deno.openKv(env.KV_PATH);
  const queue = createBullMqQueue(kv, { url: env.QUEUE_URL, prefix });
  const spawn = () =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${root}/worker.ts`],
      env,
      stdout: "null",
      stderr: "piped",
    }).spawn();
  const workers = [spawn(), spawn()];
  try {
    const run = await startRun({
      kv,
      queue,
      inputRoot: dir,
      outputRoot: env.OUTPUT_ROOT,
      allowPrivateNetwork: false,
      budget: { rows: 10_000, ms: 1_000 },
    }, {
      tenant: "clinic-a",
      spec: {
        version: 1,
        name: "visits",
        source: { type: "csv", path: "visits.csv" },
        transforms: [{ type: "normalize" }],
        output: { format: "ndjson" },
        repository: { type: "file", path: "visits.ndjson" },
      },
    });
    let state: RunRecord | undefined;
    let killed = false;
    for (let i = 0; i < 6000; i++) {
      await new Promise((r) => setTimeout(r, 20));
      state = await getRun(kv, "clinic-a", run.id);
      // Kill the worker that holds the current step, in the middle of it.
      const holder = state?.lease && Number(state.lease.owner.split(":")[0]);
      const victim = workers.find((w) => w.pid === holder);
      if (!killed && state && state.counts.read >= 40_000 && victim) {
        victim.kill("SIGKILL");
        killed = true;
      }
      if (state && ["succeeded", "failed"].includes(state.status)) break;
    }
    assert.ok(killed, "the kill happened mid-run");
    assert.equal(state?.status, "succeeded", state?.error);
    assert.equal(state!.counts.read, ROWS);
    assert.equal(state!.counts.written, ROWS);
    const text = await Deno.readTextFile(`${env.OUTPUT_ROOT}/visits.ndjson`);
    const ids = text.trimEnd().split("\n").map((l) => JSON.parse(l).id);
    assert.equal(ids.length, ROWS, "no row lost or written twice");
    assert.equal(new Set(ids).size, ROWS);
    assert.equal(ids[0], "p0");
    assert.equal(ids[ROWS - 1], `p${ROWS - 1}`);
  } finally {
    for (const w of workers) {
      try {
        w.kill("SIGTERM");
      } catch { /* already gone */ }
      await w.status;
      await w.stderr.cancel().catch(() => {});
    }
    await queue.close();
    kv.close();
    await Deno.remove(dir, { recursive: true });
  }
});
