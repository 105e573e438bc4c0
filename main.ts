/**
 * `deno task start`: the portal on its embedded default — local Deno KV, local files, the run
 * engine consuming steps in this process, cron schedules, run notifications, the JSON API and
 * webhooks on `PORT`, and a demo tenant whose bundled example pipelines are saved and run on
 * first start. SIGINT / SIGTERM stop the loops and the server, then the process.
 * @module
 */
import { dirname, join } from "node:path";
import { createApp } from "./app.ts";
import { type Env, readEnv } from "./config.ts";
import { startNotifier } from "./pipelines/notifier.ts";
import { enqueueScheduled, listSchedules } from "./pipelines/schedules.ts";
import { createPipeline, listPipelines } from "./pipelines/store.ts";
import { startPipelineRun } from "./pipelines/start.ts";
import { staticTokens } from "./routes/auth.ts";
import { openEngine, startConsumers } from "./runs/consumer.ts";
import { type EngineDeps, watchRuns } from "./runs/engine.ts";
import { startScheduler } from "./triggers/schedule.ts";

/** The bundled examples saved as the demo tenant's pipelines. */
const EXAMPLES = [
  "examples/synthea_patients.json",
  "examples/synthea_immunizations.json",
  "examples/clinic_to_parquet.json",
];

/** The API token: from the environment, else one generated once into a 0600 file. */
async function apiToken(env: Env): Promise<{ token: string; where: string }> {
  if (env.API_TOKEN) return { token: env.API_TOKEN, where: "API_TOKEN" };
  const path = join(dirname(env.KV_PATH), "api_token");
  try {
    return { token: (await Deno.readTextFile(path)).trim(), where: path };
  } catch {
    const bytes = crypto.getRandomValues(new Uint8Array(24));
    const token = `pyx_${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
    await Deno.writeTextFile(path, `${token}\n`, { mode: 0o600 });
    return { token, where: path };
  }
}

/** Save and run the examples the first time the demo tenant is empty. */
async function seedDemo(deps: EngineDeps, tenant: string, root: string): Promise<string[]> {
  if ((await listPipelines(deps.kv, tenant)).length > 0) return [];
  const runs: string[] = [];
  for (const path of EXAMPLES) {
    const spec = JSON.parse(await Deno.readTextFile(join(root, path)));
    const pipeline = await createPipeline(deps.kv, tenant, spec);
    const run = await startPipelineRun(deps, tenant, pipeline.spec, {
      pipelineId: pipeline.id,
      trigger: "api",
    });
    runs.push(run.id);
  }
  return runs;
}

if (import.meta.main) {
  const root = dirname(new URL(import.meta.url).pathname);
  const env = readEnv({ INPUT_ROOT: root, ...Deno.env.toObject() });
  const raw = Deno.env.toObject();
  const { deps: engine } = await openEngine(env, raw, "main");
  const kv = engine.kv;
  const consumers = await startConsumers(engine, env, raw);
  const staleMs = env.WATCHDOG_STALE_SECONDS * 1000;
  const watchdog = setInterval(() => {
    watchRuns(engine, { staleMs }).catch((err) => console.error(`watchdog: ${err}`));
    // BullMQ: steps committed but not added to Redis (a crash between the two) are added again.
    engine.queue.sweep(30_000).catch((err) => console.error(`queue sweep: ${err}`));
  }, Math.min(staleMs / 2, 15_000));
  // Cron schedules: every process may tick; each due run still starts once.
  const scheduler = startScheduler({
    kv,
    schedules: () => listSchedules(kv),
    enqueue: enqueueScheduled(engine),
  });
  // Run notifications: every process may announce; each ended run is announced by one.
  const notifier = startNotifier({
    kv,
    publicUrl: env.PUBLIC_URL,
    allowPrivateNetwork: env.ALLOW_PRIVATE_NETWORK,
    onPass: (announced) => {
      for (const a of announced) {
        const failed = a.outcome === "error" ? a.error : a.result?.lastError;
        if (failed && !a.result?.delivered) {
          console.error(`Notification of run ${a.run} (${a.tenant}) failed: ${failed}`);
        }
      }
    },
  });
  const { token, where } = await apiToken(env);
  const app = createApp({
    engine,
    auth: staticTokens({ [token]: env.DEFAULT_TENANT }),
    publicUrl: env.PUBLIC_URL,
  });
  const seeded = await seedDemo(engine, env.DEFAULT_TENANT, root);
  const server = Deno.serve({
    port: env.PORT,
    onListen: ({ port }) => {
      const base = env.PUBLIC_URL ?? `http://localhost:${port}`;
      console.log(`PyxGen Portal on ${base} (KV ${env.KV_PATH}, outputs under ${env.OUTPUT_ROOT})`);
      console.log(`API token of tenant "${env.DEFAULT_TENANT}": in ${where}`);
      console.log(`  curl -H "Authorization: Bearer $(cat ${where})" ${base}/api/v1/runs`);
      console.log(`OpenAPI: ${base}/api/openapi.json`);
      console.log(`Run steps are consumed by ${consumers.where} (${engine.queue.kind} queue)`);
      if (seeded.length > 0) {
        console.log(`Demo pipelines saved; their first runs: ${seeded.join(", ")}`);
      }
    },
  }, app.fetch);
  let stopping = false;
  const shutdown = async () => {
    if (stopping) Deno.exit(1); // a second signal: stop at once
    stopping = true;
    clearInterval(watchdog);
    // The notifier gives back what it had not finished, for the next start or another process.
    await Promise.all([scheduler.close(), notifier.close(), server.shutdown(), consumers.stop()]);
    Deno.exit(0);
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(signal, shutdown);
}
