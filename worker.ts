/**
 * `deno task worker`: a process that only consumes run steps (no HTTP), for scaling out with
 * `QUEUE_URL=redis://…` and a shared `KV_PATH`. It also runs the watchdog. Stops on SIGINT or
 * SIGTERM after the step in hand.
 * @module
 */
import { dirname } from "node:path";
import { readEnv } from "./config.ts";
import { type EngineDeps, startWorker, watchRuns } from "./runs/engine.ts";
import { queueFromEnv } from "./runs/queue_config.ts";

/** Start consuming steps; returns a function that stops everything. */
export async function runWorker(env = readEnv()): Promise<() => Promise<void>> {
  await Deno.mkdir(dirname(env.KV_PATH), { recursive: true });
  const kv = await Deno.openKv(env.KV_PATH);
  const queue = queueFromEnv(kv, Deno.env.toObject());
  const deps: EngineDeps = {
    kv,
    queue,
    inputRoot: env.INPUT_ROOT,
    outputRoot: env.OUTPUT_ROOT,
    allowPrivateNetwork: env.ALLOW_PRIVATE_NETWORK,
    budget: { rows: env.STEP_ROWS, ms: env.STEP_MS },
    perTenantLimit: env.TENANT_RUN_LIMIT,
  };
  const stop = startWorker(deps);
  const staleMs = env.WATCHDOG_STALE_SECONDS * 1000;
  const watchdog = setInterval(() => {
    watchRuns(deps, { staleMs }).catch((err) => console.error(`watchdog: ${err}`));
  }, Math.min(staleMs / 2, 15_000));
  return async () => {
    clearInterval(watchdog);
    await stop();
    kv.close();
  };
}

if (import.meta.main) {
  const stop = await runWorker();
  console.error("worker: consuming run steps");
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, async () => {
      await stop();
      Deno.exit(0);
    });
  }
}
