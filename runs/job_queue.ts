/**
 * The port between the step engine and a queue. Two adapters: Deno KV queues (the embedded
 * default, one process) and BullMQ over Redis (several processes or machines). Run state stays
 * in Deno KV either way; only the delivery of step messages differs.
 * @module
 */
import { z } from "zod";

/** One step of one run: the unit of work a queue delivers. */
export const StepMessage = z.object({
  kind: z.literal("step"),
  /** Unique per step (`<run>:<seq>`): BullMQ job id, dead-letter key, dedupe. */
  id: z.string().min(1),
  tenant: z.string().min(1),
  run: z.string().min(1),
  /** The step number the run record must be at for this message to do anything. */
  seq: z.number().int().min(0),
});

/** A parsed step message. */
export type StepMessage = z.output<typeof StepMessage>;

/** Options of one enqueue. */
export interface EnqueueOptions {
  /** Deliver no earlier than this many milliseconds from now (retries with backoff). */
  delayMs?: number;
}

/** What a queue does with a message whose handler kept failing. */
export type DeadLetterHandler = (msg: StepMessage, reason: string) => Promise<void>;

/**
 * A queue of step messages with at-least-once delivery. The engine makes every step idempotent
 * (versionstamp checks), so a message delivered twice changes nothing the second time.
 */
export interface JobQueue {
  /** "kv" or "bullmq", for logs and the health page. */
  readonly kind: string;
  /**
   * Put the enqueue of `msg` into the same atomic KV commit as the run's new state (the outbox):
   * the KV adapter enqueues in it; the BullMQ adapter writes a pending-step record instead.
   */
  stage(op: Deno.AtomicOperation, msg: StepMessage, options?: EnqueueOptions): void;
  /**
   * Called after that commit succeeded: the BullMQ adapter adds the job (job id = `msg.id`, so a
   * duplicate is ignored) and clears the pending record; the KV adapter has nothing to do.
   */
  published(msg: StepMessage, options?: EnqueueOptions): Promise<void>;
  /**
   * Consume messages until `close()`: `handler` throws to have the message retried with backoff;
   * after the last attempt `onDead` records it (a dead-letter key) so its run can be failed.
   */
  listen(handler: (msg: StepMessage) => Promise<void>, onDead: DeadLetterHandler): void;
  /** Re-add pending steps that no worker picked up (BullMQ after a crash between commit and add). */
  sweep(olderThanMs: number): Promise<number>;
  /** Stop consuming and release connections. */
  close(): Promise<void>;
}
