/**
 * Opening the engine from settings: one KV handle, the configured queue (Deno KV or BullMQ) and
 * the step budget. `main.ts`, `worker.ts` and every step Web Worker build their engine here, so
 * they all read the same settings the same way.
 * @module
 */
import { dirname } from "node:path";
import type { Env } from "../config.ts";
import { openConnection } from "../connections/mod.ts";
import { specSecrets } from "../pipelines/spec_secrets.ts";
import { vaultFromEnv } from "../vault/from_env.ts";
import type { MasterKey } from "../vault/master_key.ts";
import type { Vault } from "../vault/vault.ts";
import { deadStep, type EngineDeps, startWorker } from "./engine.ts";
import type { JobQueue } from "./job_queue.ts";
import { tolerateLocks } from "./kv_locks.ts";
import { queueFromEnv } from "./queue_config.ts";
import { startWorkerPool } from "./worker_pool.ts";
import { setNative } from "../native/ffi.ts";
import { setParquetThread } from "../etl/format/parquet.ts";

/** An engine and how to release it (queue first, then KV). */
export interface OpenEngine {
  deps: EngineDeps;
  /** The vault (connections use it; the engine opens spec secrets with it). */
  vault: Vault;
  /** The master key in use (where it came from, for the start-up notice). */
  master: MasterKey;
  close(): Promise<void>;
}

/**
 * Open KV at `env.KV_PATH` (creating its folder) and the queue `raw` asks for.
 *
 * @example
 * ```ts
 * const { deps, close } = await openEngine(readEnv(), Deno.env.toObject(), "worker-1");
 * ```
 */
export async function openEngine(
  env: Env,
  raw: Record<string, string | undefined>,
  name?: string,
  /** Another queue than `raw` asks for (a step worker's relayed queue). */
  makeQueue?: (kv: Deno.Kv) => JobQueue,
): Promise<OpenEngine> {
  setNative(env.NATIVE);
  setParquetThread(env.PARQUET_THREAD);
  if (env.KV_PATH !== ":memory:") await Deno.mkdir(dirname(env.KV_PATH), { recursive: true });
  const opened = await Deno.openKv(env.KV_PATH);
  // Other handles on the same file (step workers, worker processes) lock it now and then.
  const kv = tolerateLocks(opened);
  let queue;
  try {
    queue = makeQueue ? makeQueue(kv) : await queueFromEnv(kv, raw);
  } catch (err) {
    kv.close();
    throw err;
  }
  let sealing: Awaited<ReturnType<typeof vaultFromEnv>>;
  try {
    sealing = await vaultFromEnv(kv, env);
  } catch (err) {
    await queue.close();
    kv.close();
    throw err;
  }
  const deps: EngineDeps = {
    kv,
    queue,
    secrets: specSecrets(sealing.vault, {
      connection: (tenant, id) => openConnection(kv, sealing.vault, tenant, id),
    }),
    tenantFiles: env.TENANT_FILES,
    analyticsRoot: env.ANALYTICS_ROOT,
    inputRoot: env.INPUT_ROOT,
    outputRoot: env.OUTPUT_ROOT,
    allowPrivateNetwork: env.ALLOW_PRIVATE_NETWORK,
    budget: { rows: env.STEP_ROWS, ms: env.STEP_MS },
    perTenantLimit: env.TENANT_RUN_LIMIT,
    name,
  };
  return {
    deps,
    vault: sealing.vault,
    master: sealing.master,
    async close() {
      await queue.close();
      kv.close();
    },
  };
}

/** Running step consumers and where they run, for the start-up log. */
export interface Consumers {
  where: string;
  stop(): Promise<void>;
}

/**
 * Start consuming run steps as `env.WORKERS` asks: that many step Web Workers, each with its
 * own KV handle and queue consumer, or (0, or an in-memory KV that other threads cannot open)
 * `deps` consuming on this thread.
 */
export async function startConsumers(
  deps: EngineDeps,
  env: Env,
  raw: Record<string, string | undefined>,
): Promise<Consumers> {
  if (env.WORKERS === 0 || env.KV_PATH === ":memory:") {
    return { where: "the main thread", stop: startWorker(deps) };
  }
  // Resolved here, so every worker reads the same folders and KV file as this process.
  const workerEnv = {
    ...raw,
    KV_PATH: env.KV_PATH,
    INPUT_ROOT: env.INPUT_ROOT,
    OUTPUT_ROOT: env.OUTPUT_ROOT,
  };
  if (deps.queue.kind === "kv") {
    const pool = await startWorkerPool({ count: env.WORKERS, env: workerEnv });
    return { where: `${pool.names.length} step workers`, stop: () => pool.stop() };
  }
  // BullMQ: this thread holds the Redis connection and hands steps to the workers.
  const pool = await startWorkerPool({
    count: env.WORKERS,
    env: workerEnv,
    relay: { publish: (msg, options) => deps.queue.published(msg, options) },
  });
  deps.queue.listen((msg) => pool.run(msg), (msg, reason) => deadStep(deps, msg, reason));
  return {
    where: `${pool.names.length} step workers (steps handed over from ${deps.queue.kind})`,
    // The queue itself is closed with the engine; steps it delivers meanwhile are retried.
    stop: () => pool.stop(),
  };
}
