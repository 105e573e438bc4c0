/**
 * N Web Workers consuming run steps inside one process (DESIGN.md, "Scale": Web Workers in one
 * process receive KV queue messages at once). Each worker is its own thread with its own KV
 * handle and queue consumer, so a CPU-heavy step in one does not block the HTTP server or the
 * other workers. A worker that dies is started again.
 * @module
 */

/** Messages to a step worker. */
export type PoolRequest =
  | { type: "start"; env: Record<string, string | undefined>; name: string }
  | { type: "stop" };

/** Messages from a step worker. */
export type PoolReply = { type: "ready" } | { type: "stopped" } | {
  type: "failed";
  message: string;
};

/** Options of {@link startWorkerPool}. */
export interface PoolOptions {
  /** Workers to start (at least 1). */
  count: number;
  /** The settings each worker reads (as `Deno.env.toObject()` gives them). */
  env: Record<string, string | undefined>;
  /** Where problems go (default `console.error`). */
  log?: (line: string) => void;
  /** How long `stop()` waits for a worker to finish its step before ending it (default 15 s). */
  stopMs?: number;
}

/** A running pool. */
export interface WorkerPool {
  /** Names of the running workers. */
  readonly names: string[];
  /** Let each worker finish its step, then end them all. */
  stop(): Promise<void>;
}

const ENTRY = new URL("./step_worker.ts", import.meta.url);

/**
 * Start `count` step workers and wait until each is consuming. Rejects (and ends the ones
 * started) when a worker cannot start, e.g. with bad queue settings.
 *
 * @example
 * ```ts
 * const pool = await startWorkerPool({ count: 2, env: Deno.env.toObject() });
 * // … later
 * await pool.stop();
 * ```
 */
export async function startWorkerPool(options: PoolOptions): Promise<WorkerPool> {
  const log = options.log ?? ((line: string) => console.error(line));
  const workers = new Map<string, Worker>();
  let stopping = false;

  const spawn = (name: string): Promise<void> => {
    const worker = new Worker(ENTRY, { type: "module", name });
    workers.set(name, worker);
    return new Promise((resolve, reject) => {
      worker.onmessage = (e: MessageEvent<PoolReply>) => {
        if (e.data.type === "ready") resolve();
        if (e.data.type === "failed") reject(new Error(`${name}: ${e.data.message}`));
      };
      worker.onerror = (e) => {
        e.preventDefault();
        worker.terminate();
        reject(new Error(`${name}: ${e.message}`));
        if (stopping || workers.get(name) !== worker) return;
        // Its step's lease runs out and the queue delivers the step again, to any worker.
        log(`${name} stopped unexpectedly (${e.message}); starting it again`);
        setTimeout(() => {
          if (!stopping) spawn(name).catch((err) => log(String(err)));
        }, 1_000);
      };
      worker.postMessage({ type: "start", env: options.env, name } satisfies PoolRequest);
    });
  };

  const names = Array.from(
    { length: Math.max(1, options.count) },
    (_, i) => `step-worker-${i + 1}`,
  );
  const stop = async () => {
    stopping = true;
    await Promise.all([...workers.values()].map((worker) => stopOne(worker, options.stopMs)));
    workers.clear();
  };
  try {
    await Promise.all(names.map(spawn));
  } catch (err) {
    await stop();
    throw err;
  }
  return { names, stop };
}

async function stopOne(worker: Worker, stopMs = 15_000): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    new Promise<void>((resolve) => {
      worker.onmessage = (e: MessageEvent<PoolReply>) => {
        if (e.data.type === "stopped") resolve();
      };
      worker.postMessage({ type: "stop" } satisfies PoolRequest);
    }),
    new Promise<void>((resolve) => timer = setTimeout(resolve, stopMs)),
  ]);
  clearTimeout(timer);
  worker.terminate();
}
