/**
 * Real worker processes (the deno binary running worker.ts, BullMQ on the machine's Redis, one
 * shared KV file) killed with SIGKILL in the middle of a 200,000-row run and then restarted. The
 * run must still succeed with exact counts and every row exactly once in the output: a file, and
 * a PostgreSQL table (with no staging table left behind).
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import postgres from "postgres";
import { stagingName } from "../etl/db/_pg_merge.ts";
import { createBullMqQueue } from "../runs/bullmq_queue.ts";
import { type EngineDeps, getRun, startRun } from "../runs/engine.ts";
import type { RunRecord } from "../runs/run_record.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const ROWS = 200_000;
const TENANT = "clinic-a";

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

/** One worker process; `log` resolves to what it wrote to stderr once it has exited. */
interface WorkerProcess {
  child: Deno.ChildProcess;
  log: Promise<string>;
}

/** A fresh temp folder with the input, a KV file, a Redis prefix and the workers' settings. */
async function setUp(extraEnv: Record<string, string> = {}) {
  const dir = await Deno.makeTempDir();
  const prefix = `kill${crypto.randomUUID().slice(0, 8)}`;
  const env = {
    KV_PATH: `${dir}/portal.kv`,
    QUEUE_URL: "redis://127.0.0.1:6379",
    QUEUE_PREFIX: prefix,
    INPUT_ROOT: dir,
    TENANT_FILES: "0",
    OUTPUT_ROOT: `${dir}/out`,
    ANALYTICS_ROOT: `${dir}/analytics`,
    // Steps slow enough to be caught in the middle: a few thousand rows each.
    STEP_ROWS: "4000",
    STEP_MS: "400",
    WATCHDOG_STALE_SECONDS: "10",
    NO_COLOR: "1",
    ...extraEnv,
  };
  await writeInput(`${dir}/visits.csv`);
  const kv = await Deno.openKv(env.KV_PATH);
  const queue = createBullMqQueue(kv, { url: env.QUEUE_URL, prefix });
  const deps: EngineDeps = {
    kv,
    queue,
    inputRoot: dir,
    outputRoot: env.OUTPUT_ROOT,
    allowPrivateNetwork: extraEnv.ALLOW_PRIVATE_NETWORK === "1",
    budget: { rows: 10_000, ms: 1_000 },
  };
  const workers: WorkerProcess[] = [];
  /** Start a worker: the real deno binary (Deno.execPath()), not a wrapper a kill would miss. */
  const spawn = (): WorkerProcess => {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${root}/worker.ts`],
      env,
      stdout: "null",
      stderr: "piped",
    }).spawn();
    // Read stderr all along, so a chatty worker never blocks on a full pipe.
    const log = new Response(child.stderr).text().catch(() => "");
    const worker = { child, log };
    workers.push(worker);
    return worker;
  };
  /** SIGTERM each worker still running (SIGKILL if it has not stopped 20 s later). */
  const stopWorkers = async () => {
    for (const w of workers) {
      const signal = (name: Deno.Signal) => {
        try {
          w.child.kill(name);
        } catch { /* already gone */ }
      };
      signal("SIGTERM");
      const late = setTimeout(() => signal("SIGKILL"), 20_000);
      await w.child.status;
      clearTimeout(late);
      await w.log;
    }
  };
  /** Fail with the workers' stderr unless the run succeeded (stops the workers to read it). */
  const assertSucceeded = async (state: RunRecord | undefined) => {
    if (state?.status === "succeeded") return;
    await stopWorkers();
    const texts = await Promise.all(workers.map((w) => w.log));
    const logs = texts.map((t, i) => `worker pid ${workers[i].child.pid}:\n${t}`).join("\n");
    assert.fail(`The run ended ${state?.status}: ${state?.error}\n${logs}`);
  };
  const tearDown = async () => {
    await stopWorkers();
    await queue.close();
    kv.close();
    await Deno.remove(dir, { recursive: true });
    // This test's jobs in Redis (its own prefix only: other runs may share the server).
    const redis = new Redis({ host: "127.0.0.1", port: 6379, lazyConnect: true });
    try {
      await redis.connect();
      let cursor = "0";
      do {
        const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== "0");
    } finally {
      redis.disconnect();
    }
  };
  return { dir, env, deps, kv, spawn, assertSucceeded, tearDown };
}

/**
 * Poll the run every 20 ms until it is final, calling `tick` with each state (where the test
 * kills and restarts workers). Gives up after `timeoutMs`.
 */
async function followRun(
  kv: Deno.Kv,
  id: string,
  tick: (state: RunRecord) => Promise<void> | void,
  timeoutMs = 90_000,
): Promise<RunRecord | undefined> {
  const until = Date.now() + timeoutMs;
  let state: RunRecord | undefined;
  while (Date.now() < until) {
    await new Promise((r) => setTimeout(r, 20));
    state = await getRun(kv, TENANT, id);
    if (!state) continue;
    await tick(state);
    if (["succeeded", "failed", "cancelled"].includes(state.status)) break;
  }
  return state;
}

/** The pid of the process holding the run's current step, if one does. */
const leaseHolder = (state: RunRecord) =>
  state.lease ? Number(state.lease.owner.split(":")[0]) : undefined;

Deno.test("a worker killed with SIGKILL mid-run and restarted: the file has every row exactly once", async () => {
  const t = await setUp();
  const workers = [t.spawn(), t.spawn()];
  try {
    const run = await startRun(t.deps, {
      tenant: TENANT,
      spec: {
        version: 1,
        name: "visits",
        source: { type: "csv", path: "visits.csv" },
        transforms: [{ type: "normalize" }],
        output: { format: "ndjson" },
        repository: { type: "file", path: "visits.ndjson" },
      },
    });
    let killed: Deno.ChildProcess | undefined;
    let restarted: Deno.ChildProcess | undefined;
    const state = await followRun(t.kv, run.id, async (state) => {
      // Kill the worker that holds the current step, in the middle of it; then restart it.
      const victim = workers.find((w) => w.child.pid === leaseHolder(state));
      if (!killed && state.counts.read >= 40_000 && victim) {
        victim.child.kill("SIGKILL");
        killed = victim.child;
        assert.equal((await killed.status).signal, "SIGKILL");
        restarted = t.spawn().child;
      }
    });
    assert.ok(killed, "the kill happened mid-run");
    assert.ok(restarted, "the killed worker was restarted");
    await t.assertSucceeded(state);
    assert.equal(state!.counts.read, ROWS);
    assert.equal(state!.counts.written, ROWS);
    assert.equal(state!.counts.rejected, 0);
    const text = await Deno.readTextFile(`${t.env.OUTPUT_ROOT}/visits.ndjson`);
    const ids = text.trimEnd().split("\n").map((l) => JSON.parse(l).id);
    assert.equal(ids.length, ROWS, "no row lost or written twice");
    assert.equal(new Set(ids).size, ROWS);
    assert.equal(ids[0], "p0");
    assert.equal(ids[ROWS - 1], `p${ROWS - 1}`);
    const left = [...Deno.readDirSync(t.env.OUTPUT_ROOT)].map((f) => f.name);
    assert.deepEqual(left, ["visits.ndjson"], "no partial file left");
  } finally {
    await t.tearDown();
  }
});

Deno.test("the only worker killed with SIGKILL mid-run and restarted: the PostgreSQL table has every row exactly once", async () => {
  const table = `kill_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const pg = postgres({
    host: "127.0.0.1",
    port: 5432,
    user: "postgres",
    database: "test",
    max: 1,
    onnotice() {},
  });
  const t = await setUp({ ALLOW_PRIVATE_NETWORK: "1" });
  let stage: string | undefined;
  try {
    const worker = t.spawn();
    const run = await startRun(t.deps, {
      tenant: TENANT,
      spec: {
        version: 1,
        name: "visits",
        source: { type: "csv", path: "visits.csv" },
        transforms: [{ type: "normalize" }],
        repository: {
          type: "postgres",
          host: "127.0.0.1",
          port: 5432,
          user: "postgres",
          database: "test",
          table,
          mode: "append",
        },
      },
    });
    stage = stagingName(run.id, table);
    let killedAt: number | undefined;
    let restarted = false;
    let stagedBeforeKill: boolean | undefined;
    let targetBeforeKill: boolean | undefined;
    const state = await followRun(t.kv, run.id, async (state) => {
      // The only worker holds the current step: kill it in the middle, then start it again.
      if (killedAt === undefined && state.counts.read >= 40_000 && state.lease) {
        assert.equal(leaseHolder(state), worker.child.pid);
        worker.child.kill("SIGKILL");
        assert.equal((await worker.child.status).signal, "SIGKILL");
        killedAt = state.counts.read;
        const [found] = await pg`
          SELECT to_regclass(${stage!}) IS NOT NULL AS staged,
                 to_regclass(${table}) IS NOT NULL AS target`;
        stagedBeforeKill = found.staged;
        targetBeforeKill = found.target;
        t.spawn();
        restarted = true;
      }
    });
    assert.ok(killedAt !== undefined, "the kill happened mid-run");
    assert.ok(killedAt < ROWS, `killed after ${killedAt} of ${ROWS} rows were read`);
    assert.ok(restarted, "the worker was restarted");
    assert.equal(stagedBeforeKill, true, "rows were being staged when the worker was killed");
    assert.equal(targetBeforeKill, false, "the target table appears only when the run succeeds");
    await t.assertSucceeded(state);
    assert.equal(state!.counts.read, ROWS);
    assert.equal(state!.counts.written, ROWS);
    assert.equal(state!.counts.rejected, 0);
    const [rows] = await pg.unsafe(
      `SELECT count(*)::int AS n, count(DISTINCT id)::int AS ids,
              min(visits::int) AS lo, max(visits::int) AS hi FROM ${table}`,
    );
    assert.deepEqual({ ...rows }, { n: ROWS, ids: ROWS, lo: 0, hi: 16 }, "every row once");
    const [ends] = await pg.unsafe(
      `SELECT count(*)::int AS n FROM ${table} WHERE id IN ('p0', 'p${ROWS - 1}')`,
    );
    assert.equal(ends.n, 2, "the first and the last row are there");
    const runPart = stage.slice("_pyxgen_stage_".length);
    const [left] = await pg`
      SELECT count(*)::int AS n FROM pg_class
      WHERE relname = ${stage} OR relname LIKE ${`%${runPart}%`}`;
    assert.equal(left.n, 0, `no staging table of this run (${stage}) is left`);
  } finally {
    await t.tearDown();
    await pg.unsafe(`DROP TABLE IF EXISTS ${table}`);
    if (stage) await pg.unsafe(`DROP TABLE IF EXISTS ${stage}`);
    await pg.end();
  }
});
