/**
 * The pending-step record of the BullMQ outbox: committed with a step's state (`stage`), cleared
 * once the job is in Redis (`published`), re-added by the sweeper if a crash came between.
 * Kept apart from bullmq_queue.ts so step workers can stage without loading BullMQ or ioredis.
 * @module
 */
import type { EnqueueOptions, StepMessage } from "./job_queue.ts";
import { PENDING_STEPS } from "./_queue_keys.ts";

/** The pending-step record. */
export interface PendingStep {
  msg: StepMessage;
  /** When it was staged (epoch ms). */
  at: number;
  delayMs: number;
}

/** Put the pending record of `msg` into `op` (the step's commit). */
export function stagePending(
  op: Deno.AtomicOperation,
  msg: StepMessage,
  opts: EnqueueOptions = {},
): void {
  const pending: PendingStep = { msg, at: Date.now(), delayMs: opts.delayMs ?? 0 };
  op.set([PENDING_STEPS, msg.id], pending);
}
