/**
 * The queue of a step Web Worker when the process consumes BullMQ: the main thread holds the
 * BullMQ connection and hands steps to the workers, so workers never load BullMQ or ioredis
 * (loading ioredis made run steps in that thread 1.7–2× slower, bench/README.md). A worker still
 * stages the pending-step record in its own step commit; adding the job to Redis is relayed to
 * the main thread.
 * @module
 */
import { RetriableError } from "../etl/errors.ts";
import type { EnqueueOptions, JobQueue, StepMessage } from "./job_queue.ts";
import { stagePending } from "./_queue_pending.ts";

/** Adds a staged step's job to Redis, on the main thread. */
export type Publish = (msg: StepMessage, options?: EnqueueOptions) => Promise<void>;

/**
 * A {@link JobQueue} for a step worker whose main thread consumes BullMQ and adds jobs through
 * `publish`. It does not listen: the main thread hands it steps.
 */
export function createRelayQueue(publish: Publish): JobQueue {
  return {
    kind: "bullmq (relayed)",
    stage: stagePending,
    async published(msg, options) {
      try {
        await publish(msg, options);
      } catch (err) {
        // The pending record stays; the watchdog or a retry adds the step again.
        throw err instanceof RetriableError ? err : new RetriableError(String(err));
      }
    },
    listen() {
      throw new Error(
        "A relayed queue is handed its steps by the main thread; it does not listen.",
      );
    },
    sweep: () => Promise.resolve(0),
    close: () => Promise.resolve(),
  };
}
