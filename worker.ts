/**
 * `deno task worker`: a process that only consumes run steps (no HTTP), for scaling out with
 * `QUEUE_URL=redis://…` and a shared `KV_PATH`. Steps run in `WORKERS` Web Workers (default:
 * one per core). It also runs the watchdog. Stops on SIGINT or SIGTERM after the steps in hand.
 * @module
 */
import { readEnv } from "./config.ts";
import { openEngine, startConsumers } from "./runs/consumer.ts";
import { watchRuns } from "./runs/engine.ts";

/** Start consuming steps; returns a function that stops everything. */
export async function runWorker(
  raw: Record<string, string | undefined> = Deno.env.toObject(),
): Promise<{ where: string; stop: () => Promise<void> }> {
  const env = readEnv(raw);
  const engine = await openEngine(env, raw, "main");
  const consumers = await startConsumers(engine.deps, env, raw);
  const staleMs = env.WATCHDOG_STALE_SECONDS * 1000;
  const watchdog = setInterval(() => {
    watchRuns(engine.deps, { staleMs }).catch((err) => console.error(`watchdog: ${err}`));
    // BullMQ: steps committed but not added to Redis (a crash between the two) are added again.
    engine.deps.queue.sweep(30_000).catch((err) => console.error(`queue sweep: ${err}`));
  }, Math.min(staleMs / 2, 15_000));
  return {
    where: consumers.where,
    async stop() {
      clearInterval(watchdog);
      await consumers.stop();
      await engine.close();
    },
  };
}

if (import.meta.main) {
  const { where, stop } = await runWorker();
  console.error(`worker: consuming run steps in ${where}`);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, async () => {
      await stop();
      Deno.exit(0);
    });
  }
}
