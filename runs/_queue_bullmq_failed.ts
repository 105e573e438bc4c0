/**
 * BullMQ's failed set → KV dead letters. A job lands there after its last attempt, or when it
 * stalled more often than allowed (its workers kept dying); the worker's `failed` event misses
 * the second case and a crash can miss either, so the failed set itself is the source of truth:
 * each job is recorded once (a "seen" marker guards against two processes recording it, and
 * `onDead` running twice) and then removed from Redis.
 * @module
 */
import type { Queue } from "bullmq";
import { StepMessage } from "./job_queue.ts";
import {
  BOOKKEEPING_TTL_MS,
  DEAD_STEP_REASONS,
  DEAD_STEP_SEEN,
  DEAD_STEPS,
} from "./_queue_keys.ts";
import { deadReason } from "./_queue_dead.ts";

/** Failed jobs moved per check; the rest wait for the next one. */
const BATCH = 100;

/** Record every failed job of `queue` as a dead letter in `kv` and remove it; returns how many. */
export async function recordFailedJobs(
  queue: Queue,
  kv: Deno.Kv,
  log: (line: string) => void,
): Promise<number> {
  let recorded = 0;
  for (const job of await queue.getFailed(0, BATCH - 1)) {
    if (!job) continue;
    const parsed = StepMessage.safeParse(job.data);
    if (parsed.success) {
      const msg = parsed.data;
      const seen = [DEAD_STEP_SEEN, msg.id];
      const reason = /stalled/i.test(job.failedReason ?? "")
        ? "The step was interrupted too often (its worker died or stayed busy past its lock) " +
          "and was given up."
        : deadReason(job.attemptsMade, job.failedReason);
      const res = await kv.atomic()
        .check({ key: seen, versionstamp: null })
        .set([DEAD_STEPS, msg.id], msg)
        .set([DEAD_STEP_REASONS, msg.id], reason, { expireIn: BOOKKEEPING_TTL_MS })
        .set(seen, Date.now(), { expireIn: BOOKKEEPING_TTL_MS })
        .commit();
      if (res.ok) recorded++;
    } else {
      log(`Removed failed job ${job.id}: it is not a step message.`);
    }
    // Another process may have removed it first; the seen marker already made this a no-op.
    await job.remove().catch(() => {});
  }
  return recorded;
}
