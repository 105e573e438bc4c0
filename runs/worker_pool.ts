/**
 * N Web Workers consuming run steps inside one process (DESIGN.md, "Scale": Web Workers in one
 * process receive KV queue messages at once). Each worker is its own thread with its own KV
 * handle, so a CPU-heavy step in one does not block the HTTP server or the other workers. With
 * Deno KV queues each worker consumes the queue itself; with BullMQ the main thread consumes and
 * hands steps over ({@link WorkerPool.run}), relaying the workers' job adds back to Redis. A worker
 * that dies is started again.
 * @module
 */
import { RetriableError } from "../etl/errors.ts";
import type { EnqueueOptions, StepMessage } from "./job_queue.ts";
import type { Publish } from "./relay_queue.ts";

/** Messages to a step worker. */
export type PoolRequest =
  | { type: "start"; env: Record<string, string | undefined>; name: string; relay: boolean }
  | { type: "stop" }
  | { type: "step"; id: number; msg: StepMessage }
  | { type: "published"; id: number; error?: string };

/** Messages from a step worker. */
export type PoolReply =
  | { type: "ready" }
  | { type: "stopped" }
  | { type: "failed"; message: string }
  | { type: "stepped"; id: number; error?: string; retriable?: boolean }
  | { type: "publish"; id: number; msg: StepMessage; options?: EnqueueOptions };

/** Options of {@link startWorkerPool}. */
export interface PoolOptions {
  /** Workers to start (at least 1). */
  count: number;
  /** The settings each worker reads (as `Deno.env.toObject()` gives them). */
  env: Record<string, string | undefined>;
  /** The main thread consumes the queue and hands steps over; `publish` adds their jobs. */
  relay?: { publish: Publish };
  /** Where problems go (default `console.error`). */
  log?: (line: string) => void;
  /** How long `stop()` waits for a worker to finish its step before ending it (default 15 s). */
  stopMs?: number;
}

/** A running pool. */
export interface WorkerPool {
  /** Names of the running workers. */
  readonly names: string[];
  /** Relay mode: run a delivered step in the least busy worker; rejects as the step did. */
  run(msg: StepMessage): Promise<void>;
  /** Let each worker finish its step, then end them all. */
  stop(): Promise<void>;
}

const ENTRY = new URL("./step_worker.ts", import.meta.url);

interface Slot {
  worker: Worker;
  /** Steps handed to this worker and not answered yet. */
  steps: Set<number>;
}

/**
 * Start `count` step workers and wait until each is ready. Rejects (and ends the ones started)
 * when a worker cannot start, e.g. with bad queue settings.
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
  const slots = new Map<string, Slot>();
  const waiting = new Map<number, { resolve(): void; reject(err: Error): void }>();
  let nextId = 0;
  let stopping = false;

  const onReply = (slot: Slot, reply: PoolReply) => {
    if (reply.type === "stepped") {
      slot.steps.delete(reply.id);
      const w = waiting.get(reply.id);
      waiting.delete(reply.id);
      if (!reply.error) w?.resolve();
      else w?.reject(reply.retriable ? new RetriableError(reply.error) : new Error(reply.error));
    } else if (reply.type === "publish" && options.relay) {
      options.relay.publish(reply.msg, reply.options).then(
        () => slot.worker.postMessage({ type: "published", id: reply.id } satisfies PoolRequest),
        (err) =>
          slot.worker.postMessage(
            {
              type: "published",
              id: reply.id,
              error: String(err?.message ?? err),
            } satisfies PoolRequest,
          ),
      );
    }
  };

  const spawn = (name: string): Promise<void> => {
    const worker = new Worker(ENTRY, { type: "module", name });
    const slot: Slot = { worker, steps: new Set() };
    slots.set(name, slot);
    return new Promise((resolve, reject) => {
      worker.onmessage = (e: MessageEvent<PoolReply>) => {
        if (e.data.type === "ready") resolve();
        else if (e.data.type === "failed") reject(new Error(`${name}: ${e.data.message}`));
        else onReply(slot, e.data);
      };
      worker.onerror = (e) => {
        e.preventDefault();
        worker.terminate();
        reject(new Error(`${name}: ${e.message}`));
        // Its steps go back to the queue, whose retry hands them to a worker again.
        for (const id of slot.steps) {
          waiting.get(id)?.reject(new RetriableError(`${name} stopped during the step`));
          waiting.delete(id);
        }
        slot.steps.clear();
        if (stopping || slots.get(name) !== slot) return;
        // Its step's lease runs out and the queue delivers the step again, to any worker.
        log(`${name} stopped unexpectedly (${e.message}); starting it again`);
        setTimeout(() => {
          if (!stopping) spawn(name).catch((err) => log(String(err)));
        }, 1_000);
      };
      worker.postMessage(
        { type: "start", env: options.env, name, relay: !!options.relay } satisfies PoolRequest,
      );
    });
  };

  const names = Array.from(
    { length: Math.max(1, options.count) },
    (_, i) => `step-worker-${i + 1}`,
  );
  const stop = async () => {
    stopping = true;
    await Promise.all([...slots.values()].map((s) => stopOne(s.worker, options.stopMs)));
    slots.clear();
    for (const w of waiting.values()) w.reject(new RetriableError("The step workers stopped"));
    waiting.clear();
  };
  // Every worker answers (ready or failed) before any is stopped: one still opening its KV
  // while being ended could leave files behind.
  const started = await Promise.allSettled(names.map(spawn));
  const failed = started.find((r) => r.status === "rejected");
  if (failed) {
    await stop();
    throw failed.reason;
  }
  return {
    names,
    run(msg) {
      if (stopping) return Promise.reject(new RetriableError("The step workers are stopping"));
      const slot = [...slots.values()].reduce((a, b) => (b.steps.size < a.steps.size ? b : a));
      const id = nextId++;
      slot.steps.add(id);
      return new Promise<void>((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        slot.worker.postMessage({ type: "step", id, msg } satisfies PoolRequest);
      });
    },
    stop,
  };
}

async function stopOne(worker: Worker, stopMs = 15_000): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    new Promise<void>((resolve) => {
      const previous = worker.onmessage;
      worker.onmessage = (e: MessageEvent<PoolReply>) => {
        if (e.data.type === "stopped") resolve();
        else previous?.call(worker, e);
      };
      worker.postMessage({ type: "stop" } satisfies PoolRequest);
    }),
    new Promise<void>((resolve) => timer = setTimeout(resolve, stopMs)),
  ]);
  clearTimeout(timer);
  worker.terminate();
}
