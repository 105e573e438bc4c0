/**
 * Run-engine benchmark (issue 4), in one process on the embedded default (local KV file, KV
 * queue, one consumer on the main thread): webhook → `succeeded` latency for a 10-row pipeline
 * (p50/p95), and the step engine's overhead against the same pipeline run straight through
 * `runPipeline`; then steps per second with 1 and with 2 step Web Workers (20 runs of 100 small
 * steps each, from 20 tenants). Not run in CI.
 *
 * @example
 * ```sh
 * deno run -A bench/engine.ts --runs 200 --patients 100000
 * deno run -A bench/engine.ts --runs 200 --patients 1000000 --workers 2 --repeat 3   # steps in 2 step workers, best of 3
 * deno run -A bench/engine.ts --only workers
 * ```
 * @module
 */
import { parseArgs } from "../cli/args.ts";
import { createApp } from "../app.ts";
import { runPipeline } from "../etl/pipeline.ts";
import { staticTokens } from "../routes/auth.ts";
import { tolerateLocks } from "../runs/kv_locks.ts";
import { startWorkerPool } from "../runs/worker_pool.ts";
import { type EngineDeps, getRun, startRun, startWorker } from "../runs/engine.ts";
import { createKvQueue } from "../runs/kv_queue.ts";
import { signWebhook } from "../triggers/signature.ts";

const TOKEN = "bench-token-0123456789abcdef";

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

/** Poll until the run ends: every `everyMs` (short for latency, longer for long runs). */
async function until(deps: EngineDeps, tenant: string, id: string, everyMs = 2) {
  for (;;) {
    const run = await getRun(deps.kv, tenant, id);
    if (run && ["succeeded", "failed", "cancelled"].includes(run.status)) return run;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Steps per second with `workers` step Web Workers: 20 tenants, one 10,000-row run each. */
async function stepsPerSecond(workers: number): Promise<{ steps: number; seconds: number }> {
  const dir = await Deno.makeTempDir({ prefix: "bench-workers-" });
  await Deno.writeTextFile(
    `${dir}/in.csv`,
    "id,name\n" + Array.from({ length: 10_000 }, (_, i) => `${i},n${i}`).join("\n") + "\n",
  );
  const env = {
    KV_PATH: `${dir}/portal.kv`,
    INPUT_ROOT: dir,
    TENANT_FILES: "0",
    OUTPUT_ROOT: `${dir}/out`,
    ANALYTICS_ROOT: `${dir}/analytics`,
    STEP_ROWS: "100",
  };
  const kv = tolerateLocks(await Deno.openKv(env.KV_PATH));
  const deps: EngineDeps = {
    kv,
    queue: createKvQueue(kv),
    inputRoot: dir,
    outputRoot: `${dir}/out`,
    allowPrivateNetwork: false,
    budget: { rows: 100, ms: 2_000 },
  };
  const pool = await startWorkerPool({ count: workers, env });
  const t0 = performance.now();
  const started = await Promise.all(Array.from({ length: 20 }, (_, i) =>
    startRun(deps, {
      tenant: `t${i}`,
      spec: {
        version: 1,
        name: `r${i}`,
        source: { type: "csv", path: "in.csv" },
        transforms: [],
        output: { format: "ndjson" },
        repository: { type: "file", path: `r${i}.ndjson` },
        options: { batchSize: 100 },
      },
    })));
  let steps = 0;
  for (const run of started) {
    const done = await until(deps, run.tenant, run.id);
    if (done.status !== "succeeded") throw new Error(done.error);
    steps += done.steps;
  }
  const seconds = (performance.now() - t0) / 1000;
  await pool.stop();
  await deps.queue.close();
  kv.close();
  await Deno.remove(dir, { recursive: true });
  return { steps, seconds };
}

if (import.meta.main) {
  const { options } = parseArgs(Deno.args);
  if (options.get("only") === "workers") {
    const rows = [];
    for (const workers of [1, 2]) {
      const { steps, seconds } = await stepsPerSecond(workers);
      rows.push({ workers, steps, seconds, stepsPerSecond: Math.round(steps / seconds) });
    }
    console.table(rows);
    Deno.exit(0);
  }
  const runs = Number(options.get("runs") ?? 200);
  const patients = String(options.get("patients") ?? "100000");
  const size = patients === "100000" ? "100k" : patients === "1000000" ? "1m" : patients;
  const dir = await Deno.makeTempDir({ prefix: "bench-engine-" });
  const kv = tolerateLocks(await Deno.openKv(`${dir}/portal.kv`));
  // --workers N: steps in N step Web Workers (the portal's default), else on this thread.
  const workers = Number(options.get("workers") ?? 0);
  const queue = createKvQueue(kv);
  await Deno.mkdir("bench/tmp", { recursive: true });
  await Deno.writeTextFile("bench/tmp/ten.csv", "id,name\n" + "1,a\n".repeat(10));
  const deps: EngineDeps = {
    kv,
    queue,
    inputRoot: Deno.cwd(),
    outputRoot: `${dir}/out`,
    allowPrivateNetwork: false,
    budget: { rows: 50_000, ms: 2_000 },
    perTenantLimit: 2,
    analyticsRoot: `${dir}/analytics`,
  };
  const pool = workers > 0
    ? await startWorkerPool({
      count: workers,
      env: {
        KV_PATH: `${dir}/portal.kv`,
        INPUT_ROOT: Deno.cwd(),
        TENANT_FILES: "0",
        OUTPUT_ROOT: `${dir}/out`,
        ANALYTICS_ROOT: `${dir}/analytics`,
        STEP_ROWS: "50000",
        STEP_MS: "2000",
      },
    })
    : undefined;
  const stop = pool ? () => pool.stop() : startWorker(deps);
  const app = createApp({ engine: deps, auth: staticTokens({ [TOKEN]: "bench" }) });

  // 1. Webhook → succeeded, 10 rows.
  const created = await app.request("/api/v1/pipelines", {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({
      spec: {
        version: 1,
        name: "ten",
        source: { type: "csv", path: "bench/tmp/ten.csv" },
        transforms: [{ type: "normalize" }],
        output: { format: "ndjson" },
        repository: { type: "file", path: "ten.ndjson" },
      },
    }),
  });
  const pipeline = await created.json();
  if (created.status !== 201) throw new Error(JSON.stringify(pipeline));
  const latencies: number[] = [];
  for (let i = 0; i < runs; i++) {
    const body = JSON.stringify({ i });
    const t0 = performance.now();
    const res = await app.request(`/hooks/${pipeline.id}`, {
      method: "POST",
      headers: { ...(await signWebhook(pipeline.webhook.secret, body)) },
      body,
    });
    const started = await res.json();
    const run = await until(deps, "bench", started.runId ?? started.run?.id ?? started.id);
    if (run.status !== "succeeded") throw new Error(run.error);
    latencies.push(performance.now() - t0);
  }
  latencies.sort((a, b) => a - b);

  // 2. Step engine vs straight run on the same patients → FHIR NDJSON pipeline.
  const spec = {
    version: 1,
    name: "patients",
    source: { type: "csv", path: `bench/out/${size}/patients.csv` },
    transforms: [{ type: "fhir-patient", preset: "synthea" }],
    output: { format: "ndjson" },
    repository: { type: "file", path: "Patient.ndjson" },
    // The basic report is on in the portal; --no-report measures runs without it.
    analytics: { enabled: !options.get("no-report") },
  };
  // --repeat N: both, in turn, N times; the best of each counts (this machine is noisy).
  const repeat = Number(options.get("repeat") ?? 1);
  let straightS = Infinity;
  let steppedS = Infinity;
  let straight;
  let stepped;
  for (let i = 0; i < repeat; i++) {
    let t0 = performance.now();
    straight = await runPipeline(spec, { inputRoot: Deno.cwd(), outputRoot: `${dir}/straight` });
    straightS = Math.min(straightS, (performance.now() - t0) / 1000);
    t0 = performance.now();
    const started = await startRun(deps, { tenant: "bench", spec });
    stepped = await until(deps, "bench", started.id, 100);
    steppedS = Math.min(steppedS, (performance.now() - t0) / 1000);
    await Deno.remove(`${dir}/out`, { recursive: true }).catch(() => {});
    await Deno.remove(`${dir}/straight`, { recursive: true }).catch(() => {});
  }
  if (!straight || !stepped) throw new Error("--repeat must be at least 1");
  await stop();
  kv.close();
  await Deno.remove(dir, { recursive: true });
  console.table([
    {
      measure: `webhook → succeeded, 10 rows, ${runs} runs`,
      p50ms: Math.round(percentile(latencies, 0.5)),
      p95ms: Math.round(percentile(latencies, 0.95)),
    },
  ]);
  console.table([
    { engine: "straight (runPipeline)", rows: straight.counts.written, seconds: straightS },
    {
      engine: `steps (${stepped.steps} steps)`,
      rows: stepped.counts.written,
      seconds: steppedS,
      stepsPerSecond: Number((stepped.steps / steppedS).toFixed(1)),
      overhead: `${(((steppedS - straightS) / straightS) * 100).toFixed(0)}%`,
    },
  ]);
}
